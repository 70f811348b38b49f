"""SELECT statements without functions: projections, sources, WHERE, GROUP BY, fill, paging, tz.

Each case is `pytest.param(statement[, request_params], id=...)`; the statement runs against
the main database unless the params name another `db`.
"""

from __future__ import annotations

import pytest

#: The main window: two hours from 2024-01-01T00:00:00Z.
W = "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T02:00:00Z'"
#: The first ten minutes.
S = "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:10:00Z'"
#: The first hour.
H1 = "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T01:00:00Z'"
#: cpu by hour without a lower bound: one series has a point a week before the others'.
NOLOW = "FROM cpu WHERE time < '2024-01-01 00:07:30' GROUP BY time(1h), host, cpu"
#: Two minutes inside server03's gap in cpu.
GAP = "time >= '2024-01-01T00:35:00Z' AND time < '2024-01-01T00:37:00Z'"
#: mem, one host (rows of different series at the same time come back in an order that
#: depends on InfluxDB's storage internals, so raw cases never merge such series).
M2 = f"host = 'server02' AND {S}"
#: server01's cpu0 series, the first ten minutes.
ONE = f"host = 'server01' AND cpu = 'cpu0' AND {S}"

#: mem's last(total) per host in fill(previous) runs, each opening with a null bucket
#: stamped before the parent's lower bound
RUNS_BEFORE_LOWER = ("(SELECT last(total) AS a FROM mem WHERE delta <= 20.5 AND "
                     "time >= '2024-01-01T00:00:00Z' AND time < 1704070800s "
                     "GROUP BY time(30m, 3m), host fill(previous)) "
                     "WHERE time >= '2024-01-01 00:00:45' AND time < '2024-01-01 03:00:00'")
RUNS_TWO_BEFORE_LOWER = RUNS_BEFORE_LOWER.replace("AS a", "AS a, last(used) AS b")

PROJECTIONS = [
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE}", id="field"),
    pytest.param(f"SELECT usage_user, usage_system FROM cpu WHERE {ONE}", id="two-fields"),
    pytest.param(f"SELECT * FROM cpu WHERE {ONE}", id="wildcard"),
    pytest.param(f"SELECT * FROM mem WHERE {M2}", id="wildcard-ints"),
    pytest.param("SELECT * FROM events LIMIT 6", id="wildcard-strings-bools"),
    pytest.param("SELECT * FROM sparse", id="wildcard-sparse"),
    pytest.param("SELECT a, b FROM sparse", id="sparse-two-fields"),
    pytest.param("SELECT c FROM sparse", id="sparse-string-only"),
    pytest.param("SELECT d FROM sparse", id="sparse-bool-only"),
    pytest.param(f"SELECT *::field FROM cpu WHERE {ONE}", id="wildcard-fields"),
    pytest.param(f"SELECT *::tag, usage_user FROM cpu WHERE {ONE}", id="wildcard-tags-and-field"),
    pytest.param(f"SELECT *::tag FROM cpu WHERE {ONE}", id="wildcard-tags-only"),
    pytest.param(f"SELECT /usage_/ FROM cpu WHERE {ONE}", id="regex-fields"),
    pytest.param(f"SELECT /^usage_(user|idle)$/, host FROM cpu WHERE {ONE}",
                 id="regex-fields-and-tag"),
    pytest.param(f"SELECT /nomatch/ FROM cpu WHERE {ONE}", id="regex-fields-no-match"),
    # names are matched with Go's regexp syntax (RE2): Unicode classes, POSIX classes, \z
    pytest.param(f"SELECT /^\\p{{Ll}}+_\\pL+$/ FROM cpu WHERE {ONE}",
                 id="regex-fields-unicode-class"),
    pytest.param(f"SELECT mean(/^[[:alpha:]]+_user\\z/) FROM cpu WHERE {W}",
                 id="regex-call-posix-class"),
    pytest.param(f"SELECT /\\p{{Greek}}/ FROM cpu WHERE {ONE}", id="regex-fields-unicode-script"),
    pytest.param(f"SELECT latency, source, level FROM events WHERE {W}", id="field-and-tags"),
    pytest.param(f"SELECT usage_user::field, host::tag FROM cpu WHERE {ONE}", id="casts"),
    pytest.param(f"SELECT host::field, usage_user FROM cpu WHERE {ONE}", id="tag-cast-as-field"),
    pytest.param(f"SELECT usage_user::tag, usage_system FROM cpu WHERE {ONE}",
                 id="field-cast-as-tag"),
    pytest.param(f"SELECT usage_user::float, used::integer FROM cpu, mem WHERE {M2}",
                 id="type-casts-multi-source"),
    pytest.param(f"SELECT used::float FROM mem WHERE {M2}", id="int-cast-float"),
    pytest.param(f"SELECT usage_user::integer FROM cpu WHERE {ONE}", id="float-cast-integer"),
    # a condition reads the cast value too: -2.5 as -2 (fuzz 801-248, IQLFUZZ_EXTRA)
    pytest.param("SELECT v FROM single WHERE v::integer != -2", id="where-float-cast-integer"),
    pytest.param("SELECT v FROM single WHERE v::integer * 2 = -14 OR v::float = -5",
                 id="where-float-cast-integer-math"),
    pytest.param(f"SELECT message::string, ok::boolean FROM events WHERE {S}",
                 id="string-boolean-casts"),
    # a cast to another kind reads nothing (found by the query fuzzer)
    pytest.param("SELECT c::integer, d::float, b::string, a::boolean, b::float, a::integer "
                 "FROM sparse WHERE id = 'x'", id="casts-to-other-kinds"),
    pytest.param("SELECT mean(c::float), max(c::integer), count(b::string) FROM sparse",
                 id="casts-to-other-kinds-aggregated"),
    pytest.param(f"SELECT host FROM cpu WHERE {ONE}", id="tag-only"),
    pytest.param(f"SELECT nosuchfield FROM cpu WHERE {ONE}", id="unknown-field"),
    pytest.param(f"SELECT usage_user, nosuchfield FROM cpu WHERE {ONE}",
                 id="known-and-unknown-field"),
    pytest.param(f"SELECT usage_user AS u, usage_system AS s FROM cpu WHERE {ONE}", id="aliases"),
    pytest.param(f'SELECT usage_user AS "my value" FROM cpu WHERE {ONE}', id="alias-quoted"),
    pytest.param(f"SELECT usage_user AS host FROM cpu WHERE {ONE}", id="alias-shadows-tag"),
    pytest.param(f"SELECT max(usage_user), min(usage_user) AS max FROM cpu WHERE {ONE}",
                 id="alias-taken-before-generated-name"),
    pytest.param(f"SELECT max(usage_user), max(usage_user), min(usage_user) AS max_1 "
                 f"FROM cpu WHERE {ONE}", id="alias-takes-the-suffixed-name"),
    pytest.param(f"SELECT usage_user, usage_user FROM cpu WHERE {ONE}", id="same-field-twice"),
    pytest.param(f"SELECT time, usage_user FROM cpu WHERE {ONE}", id="explicit-time"),
    pytest.param(f"SELECT usage_user + usage_system FROM cpu WHERE {ONE}", id="add"),
    pytest.param(f"SELECT usage_user - usage_system AS d FROM cpu WHERE {ONE}", id="subtract"),
    pytest.param(f"SELECT usage_user * 2, usage_user / 4 FROM cpu WHERE {ONE}",
                 id="multiply-divide"),
    pytest.param(f"SELECT (usage_user + usage_system) * 2 - 1 FROM cpu WHERE {ONE}",
                 id="parentheses"),
    pytest.param(f"SELECT usage_user / 0 FROM cpu WHERE {ONE}", id="divide-by-zero"),
    pytest.param(f"SELECT used % 7, used / 3, used * -1 FROM mem WHERE {M2}", id="integer-math"),
    pytest.param(f"SELECT used & 255, used | 1, used ^ 3 FROM mem WHERE {M2}", id="bitwise"),
    pytest.param(f"SELECT used + usage_user FROM mem WHERE {M2}", id="math-with-missing-field"),
    pytest.param(f"SELECT -temp FROM cpu WHERE {ONE}", id="unary-minus"),
    pytest.param(f"SELECT temp * 1.5e2 FROM cpu WHERE {ONE}", id="exponent-literal"),
    pytest.param(f"SELECT used / free FROM mem WHERE {M2}", id="integer-division-is-float"),
    pytest.param(f"SELECT code + 1, latency * code FROM events WHERE {S}", id="int-float-mix"),
    pytest.param('SELECT "field name", "select", "with.dot", "f\\"q" FROM "weird measure"',
                 id="awkward-field-names"),
    pytest.param('SELECT "field name", "tag key", "q\\"k", "group" FROM "weird measure"',
                 id="awkward-tag-names"),
    pytest.param("SELECT * FROM \"weird measure\" WHERE \"tag key\" = 'a value'",
                 id="awkward-tag-filter"),
    pytest.param("SELECT level FROM wave LIMIT 3", id="field-named-like-other-tag"),
    pytest.param("SELECT level, message FROM events LIMIT 3", id="tag-named-like-other-field"),
]

