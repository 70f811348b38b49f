"""SELECT statements with functions: aggregates, selectors, transformations, predictors and the
technical-analysis functions, each in raw and GROUP BY time forms where InfluxDB 1.x allows.
"""

from __future__ import annotations

import pytest

from .cases_select import H1, M2, W

#: cpu, server01's cpu0 series only, over the main window.
C1 = f"FROM cpu WHERE host = 'server01' AND cpu = 'cpu0' AND {W}"
#: cpu, all series, main window.
CW = f"FROM cpu WHERE {W}"
#: counters over the main window.
CT = f"FROM counters WHERE {W}"
#: server02 over the main window.
M2B = f"host = 'server02' AND {W}"
#: counters' first hour, ended by a space for what follows.
CTH = "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
#: ...and its first two hours.
CT2H = "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T02:00:00Z' "
#: mem's first hour: four points of each host in each 20m bucket.
MEMW = "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z'"
#: ...of server01 alone.
MEM1 = f"host = 'server01' AND {MEMW}"
#: stock, symbol AAA, main window.
SA = f"FROM stock WHERE symbol = 'AAA' AND {W}"

#: sparse over the first hour: b has no point in one 5-minute bucket of three.
SP = "FROM sparse WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z'"
#: the same from 00:10, a bucket where b has no point.
SP10 = "FROM sparse WHERE time >= '2024-01-01T00:10:00Z' AND time < '2024-01-01T01:00:00Z'"
#: disk to 01:17: `/home`'s gap leaves windows too few points for a low percentile()
DISK = "FROM disk WHERE time >= '2024-01-01T00:00:00Z' AND time <= '2024-01-01T01:17:00Z'"
# gauge's id=b, its percentile(v, 40) windows of one point selecting nothing (`{more}` more)
PCT_LATE = ("FROM gauge WHERE id = 'b' AND v != 0.1 AND v != 2.1{more} AND "
            "time >= '2024-01-01T00:00:00Z' AND time <= '2024-01-01T00:12:00Z' ")