SOURCES = [
    pytest.param(f'SELECT usage_user FROM "iql"."autogen"."cpu" WHERE {ONE}', id="fq-source"),
    pytest.param(f'SELECT usage_user FROM "iql".."cpu" WHERE {ONE}', id="fq-source-default-rp"),
    pytest.param(f"SELECT usage_user FROM autogen.cpu WHERE {ONE}", id="rp-qualified"),
    pytest.param(f'SELECT * FROM "iql_db2".."cpu" WHERE {S}', id="other-db"),
    pytest.param('SELECT * FROM "iql_db2"."autogen"."net"', id="other-db-fq"),
    pytest.param("SELECT * FROM iql_db2..net", {"db": "iql_db2"}, id="db-param-other-db"),
    pytest.param("SELECT usage_user FROM cpu LIMIT 2", {"db": "iql_db2"}, id="db-param-db2"),
    pytest.param(f"SELECT usage_user, used FROM cpu, mem WHERE host = 'server02' AND {S}",
                 id="two-sources"),
    pytest.param(f'SELECT * FROM "iql".."single", "iql_db2".."net" WHERE {W}',
                 id="sources-in-two-dbs"),
    pytest.param(f"SELECT * FROM /^s[ip]/ WHERE {W}", id="regex-sources"),
    pytest.param(f"SELECT * FROM /^(mem|disk)$/ WHERE {S} GROUP BY *",
                 id="regex-sources-anchored"),
    pytest.param(f'SELECT * FROM "iql"../ing/ WHERE {W}', id="regex-source-fq"),
    pytest.param(f"SELECT * FROM /nomatch/ WHERE {W}", id="regex-source-no-match"),
    pytest.param(f"SELECT * FROM /^\\p{{L}}[[:lower:]]ngle$/ WHERE {W}",
                 id="regex-source-unicode-class"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {S} GROUP BY /^\\pL[[:alpha:]]st$/",
                 id="regex-group-by-unicode-class"),
    # three dozen measurements at once, as Grafana's "all measurements" panels ask
    pytest.param(f'SELECT * FROM "iql_db2"../^many_/ WHERE {W}', id="regex-many-raw"),
    pytest.param('SELECT count(*) FROM "iql_db2"../^many_/', id="regex-many-count"),
    pytest.param(f'SELECT mean(value) FROM "iql_db2"../^many_/ WHERE {W} GROUP BY time(30m), * '
                 "fill(0)", id="regex-many-mean-by-time"),
    pytest.param('SELECT last(*) FROM "iql_db2"../^many_/ GROUP BY *', id="regex-many-last"),
    pytest.param(f'SELECT max(value), host FROM "iql_db2"../many_[0-9]*[13579]$/ WHERE {W}',
                 id="regex-many-selector-tag"),
    pytest.param(f"SELECT * FROM nosuch WHERE {W}", id="unknown-measurement"),
    pytest.param(f"SELECT * FROM \"weird measure\" WHERE {S}", id="measurement-with-space"),
    pytest.param(f"SELECT * FROM cpu, cpu WHERE {ONE}", id="same-source-twice"),
    pytest.param(f"SELECT usage_user FROM (SELECT * FROM cpu WHERE {ONE})", id="subquery-plain"),
    pytest.param(f"SELECT mean(m) FROM (SELECT max(usage_user) AS m FROM cpu WHERE {W} "
                 "GROUP BY host)", id="subquery-mean-of-max"),
    pytest.param(f"SELECT max(m) FROM (SELECT mean(usage_user) AS m FROM cpu WHERE {W} "
                 "GROUP BY time(10m), host) GROUP BY host", id="subquery-group-by-tag"),
    pytest.param(f"SELECT sum(d) FROM (SELECT difference(requests) AS d FROM counters "
                 f"WHERE {W}) GROUP BY host", id="subquery-transform"),
    pytest.param(f"SELECT u + s FROM (SELECT usage_user AS u, usage_system AS s FROM cpu "
                 f"WHERE {ONE})", id="subquery-math"),
    pytest.param(f"SELECT * FROM (SELECT usage_user FROM cpu WHERE {ONE}) WHERE usage_user > 20",
                 id="subquery-outer-where"),
    # a tag the subquery selects is a column 1.x types as a tag: a call of a wildcard or regex
    # over the subquery skips it (by name, cast, alias, top()'s tag argument, `*::tag`, through
    # a middle subquery), though `*` and a call naming it read it
    pytest.param("SELECT count(*) FROM (SELECT u, host FROM pair)",
                 id="subquery-count-wildcard-skips-tag"),
    pytest.param("SELECT count(*) FROM (SELECT * FROM pair) GROUP BY host",
                 id="subquery-count-wildcard-skips-tag-by-host"),
    pytest.param("SELECT first(*), count(/o/) FROM (SELECT u, host::field AS h FROM pair)",
                 id="subquery-wildcard-calls-skip-cast-tag"),
    pytest.param("SELECT mode(*) FROM (SELECT *::tag, u FROM pair)",
                 id="subquery-mode-wildcard-skips-tag-wildcard"),
    pytest.param("SELECT count(*) FROM (SELECT top(u, host, 2) FROM pair)",
                 id="subquery-count-wildcard-skips-top-tag"),
    pytest.param("SELECT count(*) FROM (SELECT * FROM (SELECT u, host FROM pair))",
                 id="subquery-count-wildcard-skips-tag-nested"),
    pytest.param("SELECT count(*) FROM (SELECT u, host FROM pair), pair",
                 id="subquery-count-wildcard-skips-tag-beside-measurement"),
    pytest.param("SELECT count(host), * FROM (SELECT u, host FROM pair)",
                 id="subquery-tag-column-read-by-name"),
    # a subquery's columns are named for its parent by alias or generated name, unsuffixed:
    # of several of one name the parent reads the first, and `max_1` is no column of it
    pytest.param("SELECT * FROM (SELECT max(u), max(k), max(e) FROM pair)",
                 id="subquery-duplicate-names-first-read"),
    pytest.param("SELECT * FROM (SELECT max(u), max(k) FROM pair GROUP BY host)",
                 id="subquery-duplicate-names-by-host"),
    pytest.param("SELECT max, max_1 FROM (SELECT max(u), max(k) FROM pair)",
                 id="subquery-duplicate-names-suffix-unknown"),
    pytest.param("SELECT * FROM (SELECT max(u), min(u) AS max FROM pair)",
                 id="subquery-duplicate-names-alias-second"),
    pytest.param("SELECT * FROM (SELECT max(u) AS max_1, max(k), max(e) FROM pair)",
                 id="subquery-duplicate-names-alias-like-suffix"),
    pytest.param("SELECT count(*) FROM (SELECT max(u), max(k) FROM pair GROUP BY host)",
                 id="subquery-duplicate-names-count-wildcard"),
    pytest.param("SELECT * FROM (SELECT * FROM (SELECT max(u), max(k) FROM pair))",
                 id="subquery-duplicate-names-nested"),
    pytest.param("SELECT * FROM (SELECT u, * FROM pair WHERE host = 'a')",
                 id="subquery-duplicate-names-field-and-wildcard"),
    # ...also where the subquery's aggregates stand beside raw transformations (each call its
    # own rows, joined on time)
    pytest.param("SELECT * FROM (SELECT max(u), max(k), cumulative_sum(u) FROM pair "
                 "WHERE host = 'a')", id="subquery-duplicate-names-beside-transform"),
    pytest.param("SELECT cumulative_sum FROM (SELECT count(code), cumulative_sum(code), "
                 f"cumulative_sum(latency) FROM events WHERE {W})",
                 id="subquery-duplicate-names-transforms-beside-count"),
    pytest.param("SELECT sum(max), count(difference) FROM (SELECT max(u), max(k), "
                 "difference(u), difference(k) FROM pair GROUP BY host)",
                 id="subquery-duplicate-names-beside-read-by-aggregates"),
    pytest.param("SELECT * FROM (SELECT max(u) AS x, cumulative_sum(k) AS x, count(*) "
                 "FROM pair WHERE host = 'a')", id="subquery-duplicate-aliases-beside-transform"),
    pytest.param(f"SELECT count(u) FROM (SELECT usage_user AS u FROM cpu WHERE {W}) "
                 f"WHERE {W} GROUP BY time(30m)", id="subquery-outer-group-by-time"),
    pytest.param(f"SELECT source, l FROM (SELECT latency AS l, source FROM events WHERE {W})",
                 id="subquery-tag-as-field"),
    pytest.param(f"SELECT * FROM (SELECT * FROM mem WHERE {M2}), "
                 f"(SELECT * FROM disk WHERE path = '/var' AND {S})",
                 id="two-subqueries"),
    pytest.param(f"SELECT top(m, 2) FROM (SELECT max(price) AS m FROM stock WHERE {W} "
                 "GROUP BY time(15m), symbol)", id="subquery-top"),
    # functions over a subquery's points without tags (they were a 500)
    pytest.param(f"SELECT percentile(latency, 50) FROM (SELECT latency FROM events WHERE {W})",
                 id="subquery-percentile-no-tags"),
    pytest.param(f"SELECT mode(message) FROM (SELECT message FROM events WHERE {W})",
                 id="subquery-mode-of-strings-no-tags"),
    pytest.param(f"SELECT integral(latency, 1m) FROM (SELECT latency FROM events WHERE {W})",
                 id="subquery-integral-no-tags"),
    # a field aliased like the grouped tag: 1.x keeps both (host, host_1) and groups the
    # outer query by the tag, never by the numbers
    pytest.param("SELECT * FROM (SELECT usage_user AS host FROM cpu WHERE host = 'server02' "
                 f"AND {W} GROUP BY host) WHERE time < '2024-01-01T00:03:00Z'",
                 id="subquery-alias-shadows-tag"),
    pytest.param("SELECT * FROM (SELECT usage_user AS host FROM cpu WHERE host = 'server02' "
                 f"AND {W} GROUP BY host) WHERE time < '2024-01-01T00:03:00Z' GROUP BY host",
                 id="subquery-alias-shadows-tag-grouped"),
    pytest.param("SELECT * FROM (SELECT usage_user, host FROM cpu WHERE host = 'server02' "
                 f"AND {W} GROUP BY host) WHERE time < '2024-01-01T00:02:00Z'",
                 id="subquery-selected-tag-grouped-inside"),
    # SLIMIT/SOFFSET over a subquery: 1.x adds the parent's to the subquery's own and pages
    # only the subquery's index, each measurement apart, keyed by the parent's GROUP BY tags
    pytest.param(f"SELECT * FROM (SELECT usage_user, used FROM cpu, mem WHERE {S} GROUP BY *) "
                 "GROUP BY * SLIMIT 2 SOFFSET 1", id="subquery-slimit-two-measurements"),
    pytest.param(f"SELECT * FROM (SELECT usage_user, used FROM cpu, mem WHERE {S} GROUP BY * "
                 "SLIMIT 2 SOFFSET 1) GROUP BY * SLIMIT 1 SOFFSET 1",
                 id="subquery-slimit-inner-and-outer"),
    pytest.param(f"SELECT * FROM (SELECT usage_user, used FROM cpu, mem WHERE {S} GROUP BY * "
                 "SLIMIT 2 SOFFSET 1) GROUP BY * SOFFSET 1", id="subquery-soffset-outer-only"),
    pytest.param(f"SELECT * FROM (SELECT usage_user FROM cpu WHERE {S} GROUP BY *) GROUP BY * "
                 "SOFFSET 1", id="subquery-soffset-without-slimit"),
    pytest.param(f"SELECT * FROM (SELECT * FROM (SELECT usage_user FROM cpu WHERE {S} "
                 "GROUP BY * SLIMIT 1) GROUP BY * SLIMIT 1) GROUP BY * SLIMIT 1",
                 id="subquery-slimit-nested"),
    pytest.param(f"SELECT usage_user FROM (SELECT usage_user FROM cpu WHERE {GAP} GROUP BY *) "
                 "GROUP BY * SLIMIT 3", id="subquery-slimit-empty-series"),
    pytest.param(f"SELECT m FROM (SELECT max(usage_user) AS m FROM cpu WHERE {S} GROUP BY host "
                 "SLIMIT 1 SOFFSET 2) GROUP BY region", id="subquery-slimit-parent-tags"),
    pytest.param(f"SELECT count(m) FROM (SELECT max(usage_user) AS m FROM cpu WHERE {S} "
                 "GROUP BY host SLIMIT 1)", id="subquery-slimit-parent-ungrouped"),
    # a parent's GROUP BY * or regex ranges only over the tags the subquery grouped by (its
    # own * expanded first); a wildcard's columns still list no tag
    pytest.param(f"SELECT mean(m) FROM (SELECT max(usage_user) AS m FROM cpu WHERE {H1} "
                 "GROUP BY time(30m), host) GROUP BY *", id="subquery-parent-group-by-all"),
    pytest.param(f"SELECT m FROM (SELECT max(usage_user) AS m FROM cpu WHERE {H1} "
                 "GROUP BY time(30m)) GROUP BY *", id="subquery-parent-group-by-all-untagged"),
    pytest.param(f"SELECT m FROM (SELECT max(usage_user) AS m FROM cpu WHERE {H1} "
                 "GROUP BY time(30m), *) GROUP BY /o/", id="subquery-parent-group-by-regex"),
    pytest.param(f"SELECT * FROM (SELECT max(usage_user) AS m, host FROM cpu WHERE {H1} "
                 "GROUP BY time(30m), host) GROUP BY /re/",
                 id="subquery-parent-group-by-regex-no-match"),
    pytest.param(f"SELECT count(m) FROM (SELECT m FROM (SELECT max(usage_user) AS m FROM cpu "
                 f"WHERE {H1} GROUP BY time(30m), region, cpu) GROUP BY cpu) GROUP BY *",
                 id="subquery-parent-group-by-all-nested"),
    # a parent's GROUP BY tag is handed down and groups the subquery's rows, but the parent
    # reads it as null: 1.x finds a name only among the subquery's columns and its own GROUP BY
    pytest.param(f"SELECT max(v), region FROM (SELECT usage_user AS v FROM cpu WHERE {W}) "
                 "GROUP BY region", id="subquery-handed-tag-reads-null"),
    pytest.param(f"SELECT max(v), region FROM (SELECT usage_user AS v FROM cpu WHERE {W} "
                 "GROUP BY region) GROUP BY region", id="subquery-own-tag-reads-value"),
    pytest.param(f"SELECT v, host FROM (SELECT max(usage_user) AS v FROM cpu WHERE {W} "
                 "GROUP BY region) GROUP BY host", id="subquery-handed-tag-raw-parent"),
    pytest.param(f"SELECT max(m), host FROM (SELECT mean(x) AS m FROM (SELECT usage_user AS x "
                 f"FROM cpu WHERE {W} GROUP BY host) GROUP BY region) GROUP BY host",
                 id="subquery-handed-tag-nested"),
    pytest.param(f"SELECT max(m), cpu FROM (SELECT mean(x) AS m FROM (SELECT usage_user AS x "
                 f"FROM cpu WHERE {W} GROUP BY host) GROUP BY cpu) GROUP BY host",
                 id="subquery-own-tag-nested-middle"),
    # a subquery's wildcard is expanded against its own GROUP BY only: a tag the parent hands
    # down stays among its columns, and so among the parent's wildcard columns, however deep
    pytest.param("SELECT * FROM (SELECT * FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:02:00Z') GROUP BY host",
                 id="subquery-wildcard-keeps-handed-tag"),
    pytest.param("SELECT * FROM (SELECT * FROM (SELECT mean(usage_user) AS m FROM cpu WHERE "
                 f"{W} GROUP BY host, cpu) GROUP BY host) GROUP BY cpu",
                 id="subquery-wildcard-keeps-handed-tag-nested"),
    pytest.param("SELECT * FROM (SELECT * FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:02:00Z' GROUP BY region) GROUP BY region",
                 id="subquery-wildcard-drops-own-tag"),
    # top(x, tag, N) over a subquery: 1.x reads a max() grouped by the tags, handed down like
    # a GROUP BY, so one point per stored tag value; the column shows the subquery's column
    # of that name, else its own GROUP BY tag, else null
    pytest.param(f"SELECT top(v, host, 2) FROM (SELECT usage_user AS v, host FROM cpu "
                 f"WHERE {W})", id="subquery-top-tag-selected"),
    pytest.param(f"SELECT top(v, host, 10), region FROM (SELECT usage_user AS v, host, region "
                 f"FROM cpu WHERE {W} GROUP BY region)", id="subquery-top-tag-with-companion"),
    pytest.param(f"SELECT top(v, h, 10) FROM (SELECT usage_user AS v, host AS h FROM cpu "
                 f"WHERE {W})", id="subquery-top-tag-aliased-not-a-tag"),
    pytest.param(f"SELECT top(v, host, 10) FROM (SELECT usage_user AS v, region AS host "
                 f"FROM cpu WHERE {W})", id="subquery-top-tag-field-named-like-tag"),
    pytest.param(f"SELECT bottom(v, region, 10) FROM (SELECT usage_user AS v, host FROM cpu "
                 f"WHERE {W})", id="subquery-bottom-tag-not-selected"),
    pytest.param(f"SELECT top(v, host, 10) FROM (SELECT max(usage_user) AS v, host FROM cpu "
                 f"WHERE {W} GROUP BY region)", id="subquery-top-tag-regroups-aggregate"),
    # a parent's time range narrows the subquery's and filters nothing itself: the first
    # bucket's row, stamped before the lower bound, reaches raw rows and transformations; an
    # aggregate reads the groups in order and stops at the first such row (ascending: that
    # group gives nothing; descending: its later rows were read)
    pytest.param(f"SELECT m FROM (SELECT max(usage_user) AS m FROM cpu WHERE {H1} "
                 "GROUP BY time(10m), host) WHERE time >= '2024-01-01T00:25:00Z' GROUP BY host",
                 id="subquery-outer-range-raw-keeps-first-bucket"),
    pytest.param(f"SELECT derivative(m) FROM (SELECT max(usage_user) AS m FROM cpu WHERE {H1} "
                 "GROUP BY time(10m), host) WHERE time >= '2024-01-01T00:25:00Z' AND "
                 "time < '2024-01-01T00:50:00Z' GROUP BY host",
                 id="subquery-outer-range-transform"),
    pytest.param(f"SELECT mean(m) FROM (SELECT max(usage_user) AS m FROM cpu WHERE {H1} "
                 "GROUP BY time(10m), host) WHERE time >= '2024-01-01T00:25:00Z' GROUP BY host",
                 id="subquery-outer-range-aggregate-empty"),
    pytest.param(f"SELECT mean(m) FROM (SELECT max(usage_user) AS m FROM cpu WHERE {H1} "
                 "GROUP BY time(10m), host) WHERE time >= '2024-01-01T00:25:00Z' GROUP BY host "
                 "ORDER BY time DESC", id="subquery-outer-range-aggregate-desc-first-group"),
    pytest.param(f"SELECT count(m) FROM (SELECT max(usage_user) AS m FROM cpu WHERE {H1} "
                 "GROUP BY time(10m), host) WHERE time >= '2024-01-01T00:25:00Z' AND m < 47 "
                 "GROUP BY host ORDER BY time DESC", id="subquery-outer-range-aggregate-where"),
    pytest.param(f"SELECT count(m) FROM (SELECT max(usage_user) AS m FROM cpu WHERE {H1} "
                 "GROUP BY time(10m), host) WHERE time >= '2024-01-01T00:30:00Z'",
                 id="subquery-outer-range-aligned"),
    # a subquery runs in its parent's time order: fill(previous) reaches back from later rows
    pytest.param("SELECT a FROM (SELECT last(v) AS a FROM gauge WHERE id = 'c' AND "
                 "time >= '2023-12-31T22:00:00Z' AND time < '2024-01-01T00:00:45Z' "
                 "GROUP BY time(1h) fill(previous)) ORDER BY time DESC",
                 id="subquery-fill-previous-in-parent-order"),
    # a subquery's fill runs over each parent group's series merged by bucket, then tag set
    # (under DESC too), and starts a run over the whole range at every change of series
    pytest.param("SELECT mean(b) FROM (SELECT last(used_percent) AS a, mean(used_percent) AS b "
                 "FROM disk WHERE time > '2023-12-24T23:30:00Z' AND time < 1704848400s "
                 "GROUP BY time(1d, 3m), host, path fill(-1))", {"epoch": "s"},
                 id="subquery-fill-number-runs-mean"),
    pytest.param("SELECT * FROM (SELECT last(used_percent) AS a, mean(used_percent) AS b "
                 "FROM disk WHERE time > '2023-12-24T23:30:00Z' AND time < 1704848400s "
                 "GROUP BY time(1d, 3m), host, path fill(-1)) ORDER BY time DESC",
                 {"epoch": "s"}, id="subquery-fill-number-runs-raw-desc"),
    pytest.param("SELECT sum(a) FROM (SELECT min(code) AS a FROM events WHERE "
                 "time >= 1704067200000000000 AND time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(7m), source, level fill(linear)) GROUP BY /o/", {"epoch": "h"},
                 id="subquery-fill-linear-runs-sum"),
    pytest.param(f"SELECT * FROM (SELECT min(code) AS a FROM events WHERE {H1} "
                 "GROUP BY time(7m), source, level fill(linear)) GROUP BY source "
                 "ORDER BY time DESC", id="subquery-fill-linear-runs-raw-desc"),
    pytest.param(f"SELECT * FROM (SELECT max(usage_user) AS a FROM cpu WHERE {H1} "
                 "GROUP BY time(10m), host fill(previous))", id="subquery-fill-previous-runs"),
    pytest.param(f"SELECT * FROM (SELECT count(code) AS a FROM events WHERE {H1} "
                 "GROUP BY time(9m), source, level fill(5)) GROUP BY source",
                 id="subquery-fill-count-runs"),
    pytest.param(f"SELECT * FROM (SELECT * FROM (SELECT mean(used) AS a FROM mem WHERE {H1} "
                 "GROUP BY time(7m), host fill(1)))", id="subquery-fill-runs-read-raw"),
    pytest.param(f"SELECT * FROM (SELECT mean(used) AS a FROM mem WHERE {H1} "
                 "GROUP BY time(7m), host fill(1)) LIMIT 7", id="subquery-fill-runs-raw-limit"),
    pytest.param(f"SELECT * FROM (SELECT mean(used) AS a FROM mem WHERE {H1} "
                 "GROUP BY time(7m), host fill(1)) LIMIT 4 OFFSET 3",
                 id="subquery-fill-runs-raw-limit-offset"),
    pytest.param(f"SELECT * FROM (SELECT mean(used) AS a FROM mem WHERE {H1} "
                 "GROUP BY time(7m), host fill(1) ORDER BY time DESC) ORDER BY time DESC LIMIT 7",
                 id="subquery-fill-runs-raw-limit-desc"),
    pytest.param(f"SELECT a FROM (SELECT mean(used) AS a FROM mem WHERE {H1} "
                 "GROUP BY time(7m), host fill(1)) GROUP BY host LIMIT 3",
                 id="subquery-fill-runs-raw-limit-by-host"),
    pytest.param(f"SELECT a FROM (SELECT count(code) AS a FROM events WHERE {H1} "
                 "GROUP BY time(9m), source, level fill(5)) GROUP BY source LIMIT 5",
                 id="subquery-fill-runs-raw-limit-by-source"),
    pytest.param(f"SELECT * FROM (SELECT mean(a) AS a FROM (SELECT mean(used) AS a FROM mem "
                 f"WHERE {H1} GROUP BY time(5m), host) WHERE {H1} GROUP BY time(5m), host "
                 "fill(3))", id="subquery-fill-runs-nested"),
    # a parent's transformation reads the subquery's rows as its cursor emits them: the runs
    # one after the other, times going back between them (derivative's elapsed time negative)
    pytest.param("SELECT derivative(a) FROM (SELECT max(used) AS a FROM mem WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' "
                 "GROUP BY time(10m), host fill(previous))", id="subquery-fill-runs-derivative"),
    pytest.param("SELECT cumulative_sum(a) FROM (SELECT max(used) AS a FROM mem WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' "
                 "GROUP BY time(10m), host fill(-1)) ORDER BY time DESC",
                 id="subquery-fill-runs-cumulative-sum-desc"),
    pytest.param(f"SELECT difference(a) FROM (SELECT min(code) AS a FROM events WHERE {H1} "
                 "GROUP BY time(7m), source, level fill(linear)) GROUP BY source",
                 id="subquery-fill-linear-runs-difference"),
    pytest.param("SELECT non_negative_difference(a), elapsed(a) FROM (SELECT mean(usage_user) "
                 "AS a FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T00:30:00Z' GROUP BY time(10m), host, cpu fill(previous)) "
                 "GROUP BY region", id="subquery-fill-runs-two-transforms"),
    # a parent's one reduce iterator (median(), spread()...) without GROUP BY time opens
    # its window (the parent's range) at a point with a value and closes it at a point
    # outside: a run's leading null stamped before the lower bound ends the window, so each
    # run is a row (fuzz 368-793, 460-588; count() reduces the windows again: one row)
    *(pytest.param(f"SELECT {calls} FROM {RUNS_BEFORE_LOWER}{tail}",
                   id=f"subquery-fill-runs-window-closed-early-{ident}")
      for calls, tail, ident in (("spread(a)", " GROUP BY /nomatch/", "spread"),
                                 ("median(a)", "", "median"),
                                 ("top(a, 2)", "", "top"),
                                 ("distinct(a)", "", "distinct"),
                                 ("percentile(a, 50), stddev(a)", "", "percentile-stddev"),
                                 ("spread(a)", " LIMIT 2 OFFSET 1", "limit-offset"),
                                 ("spread(a)", " GROUP BY host", "by-host"),
                                 ("count(a), max(a)", "", "count"),
                                 # calls of both kinds: each answers its own rows, joined
                                 ("spread(a), max(a)", "", "beside-max"),
                                 ("spread(a), count(a)", "", "beside-count"))),
    # each call windows its own column: a run's leading null closes each one's windows
    *(pytest.param(f"SELECT {calls} FROM {RUNS_TWO_BEFORE_LOWER}",
                   id=f"subquery-fill-runs-window-closed-early-two-columns-{ident}")
      for calls, ident in (("spread(a), spread(b)", "spread"),
                           ("median(a), count(b)", "median-count"))),
    pytest.param("SELECT spread(a) FROM (SELECT first(v) AS a FROM single WHERE "
                 "time > '2023-12-24T00:00:00Z' AND time < '2024-01-01 03:00:00' "
                 "GROUP BY time(1h), * fill(linear)) WHERE time >= '2023-12-24T23:30:00Z' "
                 "AND time < 1704848400s", {"epoch": "ns"},
                 id="subquery-fill-runs-window-closed-early-linear"),
    # each call of a subquery has its runs of its own (server02 lacks usage_idle at 00:03),
    # joined at the least tag set and time among the calls' next points (the greatest under
    # DESC); a call without a point there reads fill's number or, under previous, its last
    *(pytest.param("SELECT * FROM (SELECT max(usage_user) AS a, max(usage_idle) AS b FROM "
                   "cpu WHERE host =~ /server0[12]/ AND time >= '2024-01-01T00:00:00Z' AND "
                   f"time < '2024-01-01T00:06:00Z' GROUP BY time(1m), host {fill}){order}",
                   {"epoch": "s"}, id=f"subquery-fill-runs-per-call-{ident}")
      for fill, order, ident in (("fill(-1)", "", "number"),
                                 ("fill(-1)", " ORDER BY time DESC", "number-desc"),
                                 ("fill(previous)", "", "previous"),
                                 ("fill(previous)", " ORDER BY time DESC", "previous-desc"),
                                 ("fill(linear)", " ORDER BY time DESC", "linear-desc"))),
    pytest.param("SELECT * FROM (SELECT max(usage_user) - min(usage_idle) AS d, "
                 "max(usage_idle) AS b FROM cpu WHERE host =~ /server0[12]/ AND "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:06:00Z' "
                 "GROUP BY time(1m), host fill(9))", {"epoch": "s"},
                 id="subquery-fill-runs-per-call-math"),
    # under DESC the greatest parent group is taken first, also where a call has no point
    # in some group (sparse x has no `a` there; disk /home's percentile selects nothing):
    # the other call's run of the group before is not cut in two (fuzz 401-132)
    *(pytest.param("SELECT a, d FROM (SELECT max(a) AS a, last(d) AS d FROM sparse WHERE "
                   "time >= '2024-01-01T00:27:30Z' AND time < '2024-01-01T00:37:00Z' "
                   f"GROUP BY time(5m), id {fill}) GROUP BY id ORDER BY time DESC",
                   id=f"subquery-fill-runs-per-call-group-missing-desc-{ident}")
      for fill, ident in (("fill(-1)", "number"), ("fill(previous)", "previous"))),
    pytest.param("SELECT b, a - 0.5 FROM (SELECT percentile(used_percent, 5) AS a, "
                 "max(inodes) AS b FROM disk WHERE time >= '2023-12-30T00:00:00Z' AND "
                 "time <= '2024-01-02T00:00:00Z' GROUP BY time(1d), host, path fill(0)) "
                 "GROUP BY path ORDER BY time DESC",
                 id="subquery-fill-runs-per-call-percentile-nothing-desc"),
    # a raw middle subquery reads the runs as they come, keyed by the outermost's GROUP BY;
    # its own GROUP BY tags only stay on the rows (a series per change of them)
    pytest.param("SELECT * FROM (SELECT a FROM (SELECT max(used) AS a FROM mem WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' "
                 "GROUP BY time(10m), host fill(-1)) GROUP BY host)", {"epoch": "s"},
                 id="subquery-fill-runs-raw-middle-group-by"),
    pytest.param("SELECT * FROM (SELECT a FROM (SELECT max(usage_user) AS a FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' "
                 "GROUP BY time(10m), host, cpu fill(previous)) GROUP BY *) ORDER BY time DESC",
                 {"epoch": "s"}, id="subquery-fill-runs-raw-middle-group-by-desc"),
    pytest.param("SELECT * FROM (SELECT a FROM (SELECT max(usage_user) AS a FROM cpu WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' "
                 "GROUP BY time(10m), host, cpu fill(-1)) GROUP BY host, cpu) GROUP BY region",
                 {"epoch": "s"}, id="subquery-fill-runs-raw-middle-parent-tag"),
    # without a lower bound each run fills from its own first bucket: 887,460 rows from ~600
    # runs, under the gateway's cap of ten million (whole-range runs would pass it)
    pytest.param("SELECT count(a) FROM (SELECT max(usage_user) AS a FROM cpu WHERE "
                 "time < '2024-01-01T06:00:00Z' GROUP BY time(10s), host fill(0))",
                 id="subquery-fill-runs-own-start-one-call"),
    pytest.param("SELECT count(a), sum(a) FROM (SELECT max(usage_user) AS a FROM cpu WHERE "
                 "time < '2024-01-01T06:00:00Z' GROUP BY time(10s), host fill(previous) "
                 "ORDER BY time DESC) ORDER BY time DESC",
                 id="subquery-fill-runs-own-start-one-call-desc"),
    # ...and an aggregate's rows without GROUP BY time series by series, whatever their times
    pytest.param(f"SELECT derivative(m) FROM (SELECT max(usage_user) AS m FROM cpu WHERE {H1} "
                 "GROUP BY host)", id="subquery-selector-rows-derivative"),
    # every row a subquery answers reaches a parent's raw rows, its nulls too
    pytest.param(f"SELECT b FROM (SELECT max(usage_user) AS a, stddev(usage_user) AS b "
                 f"FROM cpu WHERE {ONE} AND time < '2024-01-01T00:05:00Z' GROUP BY time(2m))",
                 id="subquery-null-rows-stddev"),
    pytest.param("SELECT a FROM (SELECT max(usage_user) AS a FROM cpu WHERE "
                 "time >= '2023-12-31T22:53:00Z' AND time < '2024-01-01T04:00:00Z' "
                 "GROUP BY time(1h) fill(linear))", id="subquery-null-rows-fill-linear"),
    pytest.param(f"SELECT usage_idle FROM (SELECT usage_idle, usage_user FROM cpu "
                 f"WHERE host = 'server02' AND {S})", id="subquery-null-rows-raw"),
    # ...but a raw parent whose every column is of unknown type (not the subquery's, not
    # cast to a kind or a tag) reads nothing; one known column beside them reads the rows,
    # and the subquery's GROUP BY tags are known, read alone too
    pytest.param("SELECT nosuch FROM (SELECT code FROM events)",
                 id="subquery-raw-parent-unknown-column"),
    pytest.param("SELECT nosuch + 1, other::field FROM (SELECT code FROM events) "
                 "WHERE code > 200 GROUP BY source", id="subquery-raw-parent-unknown-columns"),
    pytest.param("SELECT nosuch, code FROM (SELECT code FROM events)",
                 id="subquery-raw-parent-unknown-beside-known"),
    pytest.param("SELECT nosuch::integer, other::tag FROM (SELECT code FROM events)",
                 id="subquery-raw-parent-unknown-cast"),
    pytest.param("SELECT nosuch, source FROM (SELECT code FROM events GROUP BY source)",
                 id="subquery-raw-parent-unknown-beside-tag"),
    pytest.param("SELECT level FROM (SELECT max(code) FROM events GROUP BY source, level)",
                 id="subquery-raw-parent-tag-alone"),
    pytest.param("SELECT source FROM (SELECT code FROM events)",
                 id="subquery-raw-parent-ungrouped-tag-unknown"),
    pytest.param("SELECT nosuch FROM (SELECT code FROM events), events",
                 id="subquery-raw-parent-unknown-beside-measurement"),
    # its stddev() of one point is a NaN the parent reads as a point: count() counts it,
    # sum(), mean() and spread() are null, min()/max()/stddev() skip it, a transformation's
    # row stays; a true null (a missing value) is no point, and a comparison fails for both
    pytest.param(f"SELECT count(b), mean(b), sum(b), spread(b), max(b), min(b), last(b) FROM "
                 f"(SELECT max(usage_user) AS a, stddev(usage_user) AS b FROM cpu WHERE {ONE} "
                 "AND time < '2024-01-01T00:05:00Z' GROUP BY time(2m))",
                 id="subquery-nan-rows-aggregates"),
    pytest.param(f"SELECT count(b), mean(b) FROM (SELECT stddev(usage_user) AS b FROM cpu "
                 f"WHERE {ONE} AND time < '2024-01-01T00:05:00Z' GROUP BY time(2m)) "
                 # bounded: open-ended, the buckets run to each server's now(), and a 4 m
                 # boundary passing between the two requests made the answers differ
                 "WHERE time < '2024-01-01T00:12:00Z' GROUP BY time(4m)",
                 id="subquery-nan-rows-by-time"),
    pytest.param(f"SELECT cumulative_sum(b), difference(b) FROM (SELECT stddev(usage_user) "
                 f"* 2 AS b FROM cpu WHERE {ONE} AND time < '2024-01-01T00:05:00Z' "
                 "GROUP BY time(2m))", id="subquery-nan-rows-transform"),
    pytest.param(f"SELECT count(b), stddev(b), max(b) FROM (SELECT stddev(usage_user) AS b "
                 f"FROM cpu WHERE {ONE} AND time < '2024-01-01T00:05:00Z' GROUP BY time(2m) "
                 "fill(0)) WHERE b >= 1 OR b = 0", id="subquery-nan-rows-where"),
    # min()/max() keep a NaN they read first (the newest under DESC): null at its time
    pytest.param("SELECT max(s) FROM (SELECT stddev(code) AS s FROM events WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' "
                 "GROUP BY time(4m)) ORDER BY time DESC", id="subquery-nan-first-max-desc"),
    pytest.param("SELECT max(s), min(s) FROM (SELECT stddev(code) AS s FROM events WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' "
                 "GROUP BY time(4m)) ORDER BY time DESC", id="subquery-nan-first-max-min-desc"),
    pytest.param("SELECT min(s) FROM (SELECT stddev(code) AS s FROM events WHERE "
                 "time >= '2024-01-01T00:04:00Z' AND time < '2024-01-01T00:30:00Z' "
                 "GROUP BY time(4m))", id="subquery-nan-first-min"),
    pytest.param("SELECT max(s), mean(s) FROM (SELECT stddev(code) AS s FROM events WHERE "
                 "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:30:00Z' "
                 "GROUP BY time(4m), source) GROUP BY time(8m), source ORDER BY time DESC",
                 id="subquery-nan-first-max-by-time-desc"),
    pytest.param("SELECT count(a), mean(a) FROM (SELECT max(usage_idle) AS a, "
                 "max(usage_user) AS b FROM cpu WHERE host = 'server02' AND "
                 f"{S} GROUP BY time(1m))", id="subquery-null-rows-not-counted"),
    # first()/last() over a subquery's rows tied on time reduce every one of them (1.x's
    # two-point shortcut is the storage engine's): the larger value wins, the larger text,
    # and of booleans first() keeps false, last() true
    pytest.param("SELECT last(a) FROM (SELECT max(usage_system) AS a FROM cpu WHERE "
                 f"{H1} GROUP BY time(1h), cpu, region) GROUP BY /nomatch/ LIMIT 2",
                 {"epoch": "m"}, id="subquery-last-of-tied-rows"),
    pytest.param("SELECT first(m), last(m), first(o), last(o), count(o) FROM (SELECT "
                 f"last(message) AS m, last(ok) AS o FROM events WHERE {W} "
                 "GROUP BY time(1h), level, source)", id="subquery-first-last-tied-text-bools"),
]

WHERE = [
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server01' AND cpu = 'cpu0' AND "
                 "time > '2024-01-01T00:05:00Z' AND time <= '2024-01-01T00:08:00Z'",
                 id="rfc3339-bounds"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server04' AND "
                 "time >= '2024-01-01 00:05:00' AND time < '2024-01-01 00:07:00'",
                 id="datetime-without-t"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server04' AND "
                 "time >= '2024-01-01T01:05:00.5+01:00' AND time < '2024-01-01T00:08:00Z'",
                 id="rfc3339-offset-fraction"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server04' AND "
                 "time >= '2024-01-01' AND time < '2024-01-01T00:02:00Z'", id="date-only"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server04' AND "
                 "time >= 1704067200000000000 AND time < 1704067500000000000",
                 id="integer-ns-bounds"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server04' AND "
                 "time >= 1704067200s AND time < 1704067380s", id="integer-seconds-suffix"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server04' AND "
                 "time >= 1704067200000ms AND time < 28401125m", id="integer-ms-and-minutes"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server04' AND "
                 "time >= 473352h AND time < 1704067320000000u", id="integer-hours-and-us"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server04' AND "
                 "time = '2024-01-01T00:03:00Z'", id="time-equals"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server04' AND "
                 "time >= '2024-01-01T00:00:00Z' + 5m AND time < '2024-01-01T00:10:00Z' - 2m",
                 id="time-literal-arithmetic"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server04' AND "
                 "time > '2024-01-01T01:00:00Z' - 1h5m AND time < '2024-01-01T00:00:00Z' + 90s",
                 id="compound-duration"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server01' AND cpu = 'cpu0' AND "
                 "time > now() - 100000d", id="now-lower-bound"),
    pytest.param("SELECT count(usage_user) FROM cpu WHERE time > '2023-01-01T00:00:00Z' "
                 "AND time < now() + 1000w", id="now-both-bounds"),
    pytest.param("SELECT usage_user FROM cpu WHERE time > now()", id="now-future-empty"),
    pytest.param("SELECT count(usage_user) FROM cpu WHERE time < now() - 10w", id="now-upper"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server01' AND cpu = 'cpu0' AND "
                 "time < '2024-01-01T00:00:00Z'", id="before-window"),
    pytest.param("SELECT usage_user FROM cpu WHERE time >= '2024-01-02T00:00:00Z'",
                 id="after-window"),
    pytest.param("SELECT * FROM cpu WHERE host = 'server01' AND cpu = 'cpu0' AND "
                 "(time < '2024-01-01T00:00:00Z' OR time > '2024-01-01T02:00:00Z')",
                 id="time-or-outside"),
    # a side of an OR left with only time drops out: the other side still filters
    pytest.param("SELECT bytes FROM counters WHERE host = 'server01' OR "
                 "time = '2024-01-01T00:00:00Z'", id="time-or-tag-keeps-tag"),
    pytest.param("SELECT bytes FROM counters WHERE bytes < 0 AND (time >= "
                 "'2024-01-01T00:00:00Z' AND time < '2024-01-02T00:00:00Z') OR "
                 "time = '2024-01-01T00:00:00Z'", id="time-or-field-keeps-field"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE host = 'server02' AND {S}", id="tag-equals"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE host != 'server01' AND {S} GROUP BY *",
                 id="tag-not-equals"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE host <> 'server01' AND {S} GROUP BY *",
                 id="tag-angle-not-equals"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE host =~ /^server0[13]$/ AND {S} GROUP BY *",
                 id="tag-regex"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE host !~ /01/ AND {S} GROUP BY *",
                 id="tag-not-regex"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE cpu = '' AND {S}", id="tag-empty-missing"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE cpu != '' AND host = 'server01' AND {S} "
                 "GROUP BY *",
                 id="tag-not-empty"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE host = 'nosuch' AND {S}",
                 id="tag-no-match"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE nosuchtag = 'x' AND {S}",
                 id="unknown-tag-equals"),
    pytest.param(f"SELECT * FROM disk WHERE path = '/var' AND {S}", id="tag-with-slash"),
    pytest.param(f"SELECT * FROM disk WHERE path =~ /^\\/(var|home)$/ AND {W} GROUP BY path",
                 id="regex-escaped-slash"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE usage_user > 40 AND {S} GROUP BY *",
                 id="field-gt"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE usage_user >= 45 OR usage_user <= 1 AND {S}",
                 id="and-binds-tighter"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE (usage_user >= 45 OR usage_user <= 1) "
                 f"AND {S}", id="or-in-parentheses"),
    pytest.param(f"SELECT temp FROM cpu WHERE temp = 0 AND {W}", id="field-equals-zero"),
    pytest.param(f"SELECT temp FROM cpu WHERE temp < -18 AND {W}", id="field-negative"),
    pytest.param(f"SELECT used FROM mem WHERE used = 0 AND {W}", id="int-field-zero"),
    pytest.param(f"SELECT used FROM mem WHERE used > 1500.5 AND {S}", id="int-field-vs-float"),
    pytest.param(f"SELECT * FROM events WHERE message = 'started' AND {W}", id="string-field-eq"),
    pytest.param(f"SELECT message FROM events WHERE message =~ /retry/ AND {W}",
                 id="string-field-regex"),
    pytest.param(f"SELECT message, ok FROM events WHERE ok = false AND {W}", id="bool-field"),
    pytest.param(f"SELECT message FROM events WHERE ok = true AND level = 'warn' AND {W}",
                 id="bool-and-tag"),
    pytest.param(f"SELECT code FROM events WHERE code + 1 > 300 AND {W}", id="field-math-where"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE usage_user > usage_system * 4 AND {S}",
                 id="field-vs-field"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE (host = 'server01' OR host = 'server03') "
                 f"AND usage_user < 10 AND {W}", id="tag-or-and-field"),
    # runs of 64 operators or more are regrouped as balanced trees (expr.balanced)
    pytest.param("SELECT usage_user FROM cpu WHERE ("
                 + " OR ".join([f"host = 'x{i}'" for i in range(150)]
                               + ["host = 'server01'", "host = 'server03'"])
                 + f") AND {W}", id="long-or-run"),
    pytest.param("SELECT usage_user FROM cpu WHERE "
                 + " AND ".join(f"host != 'x{i}'" for i in range(100)) + f" AND {W}",
                 id="long-and-run-with-time"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE host = 'server01' OR usage_user > 48 "
                 f"AND {W} GROUP BY *", id="tag-or-field-unbounded"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE \"host\" = 'server02' AND {S}",
                 id="quoted-tag-key"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE host::tag = 'server02' AND {S}",
                 id="cast-in-where"),
    pytest.param(f"SELECT b FROM sparse WHERE a > 0 AND {W}", id="where-on-missing-field"),
    pytest.param(f"SELECT a FROM sparse WHERE id = 'y' AND {W}", id="sparse-tag"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE 'server02' = host AND {S}",
                 id="literal-on-left"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE true AND host = 'server04' AND {S}",
                 id="where-true"),
]