AGGREGATES = [
    pytest.param(f"SELECT count(usage_user) {CW}", id="count"),
    pytest.param(f"SELECT count(*) {CW}", id="count-star"),
    pytest.param(f"SELECT count(/usage/) {CW}", id="count-regex"),
    pytest.param(f"SELECT count(message), count(ok) FROM events WHERE {W}", id="count-strings"),
    pytest.param(f"SELECT count(distinct(code)) FROM events WHERE {W}", id="count-distinct"),
    pytest.param(f"SELECT count(DISTINCT code) FROM events WHERE {W}", id="count-distinct-kw"),
    # count(distinct(x)) is one count call to 1.x: it stands beside other functions
    pytest.param(f"SELECT count(distinct(code)), count(code) FROM events WHERE {W}",
                 id="count-distinct-beside-count"),
    pytest.param(f"SELECT count(distinct(code)), mean(code), max(code) FROM events WHERE {W} "
                 "GROUP BY time(30m)", id="count-distinct-beside-aggregates-by-time"),
    pytest.param(f"SELECT count(DISTINCT code), first(code) FROM events WHERE {W} "
                 "GROUP BY source", id="count-distinct-beside-selector-by-tag"),
    pytest.param(f"SELECT count(distinct(usage_user)), mean(usage_user) FROM cpu WHERE "
                 f"host = 'server03' AND {W} GROUP BY time(10m), host",
                 id="count-distinct-beside-mean-gap"),
    pytest.param(f"SELECT count(distinct(code)) + count(distinct(message)), "
                 f"count(distinct(ok)) FROM events WHERE {W}", id="count-distinct-math"),
    pytest.param(f"SELECT count(usage_user) {CW} GROUP BY host", id="count-by-host"),
    pytest.param(f"SELECT count(usage_idle) {CW} GROUP BY *", id="count-by-star-sparse"),
    pytest.param(f"SELECT count(usage_user) {CW} GROUP BY time(20m), region",
                 id="count-by-time-region"),
    pytest.param(f"SELECT distinct(code) FROM events WHERE {W}", id="distinct"),
    pytest.param(f"SELECT distinct(message) FROM events WHERE {W}", id="distinct-strings"),
    pytest.param(f"SELECT distinct(level) FROM wave WHERE {H1} GROUP BY time(30m)",
                 id="distinct-by-time"),
    pytest.param(f"SELECT distinct(code) FROM events WHERE {W} GROUP BY source",
                 id="distinct-by-tag"),
    # 1.x answers each value at its first point in read order (the newest under DESC),
    # sorted by that point's time, then by value (series tied on time)
    pytest.param("SELECT distinct(message) FROM events GROUP BY source ORDER BY time DESC",
                 {"epoch": "m"}, id="distinct-desc-by-latest-point"),
    pytest.param("SELECT distinct(usage_user) FROM cpu WHERE time > now() - 3000d AND "
                 "time <= '2024-01-01T01:17:00Z' GROUP BY time(1d), * ORDER BY time DESC "
                 "LIMIT 3", {"epoch": "ms"}, id="distinct-desc-by-time-limit"),
    pytest.param("SELECT distinct(usage_user) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' "
                 "AND time < '2024-01-01T00:02:00Z'", id="distinct-series-tied-by-value"),
    # A function over a stored tag finds no points; over a subquery's tag it reads its values.
    pytest.param(f"SELECT count(distinct(level)) FROM events WHERE {W}",
                 id="count-distinct-of-tag"),
    pytest.param(f"SELECT distinct(host) FROM cpu WHERE {W} GROUP BY time(1h)",
                 id="distinct-of-tag-by-time"),
    pytest.param(f"SELECT max(level::tag) FROM events WHERE {W}", id="selector-of-tag"),
    pytest.param(f"SELECT count(distinct(level)) FROM wave, events WHERE {W}",
                 id="count-distinct-tag-here-field-there"),
    pytest.param(f"SELECT count(distinct(level)) FROM (SELECT * FROM events) WHERE {W}",
                 id="count-distinct-of-subquery-tag"),
    pytest.param(f"SELECT integral(usage_user) {C1}", id="integral"),
    pytest.param(f"SELECT integral(usage_user, 1m) {C1}", id="integral-unit"),
    pytest.param(f"SELECT integral(used, 1h) FROM mem WHERE host = 'server03' AND {W} "
                 "GROUP BY time(30m)", id="integral-by-time"),
    pytest.param(f"SELECT integral(usage_user, 1m) FROM cpu WHERE host = 'server03' AND {W} "
                 "GROUP BY time(7m)", id="integral-by-time-gap"),
    pytest.param(f"SELECT integral(used) FROM mem WHERE {W}", id="integral-merged"),
    pytest.param(f"SELECT integral(usage_user), mean(usage_user) FROM cpu WHERE "
                 f"host = 'server03' AND {W} GROUP BY time(15m) fill(1)",
                 id="integral-by-time-beside-mean"),
    pytest.param(f"SELECT integral(used) FROM mem WHERE {W} GROUP BY time(20m)",
                 id="integral-by-time-merged"),
    pytest.param(f"SELECT integral(a) FROM sparse WHERE {W} AND id = 'x' GROUP BY time(5m) "
                 "fill(none)", id="integral-by-time-edge-points"),
    pytest.param(f"SELECT integral(a) FROM sparse WHERE {W} AND id = 'x' GROUP BY time(5m) "
                 "fill(0)", id="integral-by-time-fill"),
    pytest.param(f"SELECT integral(usage_user) {C1} GROUP BY time(30m) ORDER BY time DESC",
                 id="integral-by-time-desc"),
    # under ORDER BY time DESC 1.x walks a merged group newest first, its series in reverse
    # key order, and Go's unstable sort breaks percentile()'s and mode()'s ties from there
    pytest.param(f"SELECT integral(usage_user) {CW} GROUP BY time(30m) ORDER BY time DESC",
                 id="integral-by-time-desc-series-merged"),
    pytest.param("SELECT percentile(used_percent, 5) FROM disk ORDER BY time DESC",
                 id="percentile-desc-tie-series-merged"),
    pytest.param("SELECT percentile(used_percent, 5) FROM disk WHERE path = '/' "
                 "ORDER BY time DESC", id="percentile-desc-tie-one-series"),
    pytest.param("SELECT percentile(used_percent, 5) FROM disk GROUP BY * ORDER BY time DESC",
                 id="percentile-desc-tie-by-series"),
    # over a subquery they read its rows as its cursor emitted them (by bucket, then
    # series; the last first under DESC): 30 values three times each, Go's sort decides
    *(pytest.param(f"SELECT {call} FROM (SELECT max(usage_system) AS a FROM cpu WHERE "
                   "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                   f"GROUP BY time(2m), host){tail}", id=f"subquery-{ident}-tie-emission-order")
      for call, tail, ident in (("mode(a)", "", "mode"),
                                ("mode(a)", " ORDER BY time DESC", "mode-desc"),
                                ("percentile(a, 50)", "", "percentile"),
                                ("percentile(a, 50)", " ORDER BY time DESC", "percentile-desc"))),
    # beside another function: its buckets are filled, integral()'s rows joined unfilled
    pytest.param(f"SELECT integral(usage_user), mean(usage_user) {C1} GROUP BY time(30m) "
                 "ORDER BY time DESC", id="integral-desc-beside-mean-by-time"),
    pytest.param(f"SELECT integral(usage_user), mean(usage_user) {C1} GROUP BY time(7m) "
                 "fill(0) ORDER BY time DESC", id="integral-desc-beside-mean-fill-number"),
    pytest.param(f"SELECT integral(usage_user, 1m), mean(usage_user) FROM cpu WHERE "
                 f"host = 'server03' AND {W} GROUP BY time(7m) fill(previous) ORDER BY time DESC",
                 id="integral-desc-beside-mean-fill-previous"),
    # GROUP BY host: one host (two series merged), since 1.6.7 answers several hosts in Go's
    # map order
    pytest.param(f"SELECT integral(usage_user) FROM cpu WHERE host = 'server01' AND {W} "
                 "GROUP BY host ORDER BY time DESC", id="integral-by-host-desc"),
    pytest.param(f"SELECT integral(used, 1m) FROM mem WHERE host = 'server02' AND {W} "
                 "GROUP BY host ORDER BY time DESC", id="integral-integer-by-host-desc"),
    pytest.param(f"SELECT integral(usage_user, 1m), max(usage_user) FROM cpu WHERE "
                 f"host = 'server03' AND {W} GROUP BY time(20m), host ORDER BY time DESC",
                 id="integral-by-time-host-desc-beside-max"),
    # without GROUP BY time a float integral is stamped at the epoch, the mean at the bound
    pytest.param(f"SELECT integral(usage_user), mean(usage_user) {CW}",
                 id="integral-float-beside-mean"),
    # ... and at the other row each reads fill's number where it has none (fuzz 134-800,
    # 123-680)
    pytest.param("SELECT max(v), integral(v, 1m) FROM single "
                 "WHERE time >= '2024-01-01T00:13:00Z' fill(-1)",
                 id="integral-beside-max-fill-number-row-apart"),
    pytest.param("SELECT max(v), integral(v, 1m), median(v) FROM single WHERE "
                 "time >= '2024-01-01T00:13:00Z' fill(-1) ORDER BY time DESC LIMIT 2",
                 {"epoch": "ns"}, id="integral-beside-max-fill-number-row-apart-desc"),
    pytest.param("SELECT round(max(price)), median(volume), integral(volume, 7m) FROM stock "
                 "fill(2.5) ORDER BY time DESC tz('Australia/Sydney')", {"epoch": "h"},
                 id="integral-integer-beside-max-fill-number-row-apart"),
    pytest.param(f"SELECT integral(used) FROM mem WHERE host = 'server01' AND {W} "
                 "ORDER BY time DESC", id="integral-integer-desc"),
    pytest.param("SELECT integral(used) FROM mem WHERE host = 'server01' AND "
                 "time <= '2024-01-01T02:00:00Z' ORDER BY time DESC",
                 id="integral-integer-desc-inclusive-upper"),
    pytest.param("SELECT integral(used) FROM mem WHERE host = 'server01' AND "
                 "time = '2024-01-01T00:00:00Z'", id="integral-lone-point-on-bound"),
    # beside other functions LIMIT and OFFSET cut integral()'s rows and the others' apart
    # before the join, and a function without a point in the series (a low percentile's)
    # reads the fill value at integral()'s rows, having none of its own
    pytest.param("SELECT integral(price, 1h), count(volume) FROM stock WHERE "
                 "time >= '2023-12-31T22:53:00Z' AND time < '2024-01-01T00:13:00Z' "
                 "GROUP BY time(5m) fill(linear) LIMIT 3", id="integral-beside-count-limit-each"),
    pytest.param("SELECT integral(usage_user, 1m) * 2, mean(usage_user) FROM cpu WHERE "
                 "host = 'server03' AND time >= '2024-01-01T00:20:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' GROUP BY time(5m) fill(previous) "
                 "LIMIT 2 OFFSET 1", id="integral-beside-mean-limit-offset-each"),
    # under fill(none) each of the other functions is cut on its own too: a low percentile()
    # without a point in the first buckets reaches later ones (fuzz 138-517)
    pytest.param("SELECT integral(volume, 1d), exp(percentile(volume, 5) / 1000), sum(price) "
                 "FROM stock WHERE time > 1704067980000000000 AND time < 1704157200s "
                 "GROUP BY time(17m) fill(none) LIMIT 1", {"epoch": "h"},
                 id="integral-beside-fill-none-limit-each-call"),
    pytest.param("SELECT integral(volume, 1d), percentile(volume, 5), sum(price) FROM stock "
                 "WHERE time > 1704067980000000000 AND time < 1704157200s GROUP BY time(17m) "
                 "fill(none) ORDER BY time DESC LIMIT 2 OFFSET 1", {"epoch": "h"},
                 id="integral-beside-fill-none-limit-offset-each-call-desc"),
    # under fill(none) a bucket where the others have no point (a low percentile()
    # selecting nothing) is no row; integral()'s DESC areas stand at window ends
    pytest.param("SELECT integral(usage_user), percentile(usage_user, 10) FROM cpu WHERE "
                 "time >= '2024-01-01T00:20:00Z' AND time < '2024-01-01T01:00:00Z' AND "
                 "host = 'server03' GROUP BY time(7m) fill(none) ORDER BY time DESC",
                 id="integral-beside-percentile-nothing-fill-none-desc"),
    pytest.param("SELECT integral(usage_user), percentile(usage_user, 10) FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:15:00Z' AND "
                 "host = 'server01' GROUP BY time(7m) fill(none) ORDER BY time DESC",
                 id="integral-beside-percentile-nothing-last-window-fill-none"),
    pytest.param("SELECT integral(usage_user), stddev(usage_user), percentile(usage_user, 10) "
                 "FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:04:00Z' AND host = 'server04' GROUP BY time(1m) "
                 "fill(none) ORDER BY time DESC",
                 id="integral-beside-stddev-nan-keeps-row-fill-none"),
    pytest.param("SELECT integral(b), stddev(b), exp(percentile(b, 5) / 1000) FROM sparse "
                 "WHERE time >= '2023-12-31T23:30:00Z' AND time <= '2024-01-01T01:30:00Z' "
                 "GROUP BY time(7m, 1m) fill(-1)", {"epoch": "m"},
                 id="integral-beside-low-percentile-reads-fill"),
    # integral()'s rows: the other calls read fill's number cast to numbers only (sum() of
    # integers 2, median() 2.5, last() of booleans 2.5)
    pytest.param("SELECT integral(b) / -1, sum(b) / median(a), last(d) FROM sparse "
                 "WHERE time >= '2023-12-24T23:30:00Z' AND time < '2024-01-01T00:13:00Z' "
                 "GROUP BY time(2h) fill(2.5) LIMIT 2", id="integral-beside-fill-number-cast"),
    pytest.param("SELECT mode(d), mean(a) + integral(b, 7m), (count(d)) / mode(b) FROM sparse "
                 "WHERE a != 1000 AND time >= '2023-12-24T23:30:00Z' "
                 "AND time < '2024-01-10T01:00:00Z' "
                 "GROUP BY time(1d) fill(-1) LIMIT 10 OFFSET 1",
                 id="integral-beside-fill-number-boolean-uncast"),
    pytest.param("SELECT integral(v), percentile(v, 5) FROM gauge WHERE id = 'a' AND "
                 "time >= '2024-01-01T00:00:00Z' AND time <= '2024-01-01T00:20:00Z' "
                 "GROUP BY time(3m) fill(0)", id="integral-beside-only-low-percentile"),
    pytest.param(f"SELECT mean(usage_user) {CW}", id="mean"),
    pytest.param(f"SELECT mean(used) FROM mem WHERE {W}", id="mean-integers"),
    pytest.param(f"SELECT mean(*) FROM mem WHERE {W}", id="mean-star"),
    pytest.param(f"SELECT mean(usage_user), mean(usage_system) {CW} GROUP BY region",
                 id="mean-two-by-region"),
    pytest.param(f"SELECT mean(usage_user) {CW} GROUP BY time(30m), host fill(none)",
                 id="mean-by-time-host"),
    pytest.param(f"SELECT median(usage_user) {CW}", id="median"),
    pytest.param(f"SELECT median(used) FROM mem WHERE {W} GROUP BY host", id="median-ints"),
    pytest.param(f"SELECT median(usage_user) {CW} GROUP BY time(30m)", id="median-by-time"),
    pytest.param(f"SELECT mode(code) FROM events WHERE {W}", id="mode"),
    pytest.param(f"SELECT mode(message) FROM events WHERE {W} GROUP BY source",
                 id="mode-strings"),
    pytest.param(f"SELECT mode(ok) FROM events WHERE {W} GROUP BY time(30m)", id="mode-bools"),
    pytest.param(f"SELECT spread(usage_user) {CW}", id="spread"),
    pytest.param(f"SELECT spread(used) FROM mem WHERE {W} GROUP BY time(1h), host",
                 id="spread-ints-by-time"),
    pytest.param(f"SELECT stddev(usage_user) {CW}", id="stddev"),
    pytest.param(f"SELECT stddev(used) FROM mem WHERE {W} GROUP BY host", id="stddev-ints"),
    pytest.param("SELECT stddev(v) FROM single GROUP BY id", id="stddev-single-point"),
    # stddev() of one point is NaN to 1.x: a value fill() leaves alone and transformations
    # carry (cumulative_sum stays NaN), answered as null
    pytest.param("SELECT stddev(v), mean(v) FROM gauge WHERE id = 'a' AND "
                 "time >= '2024-01-01T00:07:00Z' AND time <= '2024-01-01T00:12:00Z' "
                 "GROUP BY time(1m) fill(0)", id="stddev-one-point-fill-number"),
    pytest.param("SELECT stddev(v) FROM gauge WHERE id = 'a' AND "
                 "time >= '2024-01-01T00:05:00Z' AND time <= '2024-01-01T00:12:00Z' "
                 "GROUP BY time(90s) fill(previous)", id="stddev-one-point-fill-previous"),
    pytest.param("SELECT cumulative_sum(stddev(v)), derivative(stddev(v)) FROM gauge WHERE "
                 "id = 'a' AND time >= '2024-01-01T00:00:00Z' AND "
                 "time <= '2024-01-01T00:12:00Z' GROUP BY time(90s)",
                 id="transforms-of-stddev-one-point"),
    # moving_average keeps a running sum: the first bucket's NaN (one point) never leaves it
    pytest.param("SELECT moving_average(b, 5) FROM (SELECT min(requests) AS a, "
                 "stddev(requests) AS b FROM counters WHERE time < '2024-01-01T02:00:00Z' AND "
                 "time > '2023-12-31 23:30:00' GROUP BY time(7m), host) GROUP BY *",
                 id="moving-average-of-subquery-stddev-one-point"),
    pytest.param("SELECT moving_average(stddev(requests), 2) FROM counters WHERE "
                 "time < '2024-01-01T02:00:00Z' AND time > '2023-12-31 23:30:00' "
                 "GROUP BY time(7m), host", id="moving-average-of-stddev-one-point"),
    pytest.param("SELECT moving_average(b, 2) FROM (SELECT stddev(requests) AS b FROM counters "
                 "WHERE time < '2024-01-01T02:00:00Z' AND time > '2023-12-31 23:30:00' "
                 "GROUP BY time(7m), host) GROUP BY * ORDER BY time DESC",
                 id="moving-average-of-stddev-one-point-desc"),
    # a TRIX of an empty stretch (0 / 0) is NaN: the moving average over it stays null (98-56)
    pytest.param("SELECT moving_average(triple_exponential_derivative(count(latency), 3, 4, "
                 "'simple'), 3) FROM events WHERE (source =~ /0[12]/ OR source !~ /0[12]/) "
                 "AND time < '2024-01-01T03:00:00Z' AND time >= '2024-01-01T00:00:00Z' "
                 "GROUP BY /nomatch/, time(90s, 1m) ORDER BY time DESC",
                 id="moving-average-of-trix-nan-desc"),
    # a percentile() whose first windows select nothing starts its fill iterator late: 1.x
    # answers its first buckets again as rows of their own (late_fill.py)
    pytest.param("SELECT max(usage_idle), percentile(usage_system, 5) FROM cpu WHERE "
                 "time > '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:09:00Z' "
                 "GROUP BY time(90s) fill(7)", id="percentile-late-fill-beside-max"),
    pytest.param("SELECT integral(usage_idle), percentile(usage_system, 5) FROM cpu WHERE "
                 "time > '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:05:00Z' "
                 "GROUP BY time(90s)", id="percentile-late-fill-beside-integral"),
    pytest.param(f"SELECT max(w), percentile(v, 40) {PCT_LATE.format(more=' AND v != 4.1')}"
                 "GROUP BY time(2m) fill(previous)", id="percentile-late-fill-three-previous"),
    # under DESC the fill starts at the last bucket, read first
    pytest.param("SELECT max(w), percentile(v, 40) FROM gauge WHERE id = 'b' AND v != 9.1 AND "
                 "v != 7.1 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time <= '2024-01-01T00:11:00Z' GROUP BY time(2m) ORDER BY time DESC",
                 id="percentile-late-fill-three-desc"),
    pytest.param(f"SELECT max(w), percentile(v, 40) {PCT_LATE.format(more='')}"
                 "AND v != 6.1 AND v != 8.1 GROUP BY time(2m) fill(linear)",
                 id="percentile-late-fill-linear-peek"),
    # the same in a subquery whose parent's groups hold a series each (a run is a series),
    # its rows read by the parent in that order (fuzz 398-709)
    *(pytest.param(f"SELECT {outer} FROM (SELECT percentile(price, 5) AS a, {inner} AS b "
                   "FROM stock WHERE time >= '2024-01-01T00:00:00Z' AND "
                   f"time < '2024-01-01T00:20:00Z' GROUP BY time(4m30s, 30s){by} {fill}){tail}",
                   id=f"percentile-late-fill-subquery-{ident}")
      for outer, inner, by, fill, tail, ident in (
          ("b, a * a", "count(volume)", "", "fill(2.5)", "", "count"),
          ("b, a", "max(volume)", ", symbol", "fill(2.5)", " GROUP BY symbol", "by-tag"),
          ("b, a", "count(volume)", "", "fill(previous)", " ORDER BY time DESC", "desc"),
          ("count(b), sum(a)", "count(volume)", "", "fill(2.5)", "", "parent-aggregates"))),
    pytest.param(f"SELECT percentile(v, 40), percentile(v, 90) {PCT_LATE.format(more='')}"
                 "GROUP BY time(2m) fill(7)", id="percentile-late-fill-beside-percentile"),
    pytest.param(f"SELECT integral(v), percentile(v, 40) {PCT_LATE.format(more='')}"
                 "GROUP BY time(2m) fill(7) LIMIT 3", id="percentile-late-fill-integral-limit"),
    # the next series' nils are first used up by the fill of the series before (its buckets
    # after its last point), then two per row by the cursor
    pytest.param("SELECT max(w), percentile(v, 40) FROM gauge WHERE v != 1.1 AND v != 3.1 AND "
                 "v != 5.1 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time <= '2024-01-01T00:11:00Z' GROUP BY time(2m), id fill(7)",
                 id="percentile-late-fill-next-series"),
    # every call a percentile(): past a series' last bucket its fill hands the cursor the
    # next series' first nil, which ends a batch of rows; the executor's next scan reads the
    # second nil and the read ends there, the later series unanswered (fuzz 7)
    pytest.param("SELECT percentile(usage_user, 30) FROM cpu WHERE usage_user > 40 AND "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(3m), host fill(linear)", id="percentile-late-fill-two-nils-end"),
    pytest.param("SELECT percentile(usage_user, 30), percentile(usage_user, 80) FROM cpu "
                 "WHERE usage_user > 40 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T01:10:00Z' GROUP BY time(3m), host fill(7)",
                 id="percentile-late-fill-two-nils-end-two-calls"),
    pytest.param("SELECT percentile(usage_user, 30) FROM cpu WHERE usage_user > 40 AND "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(3m), host LIMIT 3", id="percentile-late-fill-two-nils-end-limit"),
    pytest.param("SELECT count(v) + percentile(v, 40) FROM gauge WHERE v != 9.3 AND "
                 "v != 7.3 AND v != 5.3 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time <= '2024-01-01T00:11:00Z' GROUP BY time(2m), id fill(1) "
                 "ORDER BY time DESC", id="percentile-late-fill-math-desc"),
    # under DESC 1.x reads the series newest first: d's late rows come before c's
    pytest.param("SELECT percentile(v, 10), mean(v) FROM gauge WHERE (id = 'c' OR id = 'd') "
                 "AND v != 0.3 AND v != 5.3 AND v != 5.2 AND time >= '2024-01-01T00:00:00Z' "
                 "AND time <= '2024-01-01T00:11:00Z' GROUP BY time(5m), id fill(0) "
                 "ORDER BY time DESC", id="percentile-late-fill-desc-two-series"),
    pytest.param("SELECT percentile(v, 10), mean(v) FROM gauge WHERE v != 0.3 AND v != 5.3 "
                 "AND v != 5.2 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time <= '2024-01-01T00:11:00Z' GROUP BY time(5m), id fill(0) "
                 "ORDER BY time DESC", id="percentile-late-fill-desc-four-series"),
    # ...a group merging several series (GROUP BY region over its hosts) is one series to
    # the walk, its windows reduced over all of them, the groups read last first (329-492)
    pytest.param("SELECT percentile(temp, 5), stddev(usage_system), mean(temp) FROM cpu "
                 "WHERE temp != 20.5 AND time > '2023-12-31T23:30:00Z' AND "
                 "time < '2024-01-01T00:07:30Z' GROUP BY region, time(4m30s) "
                 "ORDER BY time DESC", {"epoch": "u"}, id="percentile-late-fill-desc-merged"),
    pytest.param("SELECT percentile(temp, 5), mean(temp) FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' "
                 "GROUP BY region, time(5m) fill(previous) ORDER BY time DESC",
                 id="percentile-late-fill-desc-merged-previous"),
    pytest.param("SELECT percentile(temp, 10), mean(temp) FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' "
                 "GROUP BY region, time(2m) fill(0) ORDER BY time DESC",
                 id="percentile-late-fill-desc-merged-fill-number"),
    # 1.x pages the series before it builds an iterator: the walk reads only SLIMIT's page
    pytest.param("SELECT max(w), percentile(v, 40) FROM gauge WHERE v != 1.1 AND v != 3.1 AND "
                 "v != 5.1 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time <= '2024-01-01T00:11:00Z' GROUP BY time(2m), id fill(7) "
                 "SLIMIT 2 SOFFSET 1", id="percentile-late-fill-slimit-soffset"),
    pytest.param("SELECT max(w), percentile(v, 40) FROM gauge WHERE v != 1.1 AND v != 3.1 AND "
                 "v != 5.1 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time <= '2024-01-01T00:11:00Z' GROUP BY time(2m), id fill(7) "
                 "LIMIT 3 SLIMIT 1 SOFFSET 1", id="percentile-late-fill-slimit-limit"),
    pytest.param("SELECT (median(v)) - stddev(w) FROM gauge WHERE time >= "
                 "'2024-01-01T00:00:00Z' AND time <= '2024-01-01T01:17:00Z' "
                 "GROUP BY time(5m), id fill(none) LIMIT 3", id="stddev-one-point-fill-none-limit"),
    pytest.param(f"SELECT sum(usage_user) {CW}", id="sum"),
    pytest.param(f"SELECT sum(used) FROM mem WHERE {W} GROUP BY time(30m)", id="sum-ints"),
    pytest.param(f"SELECT sum(usage_user) * 2 + 1 {CW}", id="aggregate-math"),
    pytest.param(f"SELECT sum(usage_user) / count(usage_user) {CW} GROUP BY host",
                 id="aggregate-ratio"),
    pytest.param(f"SELECT count(usage_user), mean(usage_user), sum(usage_user), "
                 f"spread(usage_user) {CW} GROUP BY time(1h)", id="four-aggregates"),
    pytest.param(f"SELECT mean(usage_user) AS avg, max(usage_user) AS peak {CW} "
                 "GROUP BY time(30m)", id="aggregate-aliases"),
    pytest.param(f"SELECT mean(usage_user), mean(usage_user) {CW}", id="same-aggregate-twice"),
    pytest.param("SELECT count(v), sum(v) FROM single", id="no-time-bound"),
    pytest.param("SELECT mean(v) FROM single GROUP BY id", id="single-point-series"),
    pytest.param(f"SELECT mean(a), count(b), count(c) FROM sparse WHERE {W} GROUP BY id",
                 id="sparse-aggregates"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu, mem WHERE {W}", id="aggregate-two-sources"),
    pytest.param(f"SELECT mean(nosuch) {CW}", id="aggregate-unknown-field"),
    # count() of a field the measurement lacks is null, not 0: 1.x has no iterator for it,
    # so fill(null) leaves its buckets null too (a number fills them, previous finds none).
    pytest.param(f"SELECT count(nosuch), mean(usage_user) {CW}", id="count-unknown-beside-mean"),
    pytest.param(f"SELECT count(nosuch), mean(usage_user), count(usage_user) FROM cpu "
                 f"WHERE host = 'server03' AND {H1} GROUP BY time(10m)",
                 id="count-unknown-beside-mean-by-time"),
    pytest.param(f"SELECT count(nosuch), mean(usage_user) FROM cpu WHERE host = 'server03' "
                 f"AND {H1} GROUP BY time(10m) fill(7)", id="count-unknown-fill-number"),
    pytest.param(f"SELECT count(nosuch), count(usage_user) FROM cpu WHERE host = 'server03' "
                 f"AND {H1} GROUP BY time(10m) fill(previous)",
                 id="count-unknown-fill-previous"),
    pytest.param(f"SELECT count(usage_user), mean(used) FROM cpu, mem WHERE {H1} "
                 "GROUP BY time(30m)", id="count-field-of-other-source"),
    pytest.param(f"SELECT count(nosuch) + 1, mean(usage_user) FROM (SELECT * {CW}) "
                 "GROUP BY host", id="count-unknown-subquery-math"),
    # a call 1.x types by its argument (max, sum, first, difference...) over a field no
    # source knows has no type: no fill() reaches it, fill(3) leaves it null; a cast, a tag,
    # a field of another source or a call typed by its name (mean, count, derivative) fill
    pytest.param("SELECT pow(2, max(nosuch)), sum(nosuch) + 1, difference(first(nosuch)), "
                 "derivative(max(nosuch)), mean(used) FROM mem WHERE time >= "
                 "'2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' GROUP BY time(10m) "
                 "fill(3)", id="untyped-call-unfilled-by-time"),
    pytest.param("SELECT max(nosuch::integer), max(host), mode(nosuch), percentile(nosuch, 50), "
                 "median(nosuch), mean(used) FROM mem WHERE time >= '2024-01-01T00:00:00Z' "
                 "AND time < '2024-01-01T00:30:00Z' GROUP BY time(10m) fill(3)",
                 id="untyped-call-unfilled-typed-ones-filled"),
    pytest.param("SELECT max(nosuch), spread(nosuch), mean(used) FROM mem WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' fill(3)",
                 id="untyped-call-unfilled-without-time"),
    pytest.param("SELECT max(usage_user), last(nosuch), mean(used) FROM cpu, mem WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' AND "
                 "(host = 'server01' OR host = 'server02') GROUP BY time(10m) fill(3)",
                 id="untyped-call-field-of-other-source-filled"),
    pytest.param("SELECT difference(nosuch), cumulative_sum(nosuch), elapsed(nosuch), "
                 "count(used) FROM mem WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:30:00Z' fill(3)",
                 id="untyped-raw-transform-beside-count-unfilled"),
    pytest.param("SELECT max(nosuch), max(host), count(nosuch), cumulative_sum(used) FROM mem "
                 "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' "
                 "fill(3) LIMIT 2", id="untyped-aggregate-beside-raw-transform-unfilled"),
    # a subquery's column is typed as 1.x types the subquery's field of that name over its
    # own sources: `nosuch AS v` and `max(nosuch) AS v` have no type, however deep, so the
    # parent's max(v) is untyped (unfilled); a cast, mean(), count() or math with a number
    # type it, and so does another subquery in FROM that types the name
    pytest.param("SELECT max(v), mean(v), count(v), sum(v), max(w) FROM (SELECT nosuch AS v, "
                 "usage_user AS w FROM cpu) WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:10:00Z' GROUP BY time(5m) fill(3)",
                 id="untyped-subquery-column-unfilled"),
    pytest.param("SELECT max(v), first(v), max(w) FROM (SELECT max(nosuch) AS v, "
                 "max(usage_user) AS w FROM cpu GROUP BY time(1m)) WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:10:00Z' "
                 "GROUP BY time(5m), host fill(3) ORDER BY time DESC",
                 id="untyped-subquery-call-unfilled"),
    pytest.param("SELECT max(v), max(w) FROM (SELECT nosuch AS v, usage_user AS w FROM cpu) "
                 "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:10:00Z' "
                 "fill(3)", id="untyped-subquery-column-without-time"),
    pytest.param("SELECT max(v), max(w) FROM (SELECT * FROM (SELECT nosuch AS v, usage_user "
                 "AS w FROM cpu)) WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:10:00Z' GROUP BY time(5m) fill(3)",
                 id="untyped-subquery-nested-unfilled"),
    pytest.param("SELECT max(a), max(b), max(c), max(d), max(w) FROM (SELECT "
                 "max(nosuch::integer) AS a, mean(nosuch) AS b, count(nosuch) AS c, "
                 "max(nosuch) + 1 AS d, max(usage_user) AS w FROM cpu "
                 "GROUP BY time(1m)) WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:10:00Z' GROUP BY time(5m) fill(3)",
                 id="untyped-subquery-typed-ones-filled"),
    pytest.param("SELECT max(v), max(w) FROM (SELECT nosuch AS v, usage_user AS w FROM cpu), "
                 "(SELECT used AS v FROM mem) WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:10:00Z' GROUP BY time(5m) fill(3)",
                 id="untyped-subquery-typed-by-another-subquery"),
    pytest.param("SELECT difference(v), cumulative_sum(v), count(w) FROM (SELECT nosuch AS v, "
                 "usage_user AS w FROM cpu WHERE host = 'server01' AND "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:03:00Z') fill(3)",
                 id="untyped-subquery-raw-transform-beside-count-unfilled"),
    # ...a call's wildcard skips such a column, a raw regex reads it alone: nothing
    pytest.param("SELECT count(*) FROM (SELECT nosuch AS v, usage_user AS w FROM cpu WHERE "
                 "host = 'server01' AND time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:02:00Z') fill(3)", id="untyped-subquery-count-wildcard"),
    pytest.param("SELECT /v/ FROM (SELECT nosuch AS v, usage_user AS w FROM cpu WHERE "
                 "host = 'server01' AND time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:02:00Z')", id="untyped-subquery-raw-regex-alone"),
    pytest.param("SELECT * FROM (SELECT nosuch AS v FROM cpu WHERE host = 'server01' AND "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:02:00Z')",
                 id="untyped-subquery-raw-wildcard-alone"),
    # a subquery's GROUP BY tag, a `::tag` cast and an untyped column named like a GROUP BY
    # tag are tags to 1.x: text to the parent's calls (max() and mean() fail, count(),
    # first() and mode() read it); a tag the parent handed down is read as null
    pytest.param("SELECT max(host), max(w) FROM (SELECT max(usage_user) AS w FROM cpu "
                 "GROUP BY host) WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:10:00Z' GROUP BY time(5m) fill(3)",
                 id="subquery-grouped-tag-max-refused"),
    pytest.param("SELECT max(v), max(w) FROM (SELECT nosuch::tag AS v, usage_user AS w "
                 "FROM cpu) WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:10:00Z' GROUP BY time(5m) fill(3)",
                 id="subquery-tag-cast-column-max-refused"),
    pytest.param("SELECT mean(v), max(w) FROM (SELECT nosuch AS v, usage_user AS w FROM cpu "
                 "GROUP BY v) WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:10:00Z'", id="subquery-untyped-grouped-column-refused"),
    pytest.param("SELECT count(host), first(host), last(host), mode(host), max(w) FROM "
                 "(SELECT max(usage_user) AS w FROM cpu GROUP BY host) WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:10:00Z'",
                 id="subquery-grouped-tag-read-as-text"),
    pytest.param("SELECT max(host), max(w) FROM (SELECT max(usage_user) AS w FROM cpu) WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:10:00Z' "
                 "GROUP BY host", id="subquery-handed-tag-max-null"),
    # fill(<number>) is cast to each function's type: truncated for integers (count, and
    # sum/max/first/spread/mode/percentile of integers), false for booleans, "" for text
    pytest.param("SELECT count(usage_user), mean(usage_user) FROM cpu WHERE host = 'server03' "
                 f"AND {H1} GROUP BY time(5m) fill(-2.5)", id="fill-fraction-count"),
    pytest.param("SELECT sum(used), max(used), first(used), spread(used), mode(used), "
                 "percentile(used, 50), median(used) FROM mem WHERE host = 'server01' AND "
                 "time >= '2023-12-31T22:50:00Z' AND time < '2024-01-01T00:10:00Z' "
                 "GROUP BY time(10m) fill(2.5)", id="fill-fraction-integer-functions"),
    # a count() of 0 is no point: beside a function with points in the bucket it is filled
    # like an empty bucket (fill(null): 0, fill(none) and linear's ends: null); in a series
    # where it has none, or without GROUP BY time, it reads the cursor's default
    pytest.param(f"SELECT mean(a), count(b) {SP} GROUP BY time(5m) fill(3)",
                 id="count-empty-bucket-fill-number"),
    pytest.param(f"SELECT mean(a), count(b), count(distinct(b)) {SP10} GROUP BY time(5m) "
                 "fill(previous)", id="count-empty-bucket-fill-previous"),
    pytest.param(f"SELECT mean(a), count(b) {SP10} GROUP BY time(5m), id fill(linear)",
                 id="count-empty-bucket-fill-linear"),
    pytest.param(f"SELECT mean(a), count(b), count(distinct(b)) {SP} GROUP BY time(5m) "
                 "fill(none)", id="count-empty-bucket-fill-none"),
    pytest.param(f"SELECT count(b) + 1, mean(a) {SP} GROUP BY time(5m) ORDER BY time DESC "
                 "fill(-1)", id="count-empty-bucket-math-desc"),
    pytest.param(f"SELECT sum(count) FROM (SELECT mean(a), count(b) {SP} GROUP BY time(5m) "
                 "fill(3))", id="count-empty-bucket-subquery"),
    pytest.param(f"SELECT mean(a), count(b) {SP10} AND time < '2024-01-01T00:15:00Z' "
                 "GROUP BY time(5m)", id="count-no-point-in-series-by-time"),
    pytest.param(f"SELECT count(b), count(a) {SP10} AND time < '2024-01-01T00:15:00Z'",
                 id="count-no-point-without-time"),
    pytest.param(f"SELECT count(b) + 1, count(a), sum(b) {SP10} "
                 "AND time < '2024-01-01T00:15:00Z' fill(7)",
                 id="count-no-point-without-time-fill-number"),
    pytest.param(f"SELECT mean(a), percentile(a, 1) {SP10} AND time < '2024-01-01T00:15:00Z' "
                 "fill(3)", id="percentile-low-rank-without-time-fill-number"),
    # a float no int64 holds fills integers with -2^63, Go's int64() of it (a 500 in subqueries)
    pytest.param("SELECT sum(used), count(used), mean(used) FROM mem WHERE host = 'server01' "
                 "AND time >= '2023-12-31T22:50:00Z' AND time < '2024-01-01T00:10:00Z' "
                 "GROUP BY time(10m) fill(100000000000000000000000.5)",
                 id="fill-number-past-int64"),
    pytest.param("SELECT * FROM (SELECT sum(used) FROM mem WHERE host = 'server01' "
                 "AND time >= '2023-12-31T22:50:00Z' AND time < '2024-01-01T00:10:00Z' "
                 "GROUP BY time(10m) fill(-100000000000000000000000.5))",
                 id="fill-number-past-int64-subquery"),
    pytest.param("SELECT first(ok), last(message), max(latency) FROM events WHERE "
                 "time >= '2023-12-31T23:30:00Z' AND time < '2024-01-01T00:10:00Z' "
                 "GROUP BY time(10m) fill(1)", id="fill-number-boolean-and-text"),
    # a selector's companion fields read fill's number cast to a numeric field's type (an
    # integer truncated), as written for text and booleans
    pytest.param(f"SELECT max(code), ok, message, latency FROM events WHERE level = 'error' "
                 f"AND {W} GROUP BY time(10m) fill(2.5)", id="fill-number-selector-companions"),
    pytest.param("SELECT max(latency), code, latency, ok, message FROM events "
                 "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:10:00Z' "
                 "GROUP BY time(1m) fill(2.5) LIMIT 3", id="fill-number-integer-companion-cast"),
    pytest.param("SELECT max(code), code FROM events WHERE time >= '2024-01-01T00:00:00Z' "
                 "AND time < '2024-01-01T00:10:00Z' GROUP BY time(1m) fill(-2.5) LIMIT 3",
                 id="fill-number-selected-field-companion-cast"),
    # without GROUP BY time a lone selector's companion left null at its point reads the
    # cursor's default, fill's number cast the same way (fuzz 432-404)
    pytest.param("SELECT max(a), b, c, d FROM sparse GROUP BY id fill(2.5)",
                 id="fill-number-companion-without-time"),
    pytest.param("SELECT max(b), a, d, id FROM sparse fill(-1)",
                 id="fill-number-companion-without-time-ungrouped"),
    # fill(linear) interpolates the selector only: its companions stay null (fuzz 131-728)
    pytest.param("SELECT last(inodes), inodes FROM disk WHERE host = 'server01' AND path = '/' "
                 "AND time >= '2024-01-01T01:00:00Z' AND time < '2024-01-01T02:00:00Z' "
                 "GROUP BY time(7m, 7m) fill(linear)", id="fill-linear-selector-companion-null"),
    pytest.param("SELECT max(inodes), inodes, path FROM disk WHERE host = 'server01' "
                 "AND time >= '2024-01-01T01:00:00Z' AND time < '2024-01-01T02:00:00Z' "
                 "GROUP BY time(7m, 7m) fill(linear) ORDER BY time DESC",
                 id="fill-linear-selector-companions-desc"),
    # a call without a point in the series reads the cursor's default: cast to numbers only
    pytest.param("SELECT max(d), max(a) FROM sparse WHERE time < '2024-01-01T00:00:45Z' "
                 "fill(2.5)", id="fill-number-boolean-without-point-uncast"),
    pytest.param("SELECT max(*) FROM sparse WHERE time < '2024-01-01T00:00:45Z' "
                 "GROUP BY time(1h) fill(2.5)", id="fill-number-wildcard-without-point-uncast"),
    pytest.param("SELECT max(*), moving_average(b, 3) * 2 FROM sparse "
                 "WHERE time < '2024-01-01T00:00:45Z' fill(2.5)",
                 id="fill-number-wildcard-beside-transform-uncast"),
    # ...which a parent's calls read as the subquery types the column: in a text or boolean
    # column the number is nothing to them; a raw parent reads it as it is (fuzz 180-1104)
    pytest.param("SELECT min(b) FROM (SELECT last(b) AS a, min(d) AS b FROM sparse WHERE "
                 "time >= '2023-12-31T22:53:00Z' AND time <= '2024-01-01 00:00:45' "
                 "GROUP BY time(13m, 30s), id fill(2.5)) LIMIT 10",
                 id="fill-number-uncast-subquery-boolean-parent-call"),
    pytest.param("SELECT sum(x), count(y), count(z), sum(m) FROM (SELECT last(b) AS x, "
                 "last(c) AS y, last(d) AS z, mean(a) AS m FROM sparse WHERE "
                 "time >= '2024-01-01T00:01:00Z' AND time < '2024-01-01T00:07:00Z' "
                 "GROUP BY time(2m), id fill(2.5))",
                 id="fill-number-uncast-subquery-text-parent-calls"),
    pytest.param("SELECT y, z FROM (SELECT last(b) AS x, last(c) AS y, last(d) AS z FROM "
                 "sparse WHERE time >= '2024-01-01T00:01:00Z' AND "
                 "time < '2024-01-01T00:07:00Z' GROUP BY time(2m), id fill(2.5))",
                 id="fill-number-uncast-subquery-raw-parent"),
    pytest.param(f"SELECT last(code), message FROM events WHERE {W} GROUP BY level, time(10m) "
                 "fill(-2) ORDER BY time DESC", id="fill-integer-selector-companion-text"),
    # math over filled buckets reads the fill value as the function's type: a float -1 for
    # mean (abs() answers 1; of an integer it hands the value back), an integer for count
    pytest.param("SELECT mean(usage_user) * 2, mean(usage_user) / 0, count(usage_user) + 1, "
                 "abs(mean(usage_user)), round(mean(usage_user)) FROM cpu WHERE "
                 f"host = 'server03' AND {H1} GROUP BY time(5m) fill(-1)",
                 id="math-over-fill-number"),
    pytest.param("SELECT abs(sum(used)), abs(min(delta)) * 2, log10(abs(stddev(used)) + 1), "
                 "count(used) / 0 FROM mem WHERE host = 'server01' AND "
                 "time >= '2023-12-31T22:50:00Z' AND time < '2024-01-01T00:10:00Z' "
                 "GROUP BY time(10m) fill(-1)", id="math-over-fill-number-integers"),
    pytest.param("SELECT mean(usage_user) * 2, count(usage_user) + 1, abs(mean(usage_user)) "
                 f"FROM cpu WHERE host = 'server03' AND {H1} GROUP BY time(5m) fill(previous)",
                 id="math-over-fill-previous"),
    # math over aggregates is Go's: abs() of count's filled -1 is -1, so ln(-1 + 1) is -Inf
    # and 1.x's JSON fails; log of 0 and exp() past float64 too; a NaN is a null the
    # parent of a subquery reads as a point
    pytest.param("SELECT ln(abs(count(latency)) + 1) FROM events WHERE time >= "
                 "'2024-01-01T00:00:00Z' AND time <= '2024-01-01T01:00:00Z' "
                 "GROUP BY time(10m) fill(-1)", id="math-over-fill-ln-of-zero"),
    # chunked, the chunks without -Inf are JSON in that text, compared exactly: ln() and
    # log() are Go's (`log(2, 3)` is 0.6309297535714575, libm's ...574; fuzz 410-591)
    pytest.param("SELECT log(abs(count(used_percent)) + 1, 3), ln(abs(count(used_percent)) + 2) "
                 "FROM disk WHERE time > '2023-12-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:00:45Z' GROUP BY path, time(1w) fill(-1)",
                 {"chunked": "true", "chunk_size": "1"}, id="math-go-log-chunked-beside-inf"),
    pytest.param("SELECT ln(abs(count(used_percent)) + 1), pow(count(used_percent) + 0.5, 2.3), "
                 "pow(sum(used_percent), -1.7) FROM disk WHERE time > '2023-12-01T00:00:00Z' "
                 "AND time < '2024-01-01T02:00:00Z' GROUP BY path, time(1w) fill(-1)",
                 {"chunked": "true", "chunk_size": "1"}, id="math-go-pow-chunked-beside-inf"),
    pytest.param("SELECT ln(abs(count(used_percent)) + 1), sin(sum(used_percent)), "
                 "cos(mean(used_percent)), tan(max(used_percent)) FROM disk WHERE "
                 "time > '2023-12-01T00:00:00Z' AND time < '2024-01-01T02:00:00Z' "
                 "GROUP BY path, time(1w) fill(-1)", {"chunked": "true", "chunk_size": "1"},
                 id="math-go-trig-chunked-beside-inf"),
    pytest.param("SELECT ln(abs(count(used_percent)) + 1), atan(sum(used_percent)), "
                 "asin(mean(used_percent) / 100), acos(max(used_percent) / 100), "
                 "atan2(mean(used_percent), count(used_percent)) FROM disk WHERE "
                 "time > '2023-12-01T00:00:00Z' AND time < '2024-01-01T02:00:00Z' "
                 "GROUP BY path, time(1w) fill(-1)", {"chunked": "true", "chunk_size": "1"},
                 id="math-go-arc-chunked-beside-inf"),
    pytest.param(f"SELECT log10(min(used)) FROM mem WHERE {H1} GROUP BY time(20m), host",
                 id="math-log-of-zero-aggregate"),
    pytest.param(f"SELECT exp(max(used)) FROM mem WHERE {H1} GROUP BY time(20m), host",
                 id="math-exp-overflow-aggregate"),
    pytest.param(f"SELECT mean(s), count(s) FROM (SELECT sqrt(min(temp)) AS s FROM cpu "
                 f"WHERE {H1} GROUP BY time(20m), host)", id="subquery-math-nan-rows"),
    pytest.param(f"SELECT sum(usage_user) {CW} GROUP BY time(30m) ORDER BY time DESC",
                 id="aggregate-desc"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE host = 'nosuch' AND {W} "
                 "GROUP BY time(30m)", id="aggregate-no-data"),
    pytest.param(f"SELECT mean(usage_user) {CW} GROUP BY time(30m) fill(none) SLIMIT 1",
                 id="aggregate-slimit-no-tags"),
]

SELECTORS = [
    pytest.param(f"SELECT bottom(usage_user, 3) {CW}", id="bottom"),
    pytest.param(f"SELECT bottom(usage_user, host, 2) {CW}", id="bottom-tag"),
    pytest.param(f"SELECT bottom(usage_user, host, region, 3) {CW}", id="bottom-two-tags"),
    pytest.param(f"SELECT bottom(usage_user, 2), cpu {CW} GROUP BY host", id="bottom-with-tag"),
    pytest.param(f"SELECT bottom(used, 2) FROM mem WHERE {W} GROUP BY time(30m)",
                 id="bottom-by-time"),
    pytest.param(f"SELECT top(usage_user, 3) {CW}", id="top"),
    pytest.param(f"SELECT top(usage_user, host, 3) {CW}", id="top-tag"),
    pytest.param(f"SELECT top(usage_user, host, 10) {CW}", id="top-tag-more-than-tags"),
    # in math the tags still pick one point per host, and answer no column (was a 500)
    pytest.param(f"SELECT top(usage_user, host, 3) + 1 {CW}", id="top-tag-in-math"),
    pytest.param(f"SELECT bottom(usage_user, host, region, 3) * 2 {CW} GROUP BY time(30m)",
                 id="bottom-tags-in-math-by-time"),
    pytest.param(f"SELECT top(usage_user, 2), host, region {CW}", id="top-with-tags"),
    pytest.param(f"SELECT top(used, host, 2) FROM mem WHERE {W} GROUP BY time(1h)",
                 id="top-tag-by-time"),
    pytest.param(f"SELECT top(price, 3) FROM stock WHERE {W} GROUP BY symbol", id="top-by-tag"),
    pytest.param(f"SELECT top(price, 5) {SA} ORDER BY time DESC", id="top-desc"),
    pytest.param(f"SELECT top(usage_user, 3) AS t {CW}", id="top-alias"),
    # a call reads a float field cast to integer truncated (and ties on the truncated
    # values), an integer field cast to float as floats: top/bottom, their tag form,
    # selectors, aggregates and DISTINCT alike
    pytest.param(f"SELECT top(latency::integer, 3), latency FROM events WHERE {W}",
                 id="top-cast-integer-truncates"),
    pytest.param(f"SELECT bottom(latency::integer, 2) FROM events WHERE {W}",
                 id="bottom-cast-integer-ties-on-truncated"),
    pytest.param(f"SELECT top(usage_user::integer, host, 2) {CW}", id="top-tag-cast-integer"),
    pytest.param(f"SELECT top(latency::integer, 2) FROM events WHERE {W} GROUP BY time(30m)",
                 id="top-cast-integer-by-time"),
    pytest.param(f"SELECT bottom(code::float, source, 2), sum(code::float) FROM events "
                 f"WHERE {W}", id="bottom-tag-cast-float"),
    pytest.param(f"SELECT sum(latency::integer), mean(latency::integer), "
                 "spread(latency::integer), stddev(latency::integer), median(latency::integer), "
                 f"mode(latency::integer), count(distinct(latency::integer)) FROM events "
                 f"WHERE {W}", id="aggregates-of-cast-integer"),
    pytest.param("SELECT first(usage_user::integer), last(usage_user::integer), "
                 f"min(usage_user::integer), max(usage_user::integer) * 2 {CW} GROUP BY host",
                 id="selectors-of-cast-integer"),
    pytest.param(f"SELECT max(latency::integer), percentile(latency::integer, 40), "
                 f"mean(latency) FROM events WHERE {W} GROUP BY time(10m) fill(2.5)",
                 id="cast-integer-by-time-fill-fraction"),
    # ...a point without the field stays missing (not -2^63, Go's int64 of a NaN)
    pytest.param("SELECT min(a::integer), max(a::integer), count(a::integer), "
                 "sum(a::integer), first(a::integer) FROM sparse WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z'",
                 id="cast-integer-skips-missing-values"),
    # top()/bottom() without tag arguments read only a group's first OFFSET + LIMIT + 1
    # points per shard group (series merged by time; newest first under DESC)
    pytest.param(f"SELECT top(temp, 2) FROM cpu WHERE host = 'server01' AND {W} LIMIT 2",
                 id="top-limit-reads-first-points"),
    pytest.param(f"SELECT top(temp, 2) FROM cpu WHERE host = 'server01' AND {W} GROUP BY cpu "
                 "LIMIT 2 OFFSET 1", id="top-limit-offset-by-tag"),
    pytest.param(f"SELECT top(temp, 2) FROM cpu WHERE host = 'server01' AND {W} "
                 "ORDER BY time DESC LIMIT 2", id="top-limit-desc-reads-newest"),
    pytest.param("SELECT bottom(usage_idle, 1) FROM cpu WHERE time > '2023-12-01T00:00:00Z' "
                 "AND time <= '2024-01-10T01:00:00Z' GROUP BY *, time(1d) fill(none) LIMIT 10",
                 id="bottom-limit-per-shard-group"),
    pytest.param(f"SELECT bottom(requests, 2) FROM counters WHERE host =~ /0[12]/ AND {W} "
                 "GROUP BY time(30m) LIMIT 3", id="bottom-limit-series-merged"),
    pytest.param(f"SELECT top(usage_user, 2), host {CW} OFFSET 1", id="top-offset-only-reads"),
    pytest.param(f"SELECT top(usage_user, host, 2) {CW} LIMIT 2", id="top-tag-limit-reads-all"),
    # fill adds no bucket for them but fills a null companion in their rows
    pytest.param(f"SELECT bottom(usage_system, cpu, 5) {CW} GROUP BY time(1d) fill(previous)",
                 id="bottom-tag-fill-previous-companion"),
    pytest.param(f"SELECT top(a, 3), c FROM sparse WHERE {W} GROUP BY time(30m) fill(7)",
                 id="top-fill-number-companion"),
    # without GROUP BY time too: 1.x's cursor reads a null aux value as fill's (fuzz 143-1115)
    pytest.param("SELECT top(usage_user, cpu, 5) FROM cpu WHERE time < '2024-01-01T02:00:45Z' "
                 "GROUP BY /o/ fill(-1) ORDER BY time DESC",
                 id="top-tag-fill-number-companion-without-time"),
    pytest.param("SELECT top(usage_user, cpu, 5) FROM cpu WHERE time < '2024-01-01T02:00:45Z' "
                 "fill(previous) ORDER BY time DESC",
                 id="top-tag-fill-previous-companion-without-time"),
    pytest.param("SELECT top(a, 3), c FROM sparse fill(7)",
                 id="top-fill-number-companion-without-time"),
    # counters' two hosts tie on bytes (1.25) at 00:00: 1.x's reducer heap and its unstable
    # sort order them, fed by time then tag values (with tags) or in read order (fuzz 114-822)
    pytest.param("SELECT bottom(bytes, host, 3) FROM counters WHERE time < '2024-01-01T02:00:00Z'"
                 " AND time > '2023-12-31 23:30:00' GROUP BY time(1d, 30s)",
                 id="bottom-tag-tie-value-and-time"),
    pytest.param("SELECT top(bytes, host, 2) FROM counters WHERE time < '2024-01-01T00:00:30Z'"
                 " AND time > '2023-12-31 23:30:00' ORDER BY time DESC",
                 id="top-tag-tie-value-and-time-desc"),
    # gauge's b, c, d tie at 10 on 00:10 once cast, a's max (9) is older: 1.x feeds its reducer
    # the maxima by time ascending even under DESC, so a goes first and c replaces it (803-73)
    pytest.param("SELECT top(v::integer, id, 2) FROM gauge WHERE time < '2024-01-01 02:00:00'"
                 " ORDER BY time DESC",
                 id="top-tag-tie-desc-fed-oldest-first"),
    pytest.param("SELECT bottom(bytes, 2), host FROM counters WHERE time < '2024-01-01T02:00:00Z'"
                 " AND time > '2023-12-31 23:30:00' GROUP BY time(1d, 30s)",
                 id="bottom-tie-value-and-time-read-order"),
    pytest.param("SELECT bottom(bytes, 3), host FROM counters WHERE bytes < 2",
                 id="bottom-ties-heap-order"),
    pytest.param(f"SELECT first(usage_user) {CW}", id="first"),
    pytest.param(f"SELECT first(message) FROM events WHERE {W}", id="first-string"),
    pytest.param(f"SELECT first(usage_user) {CW} GROUP BY host", id="first-by-host"),
    pytest.param(f"SELECT first(usage_user) {CW} GROUP BY time(30m)", id="first-by-time"),
    pytest.param(f"SELECT last(usage_user) {CW}", id="last"),
    # every cpu series has a point at the selected time: whose companions 1.x answers
    pytest.param(f"SELECT last(usage_user), host, cpu {CW}", id="last-companions-series-tie"),
    pytest.param(f"SELECT first(usage_user), host {CW} GROUP BY region",
                 id="first-companions-series-tie-by-tag"),
    # more ties: 1.x lets two of the tied points through its merge heap, then keeps the larger
    pytest.param(f"SELECT first(temp), region {CW}", id="first-series-tie-companion-region"),
    pytest.param(f"SELECT last(usage_user) {CW} GROUP BY region", id="last-series-tie-by-region"),
    # server02 has no usage_idle at 01:59: its 01:58 point still sits in the heap
    pytest.param(f"SELECT last(usage_idle), host, cpu {CW}", id="last-series-tie-field-gap"),
    pytest.param(f"SELECT first(usage_user), last(usage_system) {CW} GROUP BY region",
                 id="first-last-series-tie-by-region"),
    pytest.param(f"SELECT last(usage_user), host, cpu {CW} GROUP BY time(30m), region",
                 id="last-series-tie-by-time-region"),
    pytest.param(f"SELECT last(used), host FROM mem WHERE {W}", id="last-integer-series-tie"),
    # gauge: id=a's newest point lacks v, yet its older v still enters 1.x's choice between
    # the three series tied on the latest time (the recent-window read must not skip it)
    pytest.param("SELECT last(v) FROM gauge", id="last-series-tie-newest-lacks-field"),
    pytest.param(f"SELECT last(v) FROM gauge WHERE {W} GROUP BY nosuchtag",
                 id="last-series-tie-newest-lacks-field-by-tag"),
    pytest.param("SELECT last(v), w FROM gauge", id="last-series-tie-newest-lacks-field-aux"),
    pytest.param("SELECT last(v) FROM gauge WHERE id != 'd'",
                 id="last-series-tie-newest-lacks-field-where"),
    # beside other aggregates (no GROUP BY time) 1.x picks between tied series as alone
    pytest.param(f"SELECT last(v), mean(v) FROM gauge WHERE {W}", id="last-beside-mean-series-tie"),
    pytest.param("SELECT last(v), max(v) FROM gauge WHERE id != 'a'",
                 id="last-beside-max-series-tie"),
    pytest.param(f"SELECT first(temp), last(temp), spread(temp) {CW}",
                 id="first-last-beside-spread-series-tie"),
    pytest.param(f"SELECT first(usage_user), sum(usage_user) {CW} GROUP BY region",
                 id="first-beside-sum-series-tie-by-region"),
    pytest.param(f"SELECT last(v) * 2, count(v) FROM gauge WHERE {W} GROUP BY nosuchtag",
                 id="last-math-beside-count-series-tie"),
    pytest.param(f"SELECT last(ok) FROM events WHERE {W} GROUP BY level", id="last-bool"),
    pytest.param(f"SELECT last(*) FROM mem WHERE {W} GROUP BY host", id="last-star"),
    pytest.param("SELECT last(usage_user) FROM cpu WHERE host = 'server01' AND cpu = 'cpu0'",
                 id="last-unbounded"),
    pytest.param(f"SELECT max(usage_user) {CW}", id="max"),
    pytest.param(f"SELECT max(usage_user), host, cpu {CW}", id="max-with-tags"),
    pytest.param(f"SELECT max(usage_user), usage_system {CW} GROUP BY host",
                 id="max-with-field"),
    pytest.param(f"SELECT max(usage_user), * {C1}", id="max-with-star"),
    pytest.param(f"SELECT max(used) FROM mem WHERE {W} GROUP BY time(30m), host",
                 id="max-ints-by-time"),
    pytest.param(f"SELECT max(usage_user) {CW} GROUP BY time(30m), host fill(none)",
                 id="max-by-time-host"),
    pytest.param(f"SELECT min(usage_user) {CW}", id="min"),
    pytest.param(f"SELECT min(temp), max(temp) {CW} GROUP BY host", id="min-max"),
    pytest.param(f"SELECT min(temp), max(temp) {CW} GROUP BY time(1h)", id="min-max-by-time"),
    pytest.param(f"SELECT max(usage_user), min(usage_user) {C1}", id="two-selectors-raw"),
    pytest.param(f"SELECT max(usage_user), mean(usage_user) {C1}", id="selector-and-aggregate"),
    pytest.param(f"SELECT percentile(usage_user, 90) {CW}", id="percentile"),
    pytest.param(f"SELECT percentile(usage_user, 50), median(usage_user) {CW} GROUP BY host",
                 id="percentile-50-vs-median"),
    pytest.param(f"SELECT percentile(used, 0), percentile(used, 100) FROM mem WHERE {W}",
                 id="percentile-bounds"),
    pytest.param(f"SELECT percentile(used, 33.3) FROM mem WHERE {W} GROUP BY time(1h)",
                 id="percentile-float-by-time"),
    # a low rank over few points selects nothing: no point, so a series where it never
    # selects one has no rows at all whatever the fill, and beside another function it reads
    # the fill value; where it selects some, its empty buckets are filled
    pytest.param("SELECT percentile(v, 10) FROM gauge WHERE time >= '2024-01-01T00:00:00Z' "
                 "AND time <= '2024-01-01T00:12:00Z' GROUP BY time(3m), id fill(0)",
                 id="percentile-low-rank-selects-nothing"),
    pytest.param("SELECT percentile(v, 10), mean(v) FROM gauge WHERE id = 'a' AND time >= "
                 "'2024-01-01T00:00:00Z' AND time <= '2024-01-01T00:12:00Z' GROUP BY time(3m) "
                 "fill(0)", id="percentile-low-rank-beside-mean"),
    pytest.param("SELECT percentile(v, 40) FROM gauge WHERE time >= '2024-01-01T00:00:00Z' "
                 "AND time <= '2024-01-01T00:12:00Z' GROUP BY time(2m), id fill(previous)",
                 id="percentile-low-rank-fill-previous"),
    pytest.param("SELECT percentile(v, 10) FROM gauge WHERE id = 'a' AND "
                 "time >= '2024-01-01T00:00:00Z' AND time <= '2024-01-01T00:02:00Z'",
                 id="percentile-low-rank-no-group"),
    # 1.x's cursor peeks every call before its first row: when each one's first window (the
    # first series' first bucket) selects nothing, the statement answers nothing at all,
    # whatever the fill and however many later windows select; a later empty window, or a
    # first one beside a call that has a point, only leaves its bucket out or filled
    pytest.param("SELECT percentile(v, 40) FROM gauge WHERE v != 0.4 AND time >= "
                 "'2024-01-01T00:00:00Z' AND time <= '2024-01-01T00:12:00Z' "
                 "GROUP BY time(2m), id fill(-1)", id="percentile-low-rank-first-window"),
    pytest.param("SELECT percentile(v, 40) FROM gauge WHERE v != 0.4 AND time >= "
                 "'2024-01-01T00:00:00Z' AND time <= '2024-01-01T00:01:00Z' GROUP BY id",
                 id="percentile-low-rank-first-series-no-group"),
    pytest.param("SELECT percentile(v, 40) FROM gauge WHERE v != 0.1 AND v != 2.1 AND time >= "
                 "'2024-01-01T00:00:00Z' AND time <= '2024-01-01T00:12:00Z' "
                 "GROUP BY time(2m), id fill(-1)", id="percentile-low-rank-later-windows"),
    pytest.param("SELECT percentile(v, 40), percentile(v, 30) FROM gauge WHERE v != 0.4 AND "
                 "time >= '2024-01-01T00:00:00Z' AND time <= '2024-01-01T00:12:00Z' "
                 "GROUP BY time(2m), id fill(none)", id="percentile-low-rank-first-window-both"),
    pytest.param("SELECT percentile(v, 40), percentile(v, 60) FROM gauge WHERE v != 0.4 AND "
                 "time >= '2024-01-01T00:00:00Z' AND time <= '2024-01-01T00:12:00Z' "
                 "GROUP BY time(2m), id fill(none)", id="percentile-low-rank-first-window-one"),
    # the cursor walks only the series SLIMIT/SOFFSET leave: the first window is the page's
    # first series' (cpu0 selects at 00:01, server04's series without `cpu` would not),
    # under a subquery too, paged by its parent's GROUP BY (style fuzz 464-277)
    pytest.param("SELECT percentile(usage_idle, 20) FROM cpu WHERE time >= 1704067200456ms "
                 "AND time <= 1704074400456ms GROUP BY time(20s), cpu SLIMIT 1 SOFFSET 1",
                 {"epoch": "ms"}, id="percentile-low-rank-slimit-first-window"),
    pytest.param("SELECT percentile(usage_idle, 20) FROM cpu WHERE time >= 1704067200456ms "
                 "AND time <= 1704074400456ms GROUP BY time(20s), cpu SLIMIT 2",
                 {"epoch": "ms"}, id="percentile-low-rank-slimit-first-window-unpaged"),
    pytest.param("SELECT percentile(usage_idle, 20) FROM cpu WHERE time >= 1704067200456ms "
                 "AND time <= 1704074400456ms GROUP BY time(20s), cpu fill(none) "
                 "SLIMIT 2 SOFFSET 1", {"epoch": "ms"},
                 id="percentile-low-rank-slimit-first-window-fill-none"),
    pytest.param("SELECT count(a) FROM (SELECT percentile(usage_idle, 20) AS a FROM cpu "
                 "WHERE time >= 1704067200456ms AND time <= 1704074400456ms "
                 "GROUP BY time(20s), cpu fill(2.5)) GROUP BY cpu SLIMIT 3 SOFFSET 1",
                 id="percentile-low-rank-slimit-first-window-subquery"),
    # beside raw transformations, whose points keep the cursor reading, a first series where
    # percentile() selects nothing ends nothing: a later series' percentile row stands
    # (fuzz 322-646)
    pytest.param("SELECT percentile(latency, 5), difference(code) FROM events WHERE "
                 "source = 'app' AND time >= '2024-01-01T00:00:00Z' AND "
                 "time <= '2024-01-01T02:00:00Z' GROUP BY level",
                 id="percentile-low-rank-first-series-beside-transform"),
    pytest.param("SELECT chande_momentum_oscillator(code, 5), percentile(latency, 5), "
                 "elapsed(code, 1m) FROM events WHERE level !~ /war/ AND "
                 "time >= '2024-01-01T00:00:00Z' AND time <= '2024-01-01T02:00:00Z' GROUP BY *",
                 id="percentile-low-rank-first-series-beside-transforms"),
    # without a fill iterator (fill(none); a subquery's fill(null) is none) 1.x's cursor ends
    # at the first step where every call's window selects nothing: later windows and series
    # are never read
    pytest.param(f"SELECT percentile(inodes, 20) {DISK} "
                 "GROUP BY time(10m) fill(none)", id="percentile-low-rank-window-ends-read"),
    pytest.param(f"SELECT percentile(inodes, 40) {DISK} "
                 "GROUP BY time(30m), path fill(none)",
                 id="percentile-low-rank-window-ends-series"),
    pytest.param(f"SELECT percentile(inodes, 20), percentile(inodes, 90) {DISK} "
                 "GROUP BY time(10m) fill(none)", id="percentile-low-rank-window-beside-other"),
    pytest.param(f"SELECT a FROM (SELECT percentile(inodes, 20) AS a {DISK} "
                 "GROUP BY time(1m, 3m))", id="percentile-low-rank-window-ends-subquery"),
    pytest.param(f"SELECT percentile(inodes, 20) {DISK} "
                 "GROUP BY time(10m)", id="percentile-low-rank-window-filled-read-on"),
    # one scan where every call finds nothing only ends a batch of rows: 1.x's executor asks
    # again, and the read ends at a second such scan in a row
    pytest.param("SELECT percentile(usage_user, 40) FROM cpu WHERE host = 'server01' AND "
                 "usage_user > 40 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' GROUP BY time(4m) fill(none)",
                 id="percentile-low-rank-window-one-nothing-reads-on"),
    pytest.param("SELECT percentile(usage_user, 20), percentile(usage_system, 60) FROM cpu "
                 "WHERE usage_user > 40 AND usage_system > 10 AND time >= '2024-01-01T00:00:00Z' "
                 "AND time < '2024-01-01T01:00:00Z' GROUP BY time(3m), host fill(none)",
                 id="percentile-low-rank-window-two-calls-read-on"),
    # fill(linear) reads a window that selects nothing as 1.x's fill iterator does: a nil in
    # place of a point, used up by the peek for the next point, which leaves a bucket null
    # (fuzz 128-598)
    pytest.param("SELECT percentile(inodes, 20) + 0.5, log2(abs(integral(used_percent, 1s)) + "
                 "2), mean(used_percent) FROM disk WHERE (inodes >= 500 OR path = '/var') AND "
                 "time >= '2023-12-24T00:00:00Z' AND time <= 1704078000000000000 "
                 "GROUP BY time(13m, 30s) fill(linear)", {"epoch": "u"},
                 id="percentile-low-rank-fill-linear-nil-window"),
    pytest.param("SELECT percentile(usage_user, 20) FROM cpu WHERE host = 'server02' AND "
                 "usage_user > 20 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' GROUP BY time(3m) fill(linear) ORDER BY time DESC",
                 id="percentile-low-rank-fill-linear-nil-windows-desc"),
    # a subquery's windows are its parent's GROUP BY tags and time (1.x hands them down), each
    # of its own groups reduced inside: a window selects nothing only when none of them
    # selects (fuzz 125-1481, 129-76)
    pytest.param("SELECT last(a) FROM (SELECT percentile(temp, 20) AS a FROM cpu WHERE "
                 "time >= '2024-01-01T00:07:30Z' AND time <= '2024-01-01T02:00:00Z' "
                 "GROUP BY time(1m), cpu)", id="percentile-low-rank-subquery-windows-by-parent"),
    pytest.param("SELECT * FROM (SELECT percentile(temp, 20) AS a FROM cpu WHERE "
                 "time >= '2024-01-01T00:07:30Z' AND time <= '2024-01-01T02:00:00Z' "
                 "GROUP BY time(1m), cpu) ORDER BY time DESC",
                 id="percentile-low-rank-subquery-windows-by-parent-desc"),
    pytest.param("SELECT count(a), count(b) FROM (SELECT percentile(temp, 20) AS a, "
                 "percentile(usage_user, 40) AS b FROM cpu WHERE time >= '2024-01-01T00:07:30Z' "
                 "AND time <= '2024-01-01T02:00:00Z' GROUP BY time(1m), cpu)",
                 id="percentile-low-rank-subquery-windows-two-calls"),
    pytest.param("SELECT spread(a) FROM (SELECT percentile(usage_idle, 20) AS a FROM cpu "
                 "WHERE usage_idle != 10 AND time > '2024-01-01T00:13:00Z' AND "
                 "time < '2024-01-10T01:00:00Z' GROUP BY time(1w, 1m), /o/)",
                 id="percentile-low-rank-subquery-windows-regex-group"),
    # ...and its cursor takes the least (series, time) of the calls' next points: a call
    # whose next point is a later window's of an earlier series answers a row of its own,
    # back in time, before the other call's earlier window (newest first, the greatest
    # taken under DESC); beside another aggregate too
    pytest.param("SELECT * FROM (SELECT percentile(usage_user, 20) AS a, "
                 "percentile(usage_system, 10) AS b FROM cpu WHERE usage_user > 20 AND "
                 "usage_system > 5 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' GROUP BY time(3m), host)",
                 id="percentile-subquery-cursor-reads-ahead"),
    pytest.param("SELECT a, b FROM (SELECT percentile(usage_user, 20) AS a, "
                 "percentile(usage_idle, 30) AS b FROM cpu WHERE usage_user > 30 AND "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(3m), host) ORDER BY time DESC",
                 id="percentile-subquery-cursor-reads-ahead-desc"),
    pytest.param("SELECT a, b FROM (SELECT count(usage_system) AS b, percentile(usage_idle, 10) "
                 "AS a FROM cpu WHERE usage_user > 20 AND usage_system > 5 AND "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(3m), cpu)", id="percentile-subquery-cursor-beside-count"),
    pytest.param("SELECT * FROM (SELECT percentile(usage_idle, 90) AS a, "
                 "percentile(usage_user, 30) AS b FROM cpu WHERE usage_system > 10 AND "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(3m), cpu) GROUP BY region",
                 id="percentile-subquery-cursor-parent-groups"),
    # the cursor compares the points' whole tag sets (host before region here): b's eu rows
    # (server04) use up two of a's nils each, then a's us-west points (server01) come first;
    # a raw parent answers each change of group as a series of its own (eu, us-west, eu,
    # us-east, us-west), its limit counting each afresh
    *(pytest.param(f"SELECT {fields} FROM (SELECT percentile(usage_user, 20) AS a, "
                   "percentile(usage_idle, 30) AS b FROM cpu WHERE "
                   "time >= '2024-01-01T00:28:00Z' AND time < '2024-01-01T00:55:00Z' "
                   f"GROUP BY time(2m), host){where} GROUP BY region{tail}",
                   id=f"percentile-subquery-cursor-parent-groups-interleaved{ident}")
      for fields, where, tail, ident in (("*", "", "", ""),
                                         ("a, b", "", " LIMIT 3 OFFSET 2", "-limit-offset"),
                                         ("b", " WHERE b > 50", "", "-condition"),
                                         ("a", "", " OFFSET 5", "-offset"))),
    # under ORDER BY time DESC the cursor takes the greatest of the calls' next points,
    # windows newest first: server02's 00:27 row of a alone comes after us-east's b rows,
    # and the raw parent answers each stretch of one group as a series of its own too
    *(pytest.param(f"SELECT {fields} FROM (SELECT percentile(usage_system, 40) AS a, "
                   "percentile(temp, 20) AS b FROM cpu WHERE "
                   "time >= '2024-01-01T00:28:00Z' AND time < '2024-01-01T01:00:00Z' "
                   f"GROUP BY time(3m), host) GROUP BY region ORDER BY time DESC{tail}",
                   id=f"percentile-subquery-cursor-parent-groups-interleaved-desc{ident}")
      for fields, tail, ident in (("*", "", ""),
                                  ("a, b", " LIMIT 3 OFFSET 2", "-limit-offset"),
                                  ("a", " OFFSET 5", "-offset"))),
    pytest.param("SELECT * FROM (SELECT percentile(usage_user, 80) AS a, "
                 "percentile(usage_idle, 20) AS b FROM cpu WHERE "
                 "time >= '2024-01-01T00:10:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(4m), host) GROUP BY region ORDER BY time DESC",
                 id="percentile-subquery-cursor-parent-groups-interleaved-desc-first-bucket"),
    # ...where a parent's reducer reads b, a's us-west rows (b null) are nil points to it,
    # skipped before the window's group is checked: eu's window stays open across them
    *(pytest.param(f"SELECT {call}(b) FROM (SELECT percentile(usage_user, 20) AS a, "
                   "percentile(usage_idle, 30) AS b FROM cpu WHERE "
                   "time >= '2024-01-01T00:28:00Z' AND time < '2024-01-01T00:55:00Z' "
                   "GROUP BY time(2m), host) GROUP BY region",
                   id=f"percentile-subquery-cursor-parent-groups-{call}-skips-nulls")
      for call in ("spread", "count", "median")),
    # each call windows its own column: count(a) and count(b) close their windows apart
    *(pytest.param(f"SELECT {call}(a), {call}(b) FROM (SELECT percentile(usage_user, 20) "
                   "AS a, percentile(usage_idle, 30) AS b FROM cpu WHERE "
                   "time >= '2024-01-01T00:28:00Z' AND time < '2024-01-01T00:55:00Z' "
                   "GROUP BY time(2m), host) GROUP BY region",
                   id=f"percentile-subquery-cursor-parent-groups-{call}-two-columns")
      for call in ("spread", "count")),
    # a parent's transformations read the subquery through a merge iterator, which drops it
    # at its first nil: the first scan where every call finds nothing ends the read, no
    # second scan (fuzz 180-764, 190-628); a raw parent or an aggregate reads on
    pytest.param("SELECT chande_momentum_oscillator(a, 5, 0) FROM (SELECT "
                 "percentile(usage_system, 5) AS a FROM cpu WHERE "
                 "time >= '2023-12-24T00:00:00Z' AND time < 1704078000s GROUP BY time(90m), "
                 "region) GROUP BY region", id="percentile-low-rank-subquery-transform-ends"),
    pytest.param("SELECT cumulative_sum(a) FROM (SELECT percentile(usage_system, 5) AS a "
                 "FROM cpu WHERE time >= '2023-12-24T00:00:00Z' AND time < 1704078000s "
                 "GROUP BY time(90m), cpu) GROUP BY cpu",
                 id="percentile-low-rank-subquery-transform-ends-middle"),
    pytest.param("SELECT derivative(a), moving_average(a, 2) FROM (SELECT "
                 "percentile(usage_system, 5) AS a FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:05:00Z' "
                 "GROUP BY time(10m, 5m), host) GROUP BY host ORDER BY time DESC",
                 id="percentile-low-rank-subquery-transforms-end-desc"),
    pytest.param("SELECT a FROM (SELECT percentile(usage_system, 5) AS a FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:10:00Z' "
                 "GROUP BY time(10m, 5m), host) GROUP BY host",
                 id="percentile-low-rank-subquery-raw-reads-on"),
    # a raw parent's limit iterator hands the subquery's nil between two batches on: an
    # OFFSET that skips the first batch, or a condition that empties one, leaves a nil with
    # no row before it, which ends the read (fuzz 468-96)
    pytest.param("SELECT a FROM (SELECT percentile(usage_idle, 5) AS a FROM cpu "
                 "GROUP BY time(2m)) WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:10:00Z' OFFSET 1",
                 id="percentile-low-rank-subquery-raw-offset-ends"),
    pytest.param("SELECT a, a / a FROM (SELECT percentile(usage_idle, 5) AS a FROM cpu "
                 "GROUP BY time(2m)) WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:10:00Z' GROUP BY * LIMIT 10 OFFSET 1",
                 id="percentile-low-rank-subquery-raw-limit-offset-ends"),
    pytest.param("SELECT a FROM (SELECT percentile(usage_idle, 5) AS a FROM cpu "
                 "GROUP BY time(2m)) WHERE a < 40 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:10:00Z'",
                 id="percentile-low-rank-subquery-raw-condition-ends"),
    pytest.param("SELECT a FROM (SELECT percentile(usage_idle, 30) AS a FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:10:00Z' "
                 "GROUP BY time(90s), host) GROUP BY host OFFSET 1",
                 id="percentile-low-rank-subquery-raw-offset-by-host"),
    pytest.param("SELECT a, host FROM (SELECT percentile(usage_idle, 30) AS a FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:20:00Z' "
                 "GROUP BY time(90s), host, region) GROUP BY region LIMIT 2",
                 id="percentile-low-rank-subquery-raw-limit-windows-span-series"),
    pytest.param("SELECT a FROM (SELECT percentile(usage_idle, 30) AS a FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:20:00Z' "
                 "GROUP BY time(90s), host, region) GROUP BY * LIMIT 2",
                 id="percentile-low-rank-subquery-raw-limit-by-every-tag"),
    # ...under ORDER BY time DESC the batches come newest first, the series last first
    pytest.param("SELECT a FROM (SELECT percentile(usage_idle, 5) AS a FROM cpu "
                 "GROUP BY time(2m)) WHERE a < 40 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:10:00Z' ORDER BY time DESC",
                 id="percentile-low-rank-subquery-raw-condition-ends-desc"),
    pytest.param("SELECT a, host FROM (SELECT percentile(usage_idle, 30) AS a FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:20:00Z' "
                 "GROUP BY time(90s), host, region) WHERE a > 50 GROUP BY region "
                 "ORDER BY time DESC", id="percentile-low-rank-subquery-raw-condition-desc-tags"),
    # not yet (pending): a condition that empties a batch under a parent's reducers, which
    # 1.x then reads as two nils in a row
    pytest.param("SELECT count(a) FROM (SELECT percentile(usage_idle, 5) AS a FROM cpu "
                 "GROUP BY time(2m)) WHERE a < 40 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:10:00Z'",
                 id="percentile-low-rank-subquery-count-condition-empties-batch"),
    # the parent's condition filters the subquery's rows before its reducers read them: a
    # batch it empties leaves two nils in a row, which close the reducers' windows and end
    # the read where nothing came between (`subquery_batches.py`)
    pytest.param("SELECT spread(a) FROM (SELECT percentile(requests, 5) AS a FROM counters "
                 "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(4m30s)) WHERE a > 3",
                 id="percentile-low-rank-subquery-spread-condition-batches"),
    pytest.param("SELECT count(a) FROM (SELECT percentile(requests, 5) AS a FROM counters "
                 "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(4m30s)) WHERE a > 3",
                 id="percentile-low-rank-subquery-count-condition-stretches"),
    pytest.param("SELECT count(a), max(a) FROM (SELECT percentile(usage_idle, 20) AS a FROM cpu "
                 "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(90s), host) WHERE a < 60 GROUP BY host",
                 id="percentile-low-rank-subquery-condition-ends-read-by-tag"),
    pytest.param("SELECT median(a) FROM (SELECT percentile(usage_idle, 20) AS a FROM cpu "
                 "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(90s), /o/) WHERE a < 50",
                 id="percentile-low-rank-subquery-median-condition-ends-read"),
    pytest.param("SELECT count(a) FROM (SELECT percentile(usage_idle, 5) AS a FROM cpu "
                 "GROUP BY time(2m)) WHERE a > 40 AND time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:10:00Z'",
                 id="percentile-low-rank-subquery-condition-empties-first-batch"),
    # a group holding a value before the parent's lower bound ends the read (us-west here:
    # server01's 00:00 bucket); the groups read before it keep their batches, us-east's
    # nil at 00:48 (server03's gap) still closing spread()'s window
    pytest.param("SELECT spread(a) FROM (SELECT percentile(usage_idle, 40) AS a FROM cpu "
                 "GROUP BY time(3m), host) WHERE a <> 76.42 AND a <> 35.19 AND "
                 "time >= '2024-01-01T00:01:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY region", id="percentile-low-rank-subquery-early-group-keeps-batches"),
    pytest.param("SELECT spread(a) FROM (SELECT percentile(usage_idle, 40) AS a FROM cpu "
                 "GROUP BY time(3m), host, region) WHERE a <> 76.42 AND a <> 35.19 AND "
                 "time >= '2024-01-01T00:01:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY region",
                 id="percentile-low-rank-subquery-early-group-keeps-batches-by-region"),
    # median(), spread() and the like reduce the subquery's cursor as they read it: a scan
    # that finds nothing (one window selecting nothing) closes their window, a row per
    # batch; count() and mean() reduce the batches again, the whole read's answer
    # (fuzz 352-129, 356-1047)
    pytest.param("SELECT spread(a) FROM (SELECT percentile(requests, 5) AS a FROM counters "
                 "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(4m30s))", id="percentile-low-rank-subquery-spread-per-batch"),
    pytest.param("SELECT median(a), stddev(a) FROM (SELECT percentile(requests, 5) AS a "
                 "FROM counters WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' GROUP BY time(4m30s)) LIMIT 3 OFFSET 2",
                 id="percentile-low-rank-subquery-median-per-batch-limit"),
    pytest.param("SELECT distinct(a) FROM (SELECT percentile(requests, 5) AS a FROM counters "
                 "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(4m30s))", id="percentile-low-rank-subquery-distinct-per-batch"),
    pytest.param("SELECT bottom(a, 2) FROM (SELECT percentile(requests, 5) AS a "
                 "FROM counters WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' GROUP BY time(4m30s))",
                 id="percentile-low-rank-subquery-bottom-per-batch"),
    pytest.param("SELECT count(a), mean(a) FROM (SELECT percentile(requests, 5) AS a "
                 "FROM counters WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' GROUP BY time(4m30s))",
                 id="percentile-low-rank-subquery-count-whole-read"),
    pytest.param("SELECT spread(a) FROM (SELECT percentile(usage_idle, 20) AS a FROM cpu "
                 "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(90s), /o/)",
                 id="percentile-low-rank-subquery-spread-batches-across-series"),
    # a nil that closes a window is used up: only a nil read first by a reduce is a scan
    # that finds nothing, so two nils in a row after a window end no read; count() and the
    # like reduce the first reduce's windows again, which that nil read first closes
    # (fuzz 413-1137)
    pytest.param("SELECT count(a), sum(a) FROM (SELECT percentile(usage_system, 5) AS a "
                 "FROM cpu WHERE host = 'server03' AND time >= '2024-01-01T00:05:00Z' AND "
                 "time < '2024-01-01T01:10:00Z' GROUP BY time(10m, 5m))",
                 id="percentile-low-rank-subquery-count-two-nils-read-on"),
    pytest.param("SELECT spread(a) FROM (SELECT percentile(usage_system, 5) AS a FROM cpu "
                 "WHERE host = 'server03' AND time >= '2024-01-01T00:05:00Z' AND "
                 "time < '2024-01-01T01:10:00Z' GROUP BY time(10m, 5m))",
                 id="percentile-low-rank-subquery-spread-two-nils-read-on"),
    # by the parent's GROUP BY tags each group's windows are read in turn, a row per
    # stretch of a group between nils, count() too
    pytest.param("SELECT count(a) FROM (SELECT percentile(usage_system, 5) AS a FROM cpu "
                 "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:10:00Z' "
                 "GROUP BY time(10m, 5m), host) GROUP BY host",
                 id="percentile-low-rank-subquery-count-by-tag-stretches"),
    pytest.param("SELECT median(a) FROM (SELECT percentile(usage_idle, 20) AS a FROM cpu "
                 "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(90s), host) GROUP BY host",
                 id="percentile-low-rank-subquery-median-by-tag-stretches"),
    # calls of both kinds side by side: each answers its own rows (spread() one per batch,
    # max() one for the whole read), which 1.x's cursor joins by time, one of each a row
    *(pytest.param(f"SELECT {fields} FROM (SELECT percentile(requests, 5) AS a FROM "
                   "counters WHERE time >= '2024-01-01T00:00:00Z' AND "
                   f"time < '2024-01-01T01:00:00Z' GROUP BY time(4m30s)){tail}",
                   id=f"percentile-low-rank-subquery-both-kinds{ident}")
      for fields, tail, ident in (
          ("spread(a), max(a)", "", ""),
          ("count(a), median(a)", "", "-count-median"),
          ("stddev(a), count(a), median(a), sum(a)", "", "-four-calls"),
          ("spread(a), max(a)", " LIMIT 2 OFFSET 1", "-limit"),
          ("max(a), spread(a)", " WHERE time >= '2024-01-01T00:00:00Z'", "-lower-bound"),
          # math over both kinds pairs its operands' points as the cursor joins fields
          ("spread(a) - max(a)", "", "-math"),
          ("count(a) + median(a), sum(a)", "", "-math-beside-call"),
          ("spread(a) * 2 + max(a) AS x, count(a)", "", "-math-nested"),
          ("floor(spread(a)), max(a)", "", "-math-function"),
          ("spread(a) - max(a)", " LIMIT 2 OFFSET 1", "-math-limit"))),
    # a call of a wildcard or regex inside math is a field per column it matches (abs_a,
    # abs_b), beside a call of the other kind too
    *(pytest.param(f"SELECT {fields} FROM (SELECT percentile(requests, 5) AS a, max(bytes) AS b "
                   "FROM counters WHERE time >= '2024-01-01T00:00:00Z' AND "
                   "time < '2024-01-01T01:00:00Z' GROUP BY time(4m30s))",
                   id=f"percentile-low-rank-subquery-both-kinds-math-{ident}")
      for fields, ident in (("abs(count(*)), spread(a)", "wildcard"),
                            ("floor(spread(/a/)), max(a)", "regex"))),
    # under the parent's GROUP BY time a batch's rows keep their buckets: a row per batch
    # and bucket, none filled whatever fill() says; count(), max() and the like beside them
    # fill their buckets as usual, joined by the cursor, a row without their point reading
    # its default (fill()'s number, the previous value)
    *(pytest.param(f"SELECT {fields} FROM (SELECT percentile(requests, 5) AS a FROM "
                   f"counters WHERE {CTH}GROUP BY time(4m30s){inner}) WHERE {CTH}"
                   f"GROUP BY time({interval}){tail}",
                   id=f"percentile-low-rank-subquery-parent-by-time{ident}")
      for fields, inner, interval, tail, ident in (
          ("spread(a)", "", "20m", "", ""),
          ("spread(a), max(a)", "", "20m", "", "-both-kinds"),
          ("spread(a) - max(a)", "", "20m", "", "-both-kinds-math"),
          ("spread(a)", "", "20m", " fill(0)", "-fill-number"),
          ("spread(a)", "", "20m", " fill(previous)", "-fill-previous"),
          ("median(a), count(a)", "", "20m", "", "-median-count"),
          ("spread(a)", "", "20m", " LIMIT 2", "-limit"),
          ("spread(a)", "", "30m, 5m", "", "-offset"),
          ("spread(a)", ", host", "20m", ", host", "-by-host"),
          ("spread(a)", ", host", "20m", "", "-hosts-merged"),
          ("max(a)", ", host", "20m", "", "-hosts-merged-max"),
          ("spread(a)", "", "20m", " tz('Europe/Paris')", "-tz"),
          ("spread(a), max(a)", "", "20m", " fill(0)", "-both-kinds-fill-number"),
          ("spread(a), max(a)", "", "20m", " fill(previous)", "-both-kinds-fill-previous"),
          ("spread(a), max(a)", "", "20m", " fill(none)", "-both-kinds-fill-none"),
          ("spread(a), max(a)", ", host", "20m", ", host", "-both-kinds-by-host"),
          ("max(a), spread(a)", "", "30m, 5m", " LIMIT 2 OFFSET 1", "-both-kinds-limit"),
          ("median(a), count(a)", "", "20m", " fill(7)", "-median-count-fill-number"),
          # a transformation reads its call's points across the batches, several at one
          # time (derivative() and difference() keep the first of them)
          ("cumulative_sum(spread(a))", "", "20m", "", "-transform"),
          ("cumulative_sum(median(a))", "", "20m", "", "-transform-median"),
          ("difference(median(a))", "", "20m", "", "-transform-difference"),
          ("derivative(median(a))", "", "20m", "", "-transform-derivative"),
          ("non_negative_derivative(median(a), 1m)", "", "20m", "", "-transform-unit"),
          ("moving_average(median(a), 2)", "", "20m", "", "-transform-moving-average"),
          ("cumulative_sum(median(a)), cumulative_sum(max(a))", "", "20m", "",
           "-transform-both-kinds"),
          ("cumulative_sum(median(a)) AS c, difference(spread(a))", "", "20m", "",
           "-transforms-two"),
          ("cumulative_sum(median(a))", "", "20m", " LIMIT 3 OFFSET 1", "-transform-limit"),
          ("cumulative_sum(median(a))", ", host", "20m", ", host", "-transform-by-host"))),
    # past the subquery's rows max() fills its buckets as usual (spread() answers none), and
    # tz() aligns the buckets to the zone's offset (+05:30: on the half hour)
    *(pytest.param(f"SELECT {fields} FROM (SELECT percentile(requests, 5) AS a FROM "
                   f"counters WHERE {CT2H}GROUP BY time(4m30s)) WHERE {CT2H}"
                   f"GROUP BY time({interval}){tail}",
                   id=f"percentile-low-rank-subquery-parent-by-time-{ident}")
      for fields, interval, tail, ident in (
          ("max(a)", "1h, 30m", "", "max-fills-past-rows"),
          ("spread(a)", "20m", "", "spread-fills-nothing-past-rows"),
          ("spread(a)", "1h", " tz('Asia/Kolkata')", "tz-half-hour"),
          # max() fills the buckets past the rows, spread() reading the cursor's default
          ("spread(a), max(a)", "20m", "", "both-kinds-fills-past-rows"),
          ("spread(a), max(a)", "20m", " fill(previous)", "both-kinds-previous-past-rows"),
          ("spread(a) - max(a)", "20m", " fill(1)", "both-kinds-math-fill-number"),
          # each transformation reads its own call's points: max()'s filled nulls are none
          ("cumulative_sum(median(a)), cumulative_sum(max(a))", "20m", "",
           "transform-both-kinds-past-rows"),
          ("cumulative_sum(mean(a)), difference(median(a))", "20m", "",
           "transform-both-kinds-own-points"),
          ("difference(median(a)), cumulative_sum(max(a))", "20m", " fill(none)",
           "transform-both-kinds-fill-none"))),
    # a multi-row selector's rows come bucket by bucket, then series by series, each series'
    # points ascending; a parent's GROUP BY time that merges the series reduces each run of
    # one of its buckets in that order apart (a row per run)
    *(pytest.param(f"SELECT {fields} FROM (SELECT sample(used, 5) AS s, max(used) AS m "
                   "FROM mem WHERE time >= '2024-01-01T00:00:00Z' AND "
                   "time < '2024-01-01T01:00:00Z' GROUP BY time(20m), host) WHERE "
                   "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                   f"GROUP BY time({interval}){tail}", id=f"subquery-sample-parent-by-time-{ident}")
      for fields, interval, tail, ident in (
          ("sum(s)", "10m", " fill(none)", "runs"),
          ("sum(s), count(m)", "10m", "", "runs-beside-count"),
          ("mean(s)", "30m", "", "runs-across-buckets"))),
    # ...and 1.x's fill iterator expects one bucket more after each row it answers: it fills
    # from the range's start up to a row that comes later, passes a row going back, and past
    # the last row fills up to the range's end only if the expected bucket is still in it
    *(pytest.param(f"SELECT {fields} FROM (SELECT sample(used, 5) AS s, max(used) AS m "
                   "FROM mem WHERE time >= '2024-01-01T00:00:00Z' AND "
                   "time < '2024-01-01T01:00:00Z' GROUP BY time(20m), host) WHERE "
                   f"{where} GROUP BY time(10m){tail}",
                   id=f"subquery-sample-parent-by-time-runs-{ident}")
      for fields, where, tail, ident in (
          ("sum(s)", "time >= '2023-12-31T23:00:00Z' AND time < '2024-01-01T02:00:00Z'",
           " fill(3)", "fill-past-rows"),
          ("sum(s)", "time >= '2023-12-31T23:00:00Z' AND time < '2024-01-01T05:00:00Z'",
           "", "fill-to-range-end"),
          ("count(s), first(s)", "time >= '2024-01-01T00:00:00Z' AND "
           "time < '2024-01-01T01:00:00Z' AND s > 1100", "", "condition-count-fills-zero"),
          ("sum(s)", "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
           "AND s > 1300", " fill(previous) LIMIT 5 OFFSET 2", "fill-previous-paged"),
          # beside a call of another column, reduced as usual and joined by time: where it
          # has no point the row reads fill()'s number, or its previous value; each call's
          # rows are paged before the join
          ("sum(s), max(m)", "time >= '2023-12-31T23:00:00Z' AND time < '2024-01-01T02:00:00Z'",
           " fill(7)", "beside-max-fill-number"),
          ("count(s), first(m)", "time >= '2023-12-31T23:00:00Z' AND "
           "time < '2024-01-01T02:00:00Z' AND s > 1300", " fill(previous)",
           "beside-first-fill-previous"),
          ("sum(s), count(m)", "time >= '2024-01-01T00:00:00Z' AND "
           "time < '2024-01-01T01:00:00Z'", " LIMIT 4 OFFSET 3", "beside-count-paged"))),
    # spread(), median() and the like reduce each run apart too, and to them a row without a
    # sample() point of another bucket (max()'s point of a later bucket of an earlier series,
    # which 1.x's cursor emits between a series' sample() points) ends a window: server03's
    # 00:00 bucket is two rows; the parent's condition drops such rows first
    *(pytest.param(f"SELECT {fields} FROM (SELECT sample(used, 5) AS s, max(used) AS m "
                   f"FROM mem WHERE {MEMW} GROUP BY time(20m), host) WHERE {where} "
                   f"GROUP BY time({interval}){tail}",
                   id=f"subquery-sample-parent-by-time-once-{ident}")
      for fields, where, interval, tail, ident in (
          ("spread(s)", MEMW, "10m", "", "spread"),
          ("median(s)", MEMW, "10m", " fill(none)", "median"),
          ("stddev(s)", MEMW, "10m", "", "stddev"),
          ("mode(s)", MEMW, "30m", "", "mode"),
          ("spread(s), median(s)", MEMW, "10m", " LIMIT 4 OFFSET 3", "two-paged"),
          ("spread(s), max(m)", MEMW, "10m", "", "beside-max"),
          ("spread(s)", "time >= '2023-12-31T23:00:00Z' AND time < '2024-01-01T02:00:00Z'",
           "10m", " fill(3)", "fill-number"),
          ("spread(s)", "time >= '2023-12-31T23:00:00Z' AND time < '2024-01-01T02:00:00Z'",
           "10m", " fill(previous)", "fill-previous"),
          ("spread(s)", f"s > 1100 AND {MEMW}", "10m", "", "condition"),
          ("median(s)", f"s < 1500 AND {MEMW}", "10m", " fill(0)", "condition-fill"),
          ("spread(s)", MEMW, "10m", " tz('Asia/Kolkata')", "tz"))),
    # a transformation of the calls over sample() runs reads each run's row in turn
    *(pytest.param(f"SELECT {fields} FROM (SELECT sample(used, 5) AS s, max(used) AS m "
                   f"FROM mem WHERE {MEMW} GROUP BY time(20m), host) WHERE {where} "
                   f"GROUP BY time(10m){tail}",
                   id=f"subquery-sample-parent-by-time-runs-transform-{ident}")
      for fields, where, tail, ident in (
          ("cumulative_sum(sum(s))", MEMW, "", "cumulative-sum"),
          ("difference(mean(s))", MEMW, "", "difference"),
          ("derivative(max(s))", MEMW, "", "derivative"),
          ("cumulative_sum(spread(s))", MEMW, "", "of-spread"),
          ("cumulative_sum(sum(s)), cumulative_sum(max(m))", MEMW, "", "beside-max"),
          ("cumulative_sum(sum(s))", f"s > 1100 AND {MEMW}", "", "condition"),
          ("non_negative_difference(sum(s))", MEMW, " fill(none)", "non-negative"),
          ("moving_average(sum(s), 3)", MEMW, " LIMIT 5", "moving-average-limit"))),
    # under ORDER BY time DESC the runs come buckets newest first (series and points still
    # ascending inside), the cursor taking the greatest series, then time; the fill iterator
    # expects the range's last bucket first. fill(linear) draws a line from the point it
    # answered before, filled or not, to the row it reads next
    *(pytest.param(f"SELECT {fields} FROM (SELECT sample(used, 5) AS s, max(used) AS m "
                   f"FROM mem WHERE {MEMW} GROUP BY time(20m), host) WHERE {where} "
                   f"GROUP BY time({interval}){tail}",
                   id=f"subquery-sample-parent-by-time-runs-{ident}")
      for fields, where, interval, tail, ident in (
          ("sum(s)", MEMW, "10m", " ORDER BY time DESC", "desc"),
          ("spread(s)", MEMW, "10m", " ORDER BY time DESC", "desc-once"),
          ("sum(s)", "time >= '2023-12-31T23:00:00Z' AND time < '2024-01-01T02:00:00Z'",
           "10m", " fill(3) ORDER BY time DESC", "desc-fill-number"),
          ("sum(s), count(m)", MEMW, "10m", " ORDER BY time DESC", "desc-beside-count"),
          ("sum(s), max(m)", "time >= '2023-12-31T23:00:00Z' AND time < '2024-01-01T02:00:00Z'",
           "10m", " fill(7) ORDER BY time DESC", "desc-beside-max-fill-number"),
          ("mean(s)", MEMW, "30m", " fill(none) ORDER BY time DESC LIMIT 4", "desc-limit"),
          ("median(s)", f"s < 1500 AND {MEMW}", "10m", " ORDER BY time DESC LIMIT 5 OFFSET 2",
           "desc-condition-paged"),
          ("sum(s)", "time >= '2023-12-31T23:30:00Z' AND time < '2024-01-01T01:30:00Z'",
           "10m", " fill(linear)", "fill-linear"),
          ("sum(s)", f"s > 1700 AND {MEMW}", "5m", " fill(linear)", "fill-linear-gaps"),
          ("mean(s)", f"s > 1700 AND {MEMW}", "5m", " fill(linear) ORDER BY time DESC",
           "fill-linear-desc"),
          ("count(s)", f"s > 1200 AND {MEMW}", "5m", " fill(linear)", "fill-linear-count"),
          ("mean(s), max(m)", "time >= '2023-12-31T23:30:00Z' AND "
           "time < '2024-01-01T01:30:00Z'", "10m", " fill(linear)", "fill-linear-beside-max"))),
    # a subquery's sample() beside max() or count(), read by a parent grouping by its tags
    # (each host's rows in emission order, a run apiece), fill()ed above or below
    *(pytest.param(f"SELECT {fields} FROM (SELECT sample(used, 5) AS s, {call}(used) AS m "
                   f"FROM mem WHERE {MEMW} GROUP BY time(20m), host{inner}){where} "
                   f"GROUP BY {by}", id=f"subquery-sample-beside-{ident}")
      for fields, call, inner, where, by, ident in (
          ("count(s), max(m)", "max", "", "", "host", "max-parent-by-host"),
          ("*", "max", "", "", "host", "max-parent-raw-by-host"),
          ("mean(s), max(m)", "max", "", f" WHERE {MEMW}", "time(30m), host fill(0)",
           "max-parent-by-time-and-host-fill-number"),
          ("mean(s), max(m)", "max", " fill(0)", "", "host", "max-filled-parent-by-host"),
          ("s, m", "count", " fill(3)", "", "host", "count-filled-parent-raw-by-host"))),
    pytest.param("SELECT * FROM (SELECT spread(a) - max(a), median(a) FROM (SELECT "
                 "percentile(requests, 5) AS a FROM counters WHERE time >= "
                 "'2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(4m30s)))", id="percentile-low-rank-subquery-both-kinds-math-read"),
    # with a fill: past a series' last bucket a nil of the next series' first windows ends
    # it; filling the series' empty buckets after its last window uses one nil up each
    pytest.param("SELECT cumulative_sum(a) FROM (SELECT percentile(usage_system, 5) AS a "
                 "FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T01:10:00Z' GROUP BY time(10m, 5m), host fill(0)) "
                 "GROUP BY host", id="percentile-low-rank-subquery-transform-fill-ends"),
    pytest.param("SELECT difference(a) FROM (SELECT percentile(usage_system, 5) AS a "
                 "FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T02:30:00Z' GROUP BY time(10m, 5m), host fill(previous)) "
                 "GROUP BY host", id="percentile-low-rank-subquery-transform-fill-trailing"),
    pytest.param("SELECT percentile(temp, 5) FROM cpu WHERE time > '2023-12-24T00:00:00Z' "
                 "AND time <= 1704069000s GROUP BY host, time(1d, 30s), cpu, region fill(-1)",
                 id="percentile-low-rank-first-day-bucket"),
    # a NaN computed by a transformation is answered null by 1.x's cursor, raw or grouped
    pytest.param("SELECT relative_strength_index(spread(bytes), 5) FROM counters WHERE "
                 f"host = 'server01' AND {H1} GROUP BY time(1m) fill(0)",
                 id="transform-nan-answered-null"),
    pytest.param(f"SELECT percentile(usage_user, 95), host {CW}", id="percentile-with-tag"),
    pytest.param("SELECT sample(v, 5) FROM single GROUP BY id", id="sample-all-points"),
    pytest.param(f"SELECT sample(usage_user, 200) {C1}", id="sample-more-than-points"),
    # 1.x sorts what sample() keeps by time, then by value: several series' points at one
    # time come smallest first, whatever the series (false before true, text by bytes)
    *(pytest.param(statement, id=f"sample-ties-by-value-{ident}") for statement, ident in (
        ("SELECT sample(usage_user, 1000) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
         "time < '2024-01-01T00:05:00Z'", "cpu"),
        ("SELECT sample(usage_user, 1000) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
         "time < '2024-01-01T00:05:00Z' GROUP BY time(2m)", "by-time"),
        ("SELECT sample(v, 100) FROM gauge", "gauge"),
        ("SELECT sample(u, 100), host FROM pair ORDER BY time DESC", "desc-with-tag"),
        ("SELECT sample(ok, 100) FROM pair", "boolean"),
        ("SELECT sample(u, 100), max(k) FROM pair", "beside-max"))),
    pytest.param(f"SELECT sample(used, 5) FROM mem WHERE {W} AND host = 'server02' "
                 "GROUP BY time(20m)", id="sample-by-time-all"),
    # Beside other calls sample() is an iterator of its own: its points keep their times
    # (under GROUP BY time too) and 1.x's cursor joins them to the others' rows by time, the
    # others reading the cursor's default in sample()'s extra rows. N above the points per
    # bucket keeps the sample whole, so the answer is deterministic.
    pytest.param(f"SELECT sample(usage_user, 200), max(usage_user) FROM cpu WHERE {M2B}",
                 id="sample-beside-max"),
    pytest.param(f"SELECT sample(usage_user, 200), max(usage_user) FROM cpu WHERE {M2B} "
                 "GROUP BY time(30m)", id="sample-beside-max-by-time"),
    pytest.param(f"SELECT sample(usage_user, 200), max(usage_user) FROM cpu WHERE {M2B} "
                 "GROUP BY time(30m) fill(3)", id="sample-beside-max-by-time-fill-number"),
    pytest.param(f"SELECT sample(usage_user, 200), max(usage_user) FROM cpu WHERE {M2B} "
                 "GROUP BY time(30m) ORDER BY time DESC", id="sample-beside-max-by-time-desc"),
    pytest.param(f"SELECT sample(usage_user, 200), mean(usage_user), count(usage_idle) "
                 f"FROM cpu WHERE {M2B} GROUP BY time(30m) fill(previous)",
                 id="sample-beside-mean-count-fill-previous"),
    # max()'s row at the lower bound (its bucket's start) stands apart from sample()'s first
    pytest.param("SELECT sample(usage_user, 200), max(usage_user) FROM cpu WHERE host = "
                 "'server02' AND time >= '2024-01-01T00:00:30Z' AND "
                 "time < '2024-01-01T00:10:00Z'", id="sample-beside-max-lower-bound-apart"),
    pytest.param("SELECT sample(usage_user, 200), max(usage_user) FROM cpu WHERE host = "
                 "'server02' AND time >= '2024-01-01T00:00:30Z' AND "
                 "time < '2024-01-01T00:10:00Z' GROUP BY time(5m) fill(previous) "
                 "ORDER BY time DESC", id="sample-beside-max-desc-fill-previous-bucket-start"),
    # server03's gap: max()'s filled buckets are rows, sample() reads null there
    pytest.param("SELECT sample(usage_user, 200), max(usage_user) FROM cpu WHERE host = "
                 "'server03' AND time >= '2024-01-01T00:20:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' GROUP BY time(10m)",
                 id="sample-beside-max-empty-buckets"),
    pytest.param("SELECT sample(usage_user, 200), max(usage_user) FROM cpu WHERE host = "
                 "'server03' AND time >= '2024-01-01T00:20:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' GROUP BY time(10m) fill(none)",
                 id="sample-beside-max-empty-buckets-fill-none"),
    # LIMIT cuts each call's points apart before the join: 3 of sample's, 2 buckets of max's
    pytest.param(f"SELECT sample(usage_user, 200), max(usage_user) FROM cpu WHERE {M2} "
                 "GROUP BY time(5m) LIMIT 3", id="sample-beside-max-limit-each-call"),
    # server01's two cpu series merged: two sample points at each time
    pytest.param("SELECT sample(usage_user, 200), max(usage_user) FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:03:00Z' "
                 "GROUP BY time(5m), host", id="sample-beside-max-by-host-series-merged"),
    pytest.param(f"SELECT sample(usage_user, 200), integral(usage_user) FROM cpu WHERE {M2} "
                 "GROUP BY time(5m)", id="sample-beside-integral-by-time"),
    pytest.param("SELECT sample(usage_user, 3), sample(usage_system, 200) FROM cpu WHERE "
                 "host = 'server02' AND time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:03:00Z'", id="sample-beside-sample-whole"),
    pytest.param(f"SELECT * FROM (SELECT sample(usage_user, 200), max(usage_user) FROM cpu "
                 f"WHERE {M2} GROUP BY time(5m))", id="sample-beside-max-in-subquery"),
    # a transformation beside sample() reads max()'s buckets alone, and its answer is joined
    pytest.param(f"SELECT sample(usage_user, 200), derivative(max(usage_user)) FROM cpu "
                 f"WHERE {M2} GROUP BY time(5m) fill(3)",
                 id="sample-beside-derivative-fill-number"),
    pytest.param("SELECT sample(usage_user, 200), difference(max(usage_user)) FROM cpu WHERE "
                 "host = 'server02' AND time >= '2024-01-01T00:00:30Z' AND "
                 "time < '2024-01-01T00:10:00Z' GROUP BY time(5m) fill(3) ORDER BY time DESC",
                 id="sample-beside-difference-desc-bucket-start"),
    pytest.param(f"SELECT sample(usage_user, 200), cumulative_sum(mean(usage_user)) FROM cpu "
                 f"WHERE {M2} GROUP BY time(5m) LIMIT 3", id="sample-beside-cumulative-sum-limit"),
    # ...and beside integral() too, whose rows are joined apart like sample()'s: a looking-
    # back transformation's earlier bucket keeps no sample() row, the later ones all stay
    *(pytest.param(f"SELECT {calls} FROM mem WHERE {MEM1} GROUP BY time(20m){tail}",
                   id=f"sample-beside-integral-{ident}")
      for calls, tail, ident in (
          ("sample(used, 5), integral(used), derivative(mean(used))", "", "derivative"),
          ("sample(used, 5), integral(used), cumulative_sum(max(used))", " fill(0)",
           "cumulative-sum-fill-number"),
          ("sample(used, 5), integral(used), moving_average(max(used), 2)",
           " ORDER BY time DESC", "moving-average-desc"),
          ("sample(used, 5), integral(used), non_negative_difference(max(used))",
           " fill(previous) LIMIT 4", "difference-fill-previous-limit"),
          ("sample(used, 5), integral(used), difference(max(used))",
           " fill(none) LIMIT 3 OFFSET 1", "difference-fill-none-offset"))),
    # integral() beside a transformation alone: under DESC its rows of 0 stand apart
    pytest.param(f"SELECT integral(used), derivative(max(used)) FROM mem WHERE {MEM1} "
                 "GROUP BY time(20m) ORDER BY time DESC", id="integral-beside-derivative-desc"),
    pytest.param(f"SELECT integral(used), cumulative_sum(max(used)) FROM mem WHERE {MEM1} "
                 "GROUP BY time(20m) ORDER BY time DESC",
                 id="integral-beside-cumulative-sum-desc"),
]

TRANSFORMS = [
    pytest.param(f"SELECT abs(temp) {C1} LIMIT 5", id="abs"),
    # under ORDER BY time DESC 1.x adds a float series' points newest first: the last bits
    # differ from the ascending sum, and floor()/ceil() show it (-14.000000000000002 is -15)
    pytest.param("SELECT floor(sum(temp)), ceil(sum(temp)) FROM cpu WHERE host = 'server01' "
                 f"AND cpu = 'cpu1' AND {W} GROUP BY time(10m) ORDER BY time DESC",
                 id="floor-sum-desc-newest-first"),
    pytest.param(f"SELECT floor(sum(temp)) FROM cpu WHERE host = 'server04' AND {W} "
                 "GROUP BY time(10m) ORDER BY time DESC",
                 id="floor-sum-desc-newest-first-server04"),
    pytest.param(f"SELECT floor(mean(temp) * 10) FROM cpu WHERE host = 'server01' AND "
                 f"cpu = 'cpu1' AND {W} GROUP BY time(10m) ORDER BY time DESC",
                 id="floor-mean-desc-newest-first"),
    # A transformation of a transformation reads its points (1.x chains the iterators).
    pytest.param(f"SELECT difference(derivative(mean(bytes))) {CT} AND host = 'server01' "
                 "GROUP BY time(5m)", id="transform-of-transform"),
    pytest.param(f"SELECT cumulative_sum(difference(max(requests))) {CT} GROUP BY time(5m), "
                 "host", id="transform-of-transform-by-host"),
    pytest.param(f"SELECT moving_average(derivative(mean(bytes), 1s), 2) {CT} GROUP BY "
                 "time(5m) ORDER BY time DESC", id="transform-of-transform-desc"),
    pytest.param(f"SELECT derivative(difference(mean(bytes))) * 2 {CT} GROUP BY time(7m) "
                 "fill(previous)", id="transform-of-transform-times-literal"),
    pytest.param(f"SELECT difference(derivative(mean(bytes)) + mean(bytes)) {CT} "
                 "GROUP BY time(5m) fill(linear)", id="transform-of-transform-plus-aggregate"),
    pytest.param(f"SELECT difference(derivative(bytes)) {CT} AND host = 'server01'",
                 id="raw-transform-of-transform"),
    pytest.param(f"SELECT holt_winters(derivative(mean(bytes)), 3, 1) {CT} GROUP BY time(5m)",
                 id="holt-winters-of-transform"),
    # the bucket before the range, read for the outer one, reaches the inner one too
    pytest.param("SELECT difference(cumulative_sum(spread(v))) FROM gauge WHERE "
                 "time < '2024-01-01T00:00:00Z' GROUP BY time(13m, 1m), id ORDER BY time DESC",
                 id="transform-of-transform-looks-back-desc"),
    pytest.param("SELECT cumulative_sum(derivative(mean(bytes))) FROM counters WHERE "
                 "time >= '2024-01-01T00:13:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(5m)", id="transform-of-transform-inner-looks-back"),
    # each looking-back transformation of a chain moves its argument's range one bucket more,
    # but points are read no further back than the statement's largest window or period
    # (one bucket for derivative, difference, elapsed): the buckets beyond are filled
    pytest.param("SELECT difference(moving_average(mean(usage_user), 3)) FROM cpu WHERE "
                 "host = 'server01' AND time >= '2024-01-01T00:30:00Z' AND "
                 "time < '2024-01-01T01:10:00Z' GROUP BY time(10m)",
                 id="chain-over-moving-average-reads-two-back"),
    pytest.param("SELECT moving_average(difference(mean(usage_user)), 3) FROM cpu WHERE "
                 "host = 'server01' AND time >= '2024-01-01T00:30:00Z' AND "
                 "time < '2024-01-01T01:10:00Z' GROUP BY time(10m) ORDER BY time DESC",
                 id="chain-moving-average-outer-reads-two-ahead-desc"),
    pytest.param("SELECT difference(difference(count(bytes))) FROM counters WHERE "
                 "host = 'server01' AND time >= '2024-01-01T00:17:00Z' AND "
                 "time < '2024-01-01T00:40:00Z' GROUP BY time(5m)",
                 id="chain-fills-two-back-reads-one"),
    pytest.param("SELECT derivative(derivative(mean(bytes), 1s), 1s) FROM counters WHERE "
                 "time >= '2024-01-01T00:07:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(5m), host fill(linear)", id="chain-derivatives-partial-bucket"),
    pytest.param("SELECT exponential_moving_average(exponential_moving_average(count(bytes), "
                 "2, 0), 2, 0), moving_average(difference(difference(max(bytes))), 2) FROM "
                 "counters WHERE host = 'server01' AND time >= '2024-01-01T00:17:00Z' AND "
                 "time < '2024-01-01T00:40:00Z' GROUP BY time(5m)",
                 id="chain-period-maps-range-for-every-call"),
    # only the calls a looking-back transformation reads get the bucket before the range:
    # the other calls' partial first bucket (last, under DESC) holds the range's points only
    pytest.param("SELECT cumulative_sum(min(usage_user)), moving_average(mean(usage_system), 5) "
                 "FROM cpu WHERE host = 'server01' AND time >= '2024-01-01T00:07:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' GROUP BY time(10m)",
                 id="shared-read-range-partial-first-bucket"),
    pytest.param("SELECT min(usage_user), derivative(min(usage_user)) FROM cpu WHERE "
                 "time >= '2024-01-01T00:07:00Z' AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(10m), host fill(0)", id="shared-read-range-same-aggregate"),
    pytest.param("SELECT count(usage_user), difference(count(usage_user)) FROM cpu WHERE "
                 "host = 'server01' AND time >= '2024-01-01T00:07:00Z' AND "
                 "time < '2024-01-01T00:53:00Z' GROUP BY time(10m) ORDER BY time DESC",
                 id="shared-read-range-desc"),
    pytest.param("SELECT count(usage_user) + derivative(count(usage_user)) FROM cpu WHERE "
                 "host = 'server01' AND time >= '2024-01-01T00:07:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' GROUP BY time(10m)", id="shared-read-range-math"),
    # Math over a transformation (Telegraf dashboards' bits per second).
    pytest.param(f"SELECT non_negative_derivative(max(bytes), 1s) * 8 {CT} GROUP BY time(10m), "
                 "host fill(null)", id="transform-times-literal"),
    pytest.param(f"SELECT non_negative_derivative(max(bytes), 1s) * 8 {CT} GROUP BY time(10m), "
                 "host ORDER BY time DESC", id="transform-times-literal-desc"),
    pytest.param(f"SELECT 100 - moving_average(mean(temp), 3) {C1} GROUP BY time(10m)",
                 id="literal-minus-transform"),
    pytest.param(f"SELECT derivative(bytes, 1s) * 8 {CT} AND host = 'server01'",
                 id="raw-transform-times-literal"),
    pytest.param(f"SELECT derivative(max(bytes), 1s) / derivative(max(requests), 1s) {CT} AND "
                 "host = 'server01' GROUP BY time(10m)", id="transform-over-transform"),
    pytest.param(f"SELECT derivative(max(bytes), 1s) + mean(requests) {CT} AND "
                 "host = 'server01' GROUP BY time(10m)", id="transform-plus-aggregate"),
    pytest.param(f"SELECT abs(difference(last(requests))) {CT} AND host = 'server01' "
                 "GROUP BY time(10m) fill(none)", id="math-function-of-transform"),
    pytest.param(f"SELECT difference(requests) * 2, requests {CT} AND host = 'server01'",
                 id="transform-math-beside-field"),
    pytest.param(f"SELECT abs(delta) FROM mem WHERE host = 'server01' AND {W} LIMIT 5",
                 id="abs-ints"),
    pytest.param(f"SELECT acos(temp / 40), asin(temp / 40), atan(temp) {C1} LIMIT 5",
                 id="acos-asin-atan"),
    pytest.param(f"SELECT acos(temp) {C1} LIMIT 5", id="acos-out-of-domain"),
    pytest.param(f"SELECT atan2(temp, usage_user) {C1} LIMIT 5", id="atan2"),
    pytest.param(f"SELECT atan2(used, 2) FROM mem WHERE host = 'server03' AND {W} LIMIT 3",
                 id="atan2-ints"),
    pytest.param(f"SELECT ceil(usage_user), floor(usage_user), round(usage_user) {C1} LIMIT 8",
                 id="ceil-floor-round"),
    pytest.param(f"SELECT round(temp * 0.25) {C1} LIMIT 8", id="round-negative-halves"),
    pytest.param(f"SELECT cos(temp), sin(temp), tan(temp) {C1} LIMIT 5", id="cos-sin-tan"),
    pytest.param(f"SELECT exp(temp / 10), ln(usage_user + 1), log(usage_user + 1, 3) {C1} LIMIT 5",
                 id="exp-ln-log"),
    # exp() is Go's amd64 polynomial, often a unit in the last place from libm's exp (seen
    # where JSON writes the float as a whole number, compared exactly)
    pytest.param("SELECT exp(integral(used_percent) / 1000) FROM disk WHERE host = 'server01' "
                 f"AND {W} GROUP BY time(10m)", {"epoch": "ms"},
                 id="exp-go-polynomial-of-integral"),
    pytest.param(f"SELECT log2(used), log10(used) FROM mem WHERE host = 'server02' AND {W} "
                 "LIMIT 7", id="log2-log10-with-zero"),
    pytest.param(f"SELECT pow(temp, 2), pow(usage_user, 0.5), sqrt(usage_user) {C1} LIMIT 5",
                 id="pow-sqrt"),
    pytest.param(f"SELECT sqrt(temp) {C1} LIMIT 5", id="sqrt-negative"),
    pytest.param(f"SELECT abs(mean(temp)) {CW} GROUP BY time(30m)", id="abs-of-mean"),
    pytest.param(f"SELECT round(mean(usage_user)) {CW} GROUP BY time(30m), host",
                 id="round-of-mean-by-host"),
    pytest.param(f"SELECT cumulative_sum(usage_user) {C1} LIMIT 10", id="cumulative-sum"),
    pytest.param(f"SELECT cumulative_sum(used) FROM mem WHERE {W} GROUP BY host LIMIT 4",
                 id="cumulative-sum-ints"),
    pytest.param(f"SELECT cumulative_sum(mean(usage_user)) {CW} GROUP BY time(20m)",
                 id="cumulative-sum-of-mean"),
    # without a lower bound 1.x's range start, moved back a bucket, wraps: nothing answers
    pytest.param("SELECT cumulative_sum(mean(price)) FROM stock WHERE "
                 "time < '2024-01-01T00:30:00Z' GROUP BY time(10m)",
                 id="cumulative-sum-of-mean-no-lower-bound"),
    pytest.param("SELECT elapsed(min(volume), 1s), mean(volume) FROM stock WHERE "
                 "time < '2024-01-01T00:30:00Z' GROUP BY time(10m), symbol",
                 id="elapsed-of-min-no-lower-bound"),
    pytest.param("SELECT difference(mean(price)) FROM stock WHERE "
                 "time < '2024-01-01T00:30:00Z' GROUP BY time(10m) ORDER BY time DESC",
                 id="difference-of-mean-no-lower-bound-desc"),
    pytest.param(f"SELECT derivative(requests) {CT} AND host = 'server01' LIMIT 35",
                 id="derivative"),
    pytest.param(f"SELECT derivative(requests, 1m) {CT} GROUP BY host LIMIT 5",
                 id="derivative-unit"),
    pytest.param(f"SELECT derivative(mean(bytes), 1s) {CT} GROUP BY time(10m), host",
                 id="derivative-of-mean"),
    pytest.param(f"SELECT derivative(mean(usage_user)) FROM cpu WHERE host = 'server03' "
                 f"AND {W} GROUP BY time(10m)", id="derivative-over-gap"),
    pytest.param(f"SELECT derivative(mean(usage_user)) FROM cpu WHERE host = 'server03' "
                 f"AND {W} GROUP BY time(10m) fill(0)", id="derivative-fill-zero"),
    pytest.param(f"SELECT derivative(used_percent) FROM disk WHERE path = '/home' AND {W}",
                 id="derivative-irregular"),
    # Beside another function a transformation without a point in a bucket reads what 1.x's
    # cursor defaults to: fill(<number>)'s value (cast to its type), fill(previous) its own
    # last value; math over it too. LIMIT and OFFSET cut each function's points on its own.
    pytest.param(f"SELECT moving_average(mean(usage_user), 3), difference(max(usage_user)) "
                 f"FROM cpu WHERE host = 'server03' AND {W} GROUP BY time(5m) fill(100)",
                 id="transform-beside-transform-fill-number"),
    pytest.param(f"SELECT moving_average(mean(usage_user), 6) * 2, difference(count(usage_user)) "
                 f"FROM cpu WHERE host = 'server03' AND {W} GROUP BY time(5m) fill(2.5)",
                 id="transform-math-beside-transform-fill-fraction"),
    pytest.param(f"SELECT moving_average(mean(usage_user), 3), max(usage_user) FROM cpu WHERE "
                 f"host = 'server03' AND {W} GROUP BY time(5m) fill(previous) "
                 "ORDER BY time DESC", id="transform-beside-max-fill-previous-desc"),
    pytest.param(f"SELECT moving_average(mean(usage_user), 3), difference(max(usage_user)) "
                 f"FROM cpu WHERE host = 'server03' AND {W} GROUP BY time(5m) fill(null) "
                 "LIMIT 2", id="transforms-limit-each"),
    pytest.param(f"SELECT moving_average(mean(usage_user), 3), difference(max(usage_user)) "
                 f"FROM cpu WHERE host = 'server03' AND {W} GROUP BY time(5m) fill(linear) "
                 "ORDER BY time DESC LIMIT 3 OFFSET 2", id="transforms-limit-offset-each-desc"),
    pytest.param(f"SELECT mean(a) + mean(b), mean(b) FROM sparse WHERE {W} GROUP BY time(5m) "
                 "fill(none) LIMIT 2 OFFSET 2", id="aggregates-fill-none-limit-each"),
    pytest.param(f"SELECT derivative(usage_user) {C1} ORDER BY time DESC LIMIT 4",
                 id="derivative-desc"),
    pytest.param(f"SELECT difference(requests) {CT} AND host = 'server01' LIMIT 35",
                 id="difference"),
    pytest.param(f"SELECT difference(bytes) {CT} GROUP BY host LIMIT 4", id="difference-float"),
    pytest.param(f"SELECT difference(max(requests)) {CT} GROUP BY time(5m), host",
                 id="difference-of-max"),
    pytest.param(f"SELECT non_negative_derivative(requests) {CT} AND host = 'server01' "
                 "LIMIT 35", id="non-negative-derivative"),
    pytest.param(f"SELECT non_negative_derivative(max(requests), 1m) {CT} "
                 "GROUP BY time(5m), host", id="non-negative-derivative-of-max"),
    pytest.param(f"SELECT non_negative_difference(requests) {CT} AND host = 'server02' "
                 "LIMIT 45", id="non-negative-difference"),
    pytest.param(f"SELECT non_negative_difference(last(bytes)) {CT} GROUP BY time(10m), host",
                 id="non-negative-difference-of-last"),
    pytest.param(f"SELECT elapsed(usage_user) {C1} LIMIT 4", id="elapsed"),
    pytest.param(f"SELECT elapsed(message, 1s) FROM events WHERE {W} LIMIT 5",
                 id="elapsed-strings-seconds"),
    pytest.param(f"SELECT elapsed(used_percent, 1m) FROM disk WHERE {W} GROUP BY path",
                 id="elapsed-by-tag"),
    pytest.param(f"SELECT elapsed(*, 1m) FROM sparse WHERE {W} AND id = 'x'",
                 id="elapsed-star-sparse"),
    pytest.param(f"SELECT moving_average(usage_user, 3) {C1} LIMIT 6", id="moving-average"),
    pytest.param(f"SELECT moving_average(used, 4) FROM mem WHERE {W} GROUP BY host LIMIT 3",
                 id="moving-average-ints"),
    pytest.param(f"SELECT moving_average(mean(usage_user), 2) {CW} GROUP BY time(20m)",
                 id="moving-average-of-mean"),
    pytest.param(f"SELECT moving_average(mean(usage_user), 2) FROM cpu WHERE "
                 f"host = 'server03' AND {W} GROUP BY time(10m)", id="moving-average-gap"),
    pytest.param("SELECT moving_average(v, 2) FROM single GROUP BY id",
                 id="moving-average-too-few"),
    pytest.param(f"SELECT usage_user, derivative(usage_user) {C1}",
                 id="transform-with-raw-field-error"),
]

#: events over its first twenty minutes, from a bound on a point (00:00) or before any (23:59).
E20 = "FROM events WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:20:00Z'"
E20B = "FROM events WHERE time >= '2023-12-31T23:59:00Z' AND time < '2024-01-01T00:20:00Z'"
#: sparse over its first twenty minutes.
S20 = "FROM sparse WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:20:00Z'"
#: a subquery of events' maxima per source every five minutes.
EMAX = (f"FROM (SELECT max(code) AS m {E20} GROUP BY time(5m), source) "
        "WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:20:00Z'")

# Aggregates beside transformations of raw points: one row at the lower bound (1970 without
# one) beside one per point, joined on time, each call cut by LIMIT on its own.
BESIDE = [
    pytest.param(f"SELECT count(code), cumulative_sum(code) {E20}",
                 id="count-beside-cumulative-sum"),
    pytest.param(f"SELECT count(code), cumulative_sum(code) {E20} ORDER BY time DESC",
                 id="count-beside-cumulative-sum-desc"),
    pytest.param(f"SELECT count(code), cumulative_sum(code) {E20} LIMIT 2 OFFSET 1",
                 id="count-beside-cumulative-sum-offset"),
    pytest.param(f"SELECT cumulative_sum(code), count(code) {E20B} LIMIT 3",
                 id="cumulative-sum-beside-count-own-row"),
    pytest.param(f"SELECT count(code), difference(code) {E20} GROUP BY source",
                 id="count-beside-difference-by-tag"),
    pytest.param("SELECT max(usage_user), difference(usage_user) FROM cpu "
                 "WHERE host = 'server01' AND cpu = 'cpu0'", id="max-beside-difference-1970"),
    pytest.param(f"SELECT min(latency), derivative(latency, 1m), mean(code) {E20} "
                 "GROUP BY level", id="min-mean-beside-derivative"),
    pytest.param(f"SELECT last(code), difference(code) {E20B} fill(previous)",
                 id="last-beside-difference-fill-previous"),
    pytest.param(f"SELECT last(code), difference(code) {E20B} fill(previous) "
                 "ORDER BY time DESC", id="last-beside-difference-fill-previous-desc"),
    pytest.param(f"SELECT spread(latency) AS s, moving_average(latency, 3) AS s {E20}",
                 id="spread-beside-moving-average-same-alias"),
    pytest.param(f"SELECT max(m), difference(m) {EMAX} GROUP BY source",
                 id="subquery-max-beside-difference"),
    pytest.param(f"SELECT max(m), difference(m), derivative(m, 5m) {EMAX}",
                 id="subquery-max-beside-difference-merged-ties"),
    pytest.param(f"SELECT count(code), cumulative_sum(code) + 1 {E20}",
                 id="count-beside-cumulative-sum-math"),
    pytest.param(f"SELECT mean(code), difference(code) * 2 + cumulative_sum(latency) {E20} "
                 "fill(3) LIMIT 3", id="mean-beside-math-over-two-raw-calls"),
    pytest.param(f"SELECT count(code), cumulative_sum(code) + code {E20}",
                 id="count-beside-cumulative-sum-plus-field-error"),
    pytest.param(f"SELECT cumulative_sum(code) + code {E20}",
                 id="cumulative-sum-plus-field-error"),
    # count(*) and count(/re/) are one call per field beside the transformation's
    pytest.param(f"SELECT count(*), difference(code) {E20}", id="count-wildcard-beside-difference"),
    pytest.param(f"SELECT difference(code), count(/co/) {E20} GROUP BY source",
                 id="count-regex-beside-difference-by-tag"),
    pytest.param("SELECT count(*) AS c, difference(code) AS c_code, count(code) FROM events",
                 id="count-wildcard-aliases-kept-twice-1970"),
    pytest.param(f"SELECT mean(*), difference(*) {E20} LIMIT 2",
                 id="mean-wildcard-beside-difference-wildcard"),
    pytest.param(f"SELECT max(*), cumulative_sum(latency) {E20} ORDER BY time DESC LIMIT 3",
                 id="max-wildcard-skips-text-beside-cumulative-sum"),
    pytest.param("SELECT count(*), difference(code) FROM events, sparse WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:20:00Z' LIMIT 2",
                 id="count-wildcard-beside-difference-two-measurements"),
    # ...over a subquery, expanded over its rows' columns
    pytest.param(f"SELECT count(*), difference(*) FROM (SELECT code, latency {E20})",
                 id="subquery-count-wildcard-beside-difference-wildcard"),
    pytest.param(f"SELECT count(/co|la/), cumulative_sum(/co/) FROM (SELECT * {E20}) "
                 "GROUP BY source LIMIT 3", id="subquery-count-regex-beside-cumulative-sum-regex"),
    pytest.param(f"SELECT max(*), difference(m) {EMAX}",
                 id="subquery-max-wildcard-beside-difference"),
    pytest.param(f"SELECT max(*) {E20}", id="max-wildcard-skips-text"),
    # a call of a wildcard or regex inside a function's first argument, however deep, expands
    # the whole field per matching field, named `<outer>_<field>`, kinds kept by the inner call
    pytest.param("SELECT abs(count(*)) FROM pair", id="math-of-count-wildcard-expands"),
    pytest.param("SELECT pow(count(*), 2) AS p, mean(u), count(*) FROM pair",
                 id="math-of-count-wildcard-aliased-beside-others"),
    pytest.param(f"SELECT abs(max(*)), floor(mean(/co|la/)) {E20}",
                 id="math-of-wildcard-selector-and-regex-mean"),
    pytest.param("SELECT derivative(count(*)) FROM pair WHERE time >= '2024-01-01T00:00:00Z' "
                 "AND time < '2024-01-01T00:10:00Z' GROUP BY time(1m)",
                 id="derivative-of-count-wildcard-by-time"),
    pytest.param(f"SELECT abs(difference(/co/)), sqrt(abs((first(*)))) {E20}",
                 id="math-of-wildcard-transform-and-parenthesised-call"),
    # ...but not through a later argument: that call (or bare wildcard) reads no field, like
    # one the measurement lacks: alone an empty answer, beside another call `null`
    pytest.param("SELECT pow(2, count(*)) FROM mem WHERE time >= '2024-01-01T00:00:00Z' "
                 "AND time < '2024-01-01T00:30:00Z'", id="math-second-argument-wildcard-call"),
    pytest.param("SELECT pow(2, count(/u/)), mean(used) FROM mem WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z'",
                 id="math-second-argument-regex-call-beside-mean"),
    pytest.param("SELECT pow(count(used), count(*)) FROM mem WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z'",
                 id="math-second-argument-wildcard-call-beside-own-call"),
    pytest.param("SELECT mean(used), pow(2, abs(count(*))) FROM mem WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' "
                 "GROUP BY time(10m) fill(3)", id="math-second-argument-wildcard-call-by-time"),
    pytest.param("SELECT pow(2, *) FROM mem", id="math-second-argument-bare-wildcard"),
    pytest.param("SELECT atan2(used, count(*)) FROM mem", id="math-second-argument-mixing"),
    # math over an aggregate and a transformation is done on each joined row; a call without
    # a point there reads its default first (fill(3)'s 3 is doubled)
    pytest.param(f"SELECT count(code) + cumulative_sum(code) {E20}",
                 id="count-plus-cumulative-sum-row-by-row"),
    pytest.param(f"SELECT mean(code) - difference(code) {E20} ORDER BY time DESC",
                 id="mean-minus-difference-desc"),
    pytest.param(f"SELECT abs(mean(code) - difference(code)) {E20} ORDER BY time DESC LIMIT 2",
                 id="mean-minus-difference-desc-limit-each"),
    pytest.param(f"SELECT cumulative_sum(code) - count(code) * 2 {E20} fill(1) LIMIT 2",
                 id="cumulative-sum-minus-count-fill-before-math"),
    pytest.param(f"SELECT count(code) + cumulative_sum(code) {E20B} fill(previous) LIMIT 3",
                 id="count-plus-cumulative-sum-fill-previous"),
    pytest.param(f"SELECT count(code) + cumulative_sum(code) + 1 AS x, count(code) {E20} "
                 "GROUP BY source", id="count-plus-cumulative-sum-by-tag"),
    pytest.param(f"SELECT max(code) + cumulative_sum(code) {E20} LIMIT 2",
                 id="max-plus-cumulative-sum-at-lower-bound"),
    pytest.param(f"SELECT count(code) / difference(code) {E20} fill(0) LIMIT 3",
                 id="count-over-difference-fill-zero"),
    pytest.param(f"SELECT count(code) * 2, cumulative_sum(code) + 1 {E20B} fill(3) LIMIT 2",
                 id="math-over-calls-beside-reads-fill-first"),
    pytest.param(f"SELECT abs(count(code)) - 10, cumulative_sum(code) + 1 {E20B} fill(-3) "
                 "LIMIT 2", id="abs-of-count-fill-negative-beside-cumulative-sum"),
    pytest.param(f"SELECT difference(count(code)) + cumulative_sum(code) {E20}",
                 id="transform-of-aggregate-plus-raw-transform-error"),
    # the whole SELECT list is typed, math across the halves included
    pytest.param(f"SELECT mode(message) * difference(latency) {E20}",
                 id="mode-of-text-times-difference-type-error"),
    pytest.param("SELECT last(d) - 0.5, difference(b) FROM sparse WHERE id = 'nosuch'",
                 id="last-of-boolean-minus-number-beside-difference-type-error"),
    pytest.param("SELECT last(d) - 0.5, difference(b) FROM sparse "
                 "WHERE time > '2030-01-01T00:00:00Z'",
                 id="beside-type-error-no-shard-group"),
    # the cursor casts fill's number only to numbers: a boolean or text call reads it as is,
    # elapsed() an integer even where it has no point to tell
    pytest.param(f"SELECT mode(d), last(c), cumulative_sum(a) {S20} fill(2.5) LIMIT 2",
                 id="boolean-text-beside-cumulative-sum-fill-number-uncast"),
    # a call without any value in the series reads the number cast to the kind 1.x types
    # it by: its field's stored kind or cast (fuzz 158-896)
    pytest.param("SELECT non_negative_difference(volume), sum(volume), "
                 "kaufmans_efficiency_ratio(volume, 3, 4) FROM stock WHERE time > 1703376000s "
                 "AND time < '2024-01-01T00:00:45Z' fill(2.5)",
                 id="integer-transform-without-points-fill-number-cast"),
    pytest.param("SELECT count(a), difference(b), difference(b::float), difference(a::integer) "
                 "FROM sparse WHERE time >= '2024-01-01T00:05:00Z' AND "
                 "time < '2024-01-01T00:07:30Z' GROUP BY id fill(2.5)",
                 id="transforms-without-points-fill-number-by-stored-kind-or-cast"),
    pytest.param("SELECT sum(b), max(b) * 2, cumulative_sum(a) FROM sparse WHERE "
                 "time >= '2024-01-01T00:05:00Z' AND time < '2024-01-01T00:07:30Z' "
                 "GROUP BY id fill(-1.5)", id="integer-aggregates-without-points-fill-number-cast"),
    pytest.param("SELECT spread(temp), elapsed(temp, 10s) FROM cpu WHERE cpu != 'cpu1' AND "
                 "time > 1704074400s GROUP BY * fill(2.5) LIMIT 10",
                 id="spread-beside-elapsed-fill-cast-to-integer"),
]

# Several transformations of raw points: each call is cut by LIMIT/OFFSET on its own, then
# joined on time; a call without a point at a row's time reads fill's number (or previous
# value), and fill(none)/fill(linear), accepted here, read null.
RAW_CALLS = [
    pytest.param(f"SELECT difference(code), cumulative_sum(latency) {E20} LIMIT 3",
                 id="raw-calls-limit-each"),
    pytest.param(f"SELECT difference(code), cumulative_sum(latency) {E20} LIMIT 3 OFFSET 2",
                 id="raw-calls-offset-each"),
    pytest.param(f"SELECT difference(code), cumulative_sum(latency) {E20} fill(7) LIMIT 3",
                 id="raw-calls-fill-number"),
    pytest.param(f"SELECT difference(code), cumulative_sum(latency) {E20} fill(none) LIMIT 3",
                 id="raw-calls-fill-none"),
    pytest.param(f"SELECT difference(code), cumulative_sum(latency) {E20} fill(linear) "
                 "LIMIT 3", id="raw-calls-fill-linear"),
    pytest.param(f"SELECT difference(code) {E20} fill(none) LIMIT 3",
                 id="raw-call-fill-none-accepted"),
    pytest.param(f"SELECT difference(code), cumulative_sum(latency) {E20} "
                 "ORDER BY time DESC LIMIT 3", id="raw-calls-desc-limit"),
    pytest.param(f"SELECT difference(code), cumulative_sum(latency) {E20} GROUP BY source "
                 "fill(previous) ORDER BY time DESC LIMIT 2", id="raw-calls-previous-desc-by-tag"),
    pytest.param(f"SELECT derivative(code, 1m), moving_average(latency, 3) {E20} fill(-1) "
                 "LIMIT 2 OFFSET 1", id="raw-calls-fill-negative-offset"),
    pytest.param(f"SELECT difference(code) + cumulative_sum(latency) {E20} fill(7) LIMIT 3",
                 id="raw-calls-math-fill-number"),
    pytest.param(f"SELECT difference(code) * 2, cumulative_sum(code) {E20} LIMIT 3",
                 id="raw-calls-math-beside-call"),
    # a transformation of an integer field reads fill's number cast to an integer
    pytest.param(f"SELECT difference(code) * 2, cumulative_sum(code) {E20} fill(2.5) "
                 "LIMIT 1 OFFSET 2", id="raw-calls-integer-fill-cast"),
    pytest.param(f"SELECT cumulative_sum(code), difference(latency) {E20} fill(2.5) "
                 "LIMIT 2 OFFSET 3", id="raw-calls-integer-and-float-fill-cast"),
]

#: one measurement named in both databases.
TWIN2 = 'FROM "iql".."twin", "iql_db2".."twin"'
#: gauge's four series over its first four minutes, every point of one minute tied on time.
G4 = "FROM gauge WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:04:00Z'"

# Transformations of the raw points of several series merged into one group: each point
# stays, several at one time, in the order 1.x's heap merges the series (reversed series
# order under DESC); difference() and derivative() keep the first point of a time.
MERGED_RAW = [
    pytest.param(f"SELECT cumulative_sum(v) {G4}", id="merged-raw-cumulative-sum-ties"),
    pytest.param(f"SELECT elapsed(v) {G4}", id="merged-raw-elapsed-ties"),
    pytest.param(f"SELECT moving_average(v, 2) {G4}", id="merged-raw-moving-average-ties"),
    pytest.param(f"SELECT difference(v) {G4}", id="merged-raw-difference-first-of-time"),
    pytest.param(f"SELECT cumulative_sum(v) {G4} ORDER BY time DESC",
                 id="merged-raw-cumulative-sum-desc"),
    pytest.param(f"SELECT cumulative_sum(v), elapsed(v) {G4}", id="merged-raw-calls-joined"),
    pytest.param("SELECT cumulative_sum(v), difference(w) FROM gauge WHERE "
                 "time >= '2024-01-01T00:08:00Z' ORDER BY time DESC LIMIT 6",
                 id="merged-raw-calls-desc-limit-newest-lacks-field"),
    pytest.param("SELECT derivative(v, 1m), cumulative_sum(w) FROM gauge WHERE "
                 "time >= '2024-01-01T00:07:00Z' LIMIT 5 OFFSET 2",
                 id="merged-raw-calls-offset"),
    pytest.param("SELECT cumulative_sum(usage_idle), elapsed(usage_idle, 1s) FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:03:00Z' "
                 "ORDER BY time DESC", id="merged-raw-series-keys-differ-desc"),
    pytest.param("SELECT moving_average(usage_user, 4) FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:03:00Z' "
                 "GROUP BY region", id="merged-raw-moving-average-by-region"),
    # a field cast to the other number type is merged as the field is, then cast
    # (fuzz 800-51, IQLFUZZ_EXTRA: kaufmans_efficiency_ratio(usage_user::integer, 3))
    pytest.param("SELECT cumulative_sum(usage_user::integer), difference(usage_user::integer) "
                 "FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:03:00Z'", id="merged-raw-cast-integer"),
    pytest.param("SELECT kaufmans_efficiency_ratio(usage_user::integer, 3) FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:10:00Z' "
                 "ORDER BY time DESC", id="merged-raw-cast-integer-indicator-desc"),
    pytest.param("SELECT cumulative_sum(used::float) FROM mem WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:13:00Z' "
                 "ORDER BY time DESC", id="merged-raw-cast-float-desc"),
    # integral() under DESC walks the merged series newest first, series order reversed
    # FROM naming the measurement several times: each mention is an input of 1.x's merge,
    # read whole one after the other (Go's heap order: a third mention before the second)
    pytest.param(f"SELECT cumulative_sum(v), elapsed(v) {TWIN2}",
                 id="two-dbs-raw-transforms-read-one-after-the-other"),
    pytest.param(f"SELECT cumulative_sum(v) {TWIN2} ORDER BY time DESC LIMIT 3",
                 id="two-dbs-cumulative-sum-desc-each-newest-first"),
    pytest.param("SELECT derivative(u, 1m), non_negative_derivative(u, 1m) FROM "
                 "\"iql\"..\"pair\", \"iql_db2\"..\"pair\", \"iql\"..\"pair\" GROUP BY host",
                 id="three-mentions-derivative-time-going-back"),
    pytest.param("SELECT cumulative_sum(u) FROM \"iql\"..\"pair\", \"iql_db2\"..\"pair\"",
                 id="two-dbs-merged-series-then-the-other-db"),
    pytest.param(f"SELECT count(v), difference(v) {TWIN2} fill(0)",
                 id="two-dbs-count-beside-difference"),
    pytest.param("SELECT moving_average(v, 2) FROM twin, twin",
                 id="same-measurement-twice-moving-average"),
    # each call's merge holds only the inputs with a point of its field in a group, so the
    # order of the databases differs between k (only host a has one) and u
    pytest.param("SELECT cumulative_sum(k), cumulative_sum(u) FROM \"iql\"..\"pair\", "
                 "\"iql_db2\"..\"pair\" WHERE time <= '2024-01-01T00:00:00Z' GROUP BY host "
                 "ORDER BY time DESC", id="two-dbs-read-order-per-field-desc"),
    pytest.param("SELECT cumulative_sum(u) FROM \"iql\"..\"pair\", \"iql_db2\"..\"pair\" "
                 "GROUP BY host ORDER BY time DESC", id="two-dbs-read-order-across-groups-desc"),
    pytest.param("SELECT integral(v, 1m) FROM gauge WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:20:00Z' ORDER BY time DESC",
                 id="integral-desc-merged-series"),
    pytest.param("SELECT integral(v, 1m) FROM gauge WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:20:00Z' GROUP BY time(3m) ORDER BY time DESC",
                 id="integral-desc-merged-series-by-time"),
    pytest.param("SELECT integral(u, 1m), integral(k, 1m) FROM pair WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:20:00Z' "
                 "ORDER BY time DESC", id="integral-desc-merged-ties-two-calls"),
    pytest.param("SELECT integral(usage_user, 1m), mean(usage_user) FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:10:00Z' "
                 "GROUP BY time(4m) fill(0) ORDER BY time DESC",
                 id="integral-desc-merged-beside-mean"),
]

PREDICTORS = [
    pytest.param("SELECT holt_winters(mean(level), 6, 12) FROM wave WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T20:00:00Z' "
                 "GROUP BY time(30m)", id="holt-winters-seasonal"),
    pytest.param("SELECT holt_winters(mean(level), 4, 0) FROM wave WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T12:00:00Z' "
                 "GROUP BY time(1h)", id="holt-winters-no-season"),
    pytest.param("SELECT holt_winters_with_fit(mean(level), 3, 4) FROM wave WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T12:00:00Z' "
                 "GROUP BY time(30m)", id="holt-winters-with-fit"),
    # A day of 10-minute buckets: searches that fall into cycles (skipped in the gateway
    # once a state repeats) and, without a season, damping sums that stop changing.
    pytest.param("SELECT holt_winters_with_fit(mean(level), 6, 12) FROM wave WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-02T00:00:00Z' "
                 "GROUP BY time(10m)", id="holt-winters-day-seasonal"),
    pytest.param("SELECT holt_winters_with_fit(mean(level), 6, 0) FROM wave WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-02T00:00:00Z' "
                 "GROUP BY time(10m)", id="holt-winters-day-no-season"),
    pytest.param("SELECT holt_winters_with_fit(mean(level), 4, 4) FROM wave WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-02T00:00:00Z' "
                 "GROUP BY time(30m)", id="holt-winters-day-season-4"),
    pytest.param(f"SELECT holt_winters(max(price), 3, 0) {SA} GROUP BY time(5m)",
                 id="holt-winters-stock"),
    pytest.param(f"SELECT holt_winters(max(price), 2, 0) FROM stock WHERE {W} "
                 "GROUP BY time(10m), symbol", id="holt-winters-by-tag"),
    # 1.x's reduce iterator ends the read at a first series that predicts nothing (fewer
    # buckets than the season: server03's gap), a later one only leaves itself out
    # (style fuzz 901-447 with IQLFUZZ_GRAFANA)
    pytest.param("SELECT holt_winters_with_fit(mean(usage_user), 2, 3) FROM cpu WHERE "
                 "host =~ /0[34]/ AND time >= '2024-01-01T00:25:00Z' AND "
                 "time < '2024-01-01T00:59:00Z' GROUP BY time(10m), host",
                 id="holt-winters-first-series-predicts-nothing"),
    pytest.param("SELECT holt_winters(mean(usage_user), 2, 3) FROM cpu WHERE "
                 "host =~ /0[234]/ AND time >= '2024-01-01T00:25:00Z' AND "
                 "time < '2024-01-01T00:59:00Z' GROUP BY time(10m), host",
                 id="holt-winters-later-series-predicts-nothing"),
    pytest.param("SELECT holt_winters(mean(usage_user), 2, 3) FROM cpu WHERE "
                 "host =~ /0[34]/ AND time >= '2024-01-01T00:25:00Z' AND "
                 "time < '2024-01-01T00:59:00Z' GROUP BY time(10m), host SLIMIT 1 SOFFSET 1",
                 id="holt-winters-first-series-paged-away"),
    pytest.param("SELECT holt_winters_with_fit(min(usage_idle), 10, 2) FROM cpu WHERE "
                 "time >= 1703376000000ms AND time <= 1704074400000ms GROUP BY time(1w), *",
                 {"epoch": "ms"}, id="holt-winters-first-series-one-bucket"),
]


def technical(name: str, args: str) -> list[object]:
    """Raw, GROUP BY time and per-tag forms of one technical-analysis function."""
    key = name.replace("_", "-")
    return [
        pytest.param(f"SELECT {name}(price{args}) {SA}", id=f"{key}-raw"),
        pytest.param(f"SELECT {name}(mean(price){args}) FROM stock WHERE {W} "
                     "GROUP BY time(2m), symbol", id=f"{key}-by-time"),
        pytest.param(f"SELECT {name}(volume{args}) FROM stock WHERE {W} GROUP BY symbol "
                     "LIMIT 5", id=f"{key}-ints-by-tag"),
    ]


TECHNICAL = (
    technical("chande_momentum_oscillator", ", 5")
    + technical("exponential_moving_average", ", 5")
    + technical("double_exponential_moving_average", ", 4")
    + technical("kaufmans_efficiency_ratio", ", 5")
    + technical("kaufmans_adaptive_moving_average", ", 5")
    + technical("triple_exponential_moving_average", ", 3")
    + technical("triple_exponential_derivative", ", 3")
    + technical("relative_strength_index", ", 5")
    + [
        pytest.param(f"SELECT exponential_moving_average(price, 5, 10) {SA}",
                     id="ema-hold-period"),
        pytest.param(f"SELECT exponential_moving_average(price, 5, 2, 'none') {SA}",
                     id="ema-warmup-none"),
        pytest.param(f"SELECT chande_momentum_oscillator(price, 5, 2, 'none') {SA}",
                     id="cmo-warmup-none"),
        pytest.param(f"SELECT relative_strength_index(price, 4, 8) {SA}", id="rsi-hold"),
        pytest.param(f"SELECT kaufmans_adaptive_moving_average(price, 3, 10) {SA}",
                     id="kama-hold"),
        pytest.param(f"SELECT triple_exponential_derivative(price, 2, 1, 'exponential') {SA}",
                     id="trix-warmup-exponential"),
        # over GROUP BY time 1.x reads the bucket before the range (after it, under DESC) and
        # answers there what the function answers: with a hold period of 0 its first point,
        # over fill(0)'s zero, or a partial bucket's; another function reads the fill value
        pytest.param("SELECT double_exponential_moving_average(min(total), 3, 0) FROM mem "
                     "WHERE time >= '2024-01-01T00:10:00Z' AND time <= '2024-01-01T01:30:00Z' "
                     "GROUP BY time(20m, 30s), host fill(0)", id="dema-hold-zero-bucket-before"),
        pytest.param("SELECT chande_momentum_oscillator(first(inodes), 2, 0) FROM disk WHERE "
                     "path = '/home' AND time >= '2024-01-01T00:30:00Z' AND "
                     "time <= '2024-01-01T02:00:00Z' GROUP BY time(20m, 7m), host",
                     {"epoch": "m"}, id="cmo-hold-zero-partial-bucket-before"),
        pytest.param("SELECT exponential_moving_average(count(latency), 5, 0) FROM events WHERE "
                     "time > '2024-01-01T00:40:00Z' AND time <= '2024-01-01T02:00:00Z' "
                     "GROUP BY time(15m), /^h/", {"epoch": "ns"},
                     id="ema-hold-zero-bucket-before-by-regex"),
        pytest.param("SELECT mean(price), exponential_moving_average(mean(price), 2, 0) "
                     "FROM stock WHERE symbol = 'AAA' AND time >= '2024-01-01T00:05:00Z' AND "
                     "time < '2024-01-01T00:30:00Z' GROUP BY time(5m) fill(7) "
                     "ORDER BY time DESC", id="ema-hold-zero-bucket-after-desc-beside-mean"),
    ]
)

CASES = (AGGREGATES + SELECTORS + TRANSFORMS + BESIDE + RAW_CALLS + MERGED_RAW + PREDICTORS
         + TECHNICAL)