GROUPING = [
    pytest.param(f"SELECT latency FROM events WHERE {W} GROUP BY source", id="raw-group-by-tag"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {S} GROUP BY host, cpu", id="raw-two-tags"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {S} GROUP BY *", id="raw-group-by-star"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {S} GROUP BY /^(host|cpu)$/",
                 id="raw-group-by-regex"),
    pytest.param(f"SELECT latency FROM events WHERE {W} GROUP BY nosuchtag",
                 id="raw-group-by-unknown-tag"),
    # a tag the measurement lacks beside one it has: each series answers it empty (the
    # translator leaves it out of the SQL's GROUP BY, ORDER BY and PARTITION BY)
    pytest.param(f"SELECT usage_user FROM cpu WHERE {S} GROUP BY host, nosuchtag LIMIT 2",
                 id="raw-limit-group-by-unknown-and-known-tag"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY time(30m), nosuchtag, "
                 "host", id="group-by-time-unknown-and-known-tag"),
    pytest.param(f"SELECT last(usage_user), max(usage_idle) FROM cpu WHERE {W} "
                 "GROUP BY nosuchtag, cpu", id="selectors-group-by-unknown-and-known-tag"),
    pytest.param(f"SELECT last(usage_user) FROM cpu WHERE {W} GROUP BY nosuchtag, cpu",
                 id="last-group-by-unknown-and-known-tag"),
    pytest.param(f"SELECT mean(m) FROM (SELECT max(usage_user) AS m FROM cpu WHERE {W} "
                 "GROUP BY time(30m), host) GROUP BY host, nosuchtag",
                 id="subquery-group-by-unknown-and-known-tag"),
    pytest.param(f"SELECT * FROM cpu WHERE {S} AND host = 'server01' GROUP BY cpu",
                 id="wildcard-group-by-removes-tag"),
    # any GROUP BY regex leaves no tag among the wildcard's columns (found by the fuzzer)
    pytest.param("SELECT * FROM events WHERE time < '2024-01-01T00:10:00Z' GROUP BY /lev/",
                 id="wildcard-group-by-regex-removes-every-tag"),
    pytest.param("SELECT *::tag, code FROM events WHERE time < '2024-01-01T00:10:00Z' "
                 "GROUP BY /nomatch/, level", id="tag-wildcard-group-by-regex"),
    pytest.param(f"SELECT code FROM events WHERE {W} GROUP BY level ORDER BY time DESC",
                 id="group-by-order-desc"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY time(15m)",
                 id="group-by-time"),
    # without a lower bound each series' fill starts at its own first point (DESC: stops
    # there), not at the earliest of all series; each count() at its own (found by the fuzzer)
    pytest.param(f"SELECT max(usage_idle) {NOLOW} fill(previous) ORDER BY time DESC",
                 id="no-lower-bound-fill-per-series-desc"),
    pytest.param(f"SELECT max(usage_idle) {NOLOW} fill(1)", id="no-lower-bound-fill-per-series"),
    pytest.param(f"SELECT max(usage_idle) {NOLOW}", id="no-lower-bound-fill-null-per-series"),
    pytest.param("SELECT double_exponential_moving_average(max(usage_idle), 5) FROM cpu "
                 "WHERE time < '2024-01-01 00:07:30' GROUP BY cpu, time(1h), region, host "
                 "fill(previous) ORDER BY time DESC", {"epoch": "u"},
                 id="no-lower-bound-transform-fill-previous-desc"),
    pytest.param("SELECT mean(a), count(c) FROM sparse WHERE time < '2024-01-01T01:00:00Z' "
                 "GROUP BY time(5m), id", id="no-lower-bound-count-from-own-first"),
    pytest.param("SELECT count(c) + 0, count(d) FROM sparse "
                 "WHERE time < '2024-01-01T01:00:00Z' GROUP BY time(5m), id ORDER BY time DESC",
                 id="no-lower-bound-count-from-own-first-desc"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY time(15m, 5m)",
                 id="group-by-time-offset"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY time(15m, -5m)",
                 id="group-by-time-negative-offset"),
    pytest.param(f"SELECT count(usage_user) FROM cpu WHERE {W} GROUP BY time(7m)",
                 id="group-by-time-uneven"),
    pytest.param("SELECT count(usage_user) FROM cpu WHERE time >= '2024-01-01T00:03:00Z' "
                 "AND time < '2024-01-01T01:00:00Z' GROUP BY time(20m)",
                 id="group-by-time-partial-first-bucket"),
    pytest.param(f"SELECT max(usage_user) FROM cpu WHERE {W} GROUP BY time(30m), host",
                 id="group-by-time-and-tag"),
    pytest.param(f"SELECT max(usage_user) FROM cpu WHERE {W} GROUP BY host, time(30m)",
                 id="group-by-tag-and-time"),
    pytest.param(f"SELECT min(usage_user) FROM cpu WHERE {W} GROUP BY time(1h), *",
                 id="group-by-time-and-star"),
    pytest.param(f"SELECT count(used) FROM mem WHERE {W} GROUP BY time(1d)", id="group-by-day"),
    pytest.param(f"SELECT count(used) FROM mem WHERE {W} GROUP BY time(1w)", id="group-by-week"),
    pytest.param(f"SELECT count(used) FROM mem WHERE {W} GROUP BY time(90s)",
                 id="group-by-90s-gaps"),
    pytest.param("SELECT count(usage_user) FROM cpu WHERE host = 'server01' AND "
                 "time <= '2024-01-01T02:00:00Z' GROUP BY time(1d)",
                 id="group-by-time-no-lower-bound"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE host = 'server03' AND {H1} "
                 "GROUP BY time(10m)", id="gap-default-fill"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE host = 'server03' AND {W} "
                 "GROUP BY time(10m) fill(null)", id="fill-null"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE host = 'server03' AND {W} "
                 "GROUP BY time(10m) fill(none)", id="fill-none"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE host = 'server03' AND {W} "
                 "GROUP BY time(10m) fill(previous)", id="fill-previous"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE host = 'server03' AND {W} "
                 "GROUP BY time(10m) fill(linear)", id="fill-linear"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE host = 'server03' AND {W} "
                 "GROUP BY time(10m) fill(-1)", id="fill-number"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE host = 'server03' AND {W} "
                 "GROUP BY time(10m) fill(0.5)", id="fill-float"),
    pytest.param(f"SELECT count(usage_user) FROM cpu WHERE host = 'server03' AND {W} "
                 "GROUP BY time(10m) fill(7)", id="fill-count-number"),
    pytest.param(f"SELECT count(usage_user) FROM cpu WHERE host = 'server03' AND {W} "
                 "GROUP BY time(10m)", id="count-fills-zero"),
    pytest.param(f"SELECT sum(used) FROM mem WHERE {W} GROUP BY time(4m) fill(linear) LIMIT 8",
                 id="fill-linear-integers"),
    pytest.param(f"SELECT max(used) FROM mem WHERE {W} GROUP BY time(4m) fill(previous) "
                 "LIMIT 8", id="fill-previous-integers"),
    pytest.param(f"SELECT mean(used_percent) FROM disk WHERE path = '/home' AND {W} "
                 "GROUP BY time(10m) fill(linear)", id="fill-linear-disk-gap"),
    pytest.param(f"SELECT mean(a), mean(b) FROM sparse WHERE {W} GROUP BY time(5m) "
                 "fill(previous) LIMIT 10", id="fill-previous-two-fields"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY time(10m), host "
                 "fill(none)", id="fill-none-by-host"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE host = 'server03' AND {W} "
                 "GROUP BY time(10m) fill(previous) ORDER BY time DESC",
                 id="fill-previous-desc"),
    pytest.param(f"SELECT first(message) FROM events WHERE {W} GROUP BY time(20m) fill(none)",
                 id="fill-none-strings"),
    pytest.param(f"SELECT last(ok) FROM events WHERE {W} GROUP BY time(10m) fill(previous)",
                 id="fill-previous-booleans"),
    # fill(linear) is 1.x's `m*x + b` over bucket numbers from the point before in the
    # answer's order; rounded otherwise, the derivatives' signs below flip
    pytest.param("SELECT chande_momentum_oscillator(derivative(spread(usage_idle), 1m), 2, 0) "
                 "FROM cpu WHERE host = 'server01' AND time <= '2024-01-31T00:00:00Z' "
                 "AND time >= '2024-01-01T00:00:00Z' GROUP BY time(1d, -5m), cpu fill(linear)",
                 id="fill-linear-rounding-slope-per-bucket"),
    pytest.param("SELECT chande_momentum_oscillator(derivative(spread(usage_idle), 1m), 2, 0) "
                 "FROM cpu WHERE host = 'server01' AND time <= '2024-01-31T00:00:00Z' "
                 "AND time >= '2024-01-01T00:00:00Z' GROUP BY time(1d, -5m), cpu fill(linear) "
                 "ORDER BY time DESC", id="fill-linear-rounding-desc"),
    pytest.param(f"SELECT last(ok), mean(code), last(message) FROM events WHERE {W} "
                 "GROUP BY time(1m) fill(linear) LIMIT 8", id="fill-linear-booleans-text-null"),
]

ORDER_AND_PAGING = [
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} ORDER BY time DESC", id="order-desc"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} ORDER BY time ASC", id="order-asc"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} ORDER BY time DESC LIMIT 3",
                 id="order-desc-limit"),
    pytest.param(f"SELECT * FROM cpu WHERE {S} GROUP BY * ORDER BY time DESC LIMIT 1",
                 id="order-desc-per-series"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 3", id="limit"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 3 OFFSET 2", id="limit-offset"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} OFFSET 8", id="offset-only"),
    # ...as the storage read hands on OFFSET + 1 points of each group from each 7-day shard
    # group, every row after the offset of those (fuzz with IQLFUZZ_OFFSET: 481-96, 480-42)
    pytest.param("SELECT usage_idle FROM cpu WHERE time < '2024-01-10 01:00:00' "
                 "GROUP BY cpu, region, host OFFSET 1", id="offset-only-shard-groups"),
    pytest.param("SELECT usage_idle FROM cpu WHERE host = 'server01' ORDER BY time DESC "
                 "OFFSET 2", id="offset-only-shard-groups-desc"),
    pytest.param("SELECT host, delta FROM mem GROUP BY * OFFSET 2",
                 id="offset-only-shard-groups-mem"),
    pytest.param("SELECT usage_idle FROM cpu WHERE time >= '2023-12-20T00:00:00Z' AND "
                 "time < '2024-01-20T00:00:00Z' OFFSET 1000",
                 id="offset-only-shard-groups-past-every-cut"),
    # ...the cut among rows of one time in 1.x's heap order (server04 lacks `cpu`)
    pytest.param("SELECT * FROM cpu OFFSET 3", id="offset-only-shard-groups-heap"),
    pytest.param("SELECT * FROM cpu GROUP BY region ORDER BY time DESC OFFSET 2",
                 id="offset-only-shard-groups-heap-desc"),
    pytest.param(f"SELECT * FROM cpu WHERE {S} ORDER BY time DESC OFFSET 3",
                 id="offset-only-heap-desc"),
    # OFFSET without LIMIT answers one row only where the storage read stops after OFFSET +
    # LIMIT + 1 points (raw fields, top/bottom without tags); functions reading the whole
    # range, and every read of a subquery's rows, answer every row after the offset
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {S} GROUP BY time(1m) OFFSET 2",
                 id="offset-only-aggregate-by-time"),
    pytest.param(f"SELECT distinct(usage_idle) FROM cpu WHERE host = 'server01' AND {S} "
                 "OFFSET 2", id="offset-only-distinct"),
    pytest.param(f"SELECT cumulative_sum(usage_user) FROM cpu WHERE {ONE} OFFSET 3",
                 id="offset-only-transformation"),
    pytest.param(f"SELECT top(usage_idle, 5) FROM cpu WHERE host = 'server01' AND {S} "
                 "OFFSET 2", id="offset-only-top-read-cut"),
    # ...top() reads OFFSET + 1 points in each shard group, and answers all after the offset
    pytest.param("SELECT top(usage_system, 5) FROM cpu WHERE time <= '2024-01-01T00:00:45Z' "
                 "AND time >= '2023-12-24T00:00:00Z' GROUP BY time(30m) OFFSET 4",
                 id="offset-only-top-read-cut-shard-groups"),
    pytest.param(f"SELECT a FROM (SELECT usage_idle AS a FROM cpu WHERE host = 'server01' "
                 f"AND {S}) OFFSET 2", id="offset-only-subquery-raw"),
    # ...and a subquery's top()/bottom() read every row under LIMIT too
    pytest.param(f"SELECT top(a, 2) FROM (SELECT usage_idle AS a FROM cpu WHERE "
                 f"host = 'server01' AND {S}) LIMIT 2 OFFSET 1", id="top-limit-subquery-reads-all"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 3 OFFSET 100",
                 id="offset-past-end"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 0", id="limit-zero"),
    pytest.param(f"SELECT code FROM events WHERE {W} GROUP BY source LIMIT 2",
                 id="limit-per-series"),
    pytest.param(f"SELECT code FROM events WHERE {W} LIMIT 4 OFFSET 1",
                 id="limit-merged-series"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {S} GROUP BY * SLIMIT 2", id="slimit"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {S} GROUP BY * SLIMIT 2 SOFFSET 1",
                 id="slimit-soffset"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {S} GROUP BY * SOFFSET 4", id="soffset-only"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {S} GROUP BY * LIMIT 1 SLIMIT 3 SOFFSET 1",
                 id="limit-slimit-soffset"),
    # server03 has no point in 00:35-00:37 yet keeps its place among the series SLIMIT counts
    # (1.x pages its index's tag sets, sorted by key: server04 without `cpu` comes last)
    pytest.param(f"SELECT usage_user FROM cpu WHERE {GAP} GROUP BY * SLIMIT 4",
                 id="slimit-empty-series"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {GAP} GROUP BY * SLIMIT 2 SOFFSET 2",
                 id="slimit-soffset-empty-series"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {GAP} GROUP BY * SLIMIT 2 SOFFSET 3",
                 id="slimit-soffset-last-tag-set"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {GAP} GROUP BY * ORDER BY time DESC "
                 "SLIMIT 2 SOFFSET 1", id="slimit-desc-empty-series"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {GAP} GROUP BY host SLIMIT 3",
                 id="slimit-by-host-empty-group"),
    pytest.param(f"SELECT count(usage_user) FROM cpu WHERE {GAP} GROUP BY time(1m), * "
                 "SLIMIT 2 SOFFSET 2", id="slimit-by-time-empty-series"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {GAP} AND region =~ /us/ GROUP BY * "
                 "SLIMIT 2 SOFFSET 1", id="slimit-tag-condition-empty-series"),
    pytest.param("SELECT v FROM gauge WHERE time = '2024-01-01T00:10:00Z' GROUP BY * SLIMIT 1",
                 id="slimit-series-without-field"),
    # the index SLIMIT pages is the shard groups 1.x maps: the range with a transformation's
    # bucket after it under DESC, so an inverted range ending where a group starts still
    # pages that group's series
    pytest.param("SELECT difference(mean(temp)) FROM cpu WHERE time >= '2024-01-01T00:13:00Z' "
                 "AND time < '2024-01-01T00:00:00Z' GROUP BY time(17m), host "
                 "ORDER BY time DESC SLIMIT 2 SOFFSET 1", id="slimit-inverted-range-mapped-group"),
    pytest.param("SELECT difference(mean(temp)) FROM cpu WHERE time >= '2024-01-01T00:13:00Z' "
                 "AND time < '2024-01-01T00:00:00Z' GROUP BY time(17m), host SLIMIT 2",
                 id="slimit-inverted-range-mapped-group-asc"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY time(10m) LIMIT 3 "
                 "OFFSET 2", id="aggregate-limit-offset"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY time(30m), host "
                 "SLIMIT 2", id="aggregate-slimit"),
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY time(30m) "
                 "ORDER BY time DESC LIMIT 2", id="aggregate-desc-limit"),
]

TIMEZONES = [
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 3 tz('America/Chicago')",
                 id="tz-raw"),
    pytest.param(f"SELECT count(usage_user) FROM cpu WHERE {W} GROUP BY time(1h) "
                 "tz('Asia/Kolkata')", id="tz-half-hour-offset"),
    pytest.param("SELECT count(used) FROM mem WHERE time >= '2023-12-31T00:00:00Z' AND "
                 "time < '2024-01-02T00:00:00Z' GROUP BY time(1d) tz('America/New_York')",
                 id="tz-day-buckets"),
    pytest.param("SELECT count(used) FROM mem WHERE time >= '2023-12-31T00:00:00Z' AND "
                 "time < '2024-01-02T00:00:00Z' GROUP BY time(1d) fill(none) "
                 "tz('Europe/Paris')", id="tz-day-fill-none"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 2 tz('UTC')", id="tz-utc"),
    pytest.param(f"SELECT first(usage_user) FROM cpu WHERE {W} GROUP BY time(1h) "
                 "tz('Australia/Adelaide')", id="tz-selector"),
    pytest.param("SELECT usage_user FROM cpu WHERE host = 'server04' AND "
                 "time >= '2024-01-01T01:00:00+01:00' AND time < '2024-01-01T00:03:00Z' "
                 "tz('Europe/Berlin')", id="tz-with-offset-literal"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 2 tz('America/Chicago')",
                 {"epoch": "s"}, id="tz-with-epoch"),
]

MULTI = [
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 1; SELECT used FROM mem "
                 f"WHERE {S} LIMIT 1", id="two-statements"),
    pytest.param("SHOW DATABASES; SHOW MEASUREMENTS; SELECT count(v) FROM single",
                 id="three-statements"),
    pytest.param(f"SELECT * FROM nosuch; SELECT usage_user FROM cpu WHERE {ONE} LIMIT 1",
                 id="empty-then-result"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 1;", id="trailing-semicolon"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 1; SELECT foo(x) FROM cpu",
                 id="second-statement-error"),
    pytest.param(f"SELECT foo(x) FROM cpu; SELECT usage_user FROM cpu WHERE {ONE} LIMIT 1",
                 id="first-statement-error"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 1; SELECT foo(x) FROM cpu; "
                 f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 1", id="middle-statement-error"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 1; SELECT FROM",
                 id="second-statement-unparseable"),
]

EPOCHS = [
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 2", {"epoch": e}, id=f"epoch-{e}")
    for e in ("ns", "u", "µ", "ms", "s", "m", "h")
] + [
    pytest.param(f"SELECT mean(usage_user) FROM cpu WHERE {W} GROUP BY time(20m)",
                 {"epoch": "s"}, id="epoch-s-aggregate"),
    pytest.param("SELECT * FROM cpu WHERE host = 'server01' AND cpu = 'cpu0' AND "
                 "time < '2024-01-01T00:00:00Z'", {"epoch": "h"}, id="epoch-h-old-point"),
    pytest.param("SHOW MEASUREMENTS", {"epoch": "s"}, id="epoch-show"),
    pytest.param(f"SELECT usage_user FROM cpu WHERE {ONE} LIMIT 2", {"epoch": "x"},
                 id="epoch-unknown"),
]

CASES = PROJECTIONS + SOURCES + WHERE + GROUPING + ORDER_AND_PAGING + TIMEZONES + MULTI + EPOCHS
