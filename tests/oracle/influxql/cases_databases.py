"""One measurement named in two databases (`FROM "iql".."m", "iql_db2".."m"`): 1.x reads one
measurement holding both databases' series, pages each database's index apart, and reads a
field stored as different types as the first of them.

Each case is `pytest.param(statement[, request_params], id=...)`, run against the main
database.
"""

from __future__ import annotations

import pytest

from .cases_select import ONE, S

#: cpu in both databases.
CPU2 = '"iql".."cpu", "iql_db2".."cpu"'
#: twin in both databases (a float field in one, an integer in the other), either order.
TWIN = '"iql".."twin", "iql_db2".."twin"'
TWIN_REVERSED = '"iql_db2".."twin", "iql".."twin"'
#: pair in both databases: three series in one, two in the other, ties at 00:00 and 00:03.
PAIR = '"iql".."pair", "iql_db2".."pair"'
PAIR_REVERSED = '"iql_db2".."pair", "iql".."pair"'
#: mixed in both databases: each field a number or boolean in one, text in the other.
MIXED = '"iql".."mixed", "iql_db2".."mixed"'
MIXED_REVERSED = '"iql_db2".."mixed", "iql".."mixed"'

CASES = [
    # one measurement name in two databases: 1.x reads one measurement holding both's series,
    # but pages each database's index apart (SLIMIT 2 answers two series of each)
    # (raw cases group by series: rows of different series at one time come in no fixed order)
    pytest.param(f'SELECT usage_user FROM {CPU2} WHERE {S} GROUP BY *', id="same-name-two-dbs"),
    pytest.param(f"SELECT * FROM {CPU2} WHERE {S} AND host =~ /server01|db2host/ GROUP BY *",
                 id="same-name-two-dbs-wildcard"),
    pytest.param(f"SELECT usage_user FROM {CPU2} WHERE {ONE}", id="same-name-two-dbs-one-series"),
    pytest.param(f"SELECT mean(usage_user) FROM {CPU2} WHERE {S}", id="same-name-two-dbs-mean"),
    pytest.param(f"SELECT mean(usage_user) FROM {CPU2} WHERE {S} GROUP BY host",
                 id="same-name-two-dbs-by-host"),
    pytest.param(f"SELECT count(usage_user), max(usage_user) FROM {CPU2} WHERE {S} "
                 "GROUP BY time(2m)", id="same-name-two-dbs-by-time"),
    pytest.param(f"SELECT last(usage_user) FROM {CPU2}", id="same-name-two-dbs-last"),
    pytest.param(f'SELECT count(usage_user) FROM {CPU2}, "iql_db2".."cpu" WHERE {S}',
                 id="same-name-two-dbs-twice"),
    pytest.param(f"SELECT usage_user FROM {CPU2} WHERE {S} GROUP BY * SLIMIT 2",
                 id="same-name-two-dbs-slimit"),
    pytest.param(f"SELECT mean(usage_user) FROM {CPU2} WHERE {S} GROUP BY host SLIMIT 2 "
                 "SOFFSET 1", id="same-name-two-dbs-slimit-soffset"),
    # one series in both databases, `v` a float in one and an integer in the other, points at
    # the same time and at different times: one series, both's points, tied times in FROM
    # order; aggregates over both; first() of the tie keeps the larger value, whatever the order
    pytest.param(f"SELECT v FROM {TWIN} WHERE {S}", id="twin-types-raw"),
    pytest.param(f"SELECT * FROM {TWIN_REVERSED} WHERE {S} GROUP BY *",
                 id="twin-types-raw-reversed"),
    pytest.param(f"SELECT mean(v), sum(v), count(v), max(v), min(v), spread(v) FROM {TWIN} "
                 f"WHERE {S}", id="twin-types-aggregates"),
    pytest.param(f"SELECT sum(v), first(v), last(v) FROM {TWIN} WHERE {S} GROUP BY time(1m)",
                 id="twin-types-by-time"),
    pytest.param(f"SELECT first(v) FROM {TWIN}", id="twin-types-first"),
    pytest.param(f"SELECT first(v) FROM {TWIN_REVERSED}", id="twin-types-first-reversed"),
    pytest.param(f"SELECT first(v), last(v) FROM {TWIN} WHERE {S}",
                 id="twin-types-first-last"),
    # pair: each database's first()/last() point is picked apart (its tied series merged as
    # usual), then the larger of the databases' picks wins a tie on time, in either FROM order
    pytest.param(f"SELECT first(u) FROM {PAIR}", id="pair-first"),
    pytest.param(f"SELECT last(u) FROM {PAIR_REVERSED}", id="pair-last-reversed"),
    pytest.param(f"SELECT first(u), last(u) FROM {PAIR} WHERE {S} GROUP BY host",
                 id="pair-first-last-by-host"),
    pytest.param(f"SELECT first(u), last(u), max(u) FROM {PAIR_REVERSED} WHERE {S} "
                 "GROUP BY time(1m)", id="pair-by-time"),
    pytest.param(f"SELECT first(u), mean(u), last(u) FROM {PAIR_REVERSED} WHERE {S}",
                 id="pair-beside-mean"),
    # beside a raw transformation, a percentile() selecting nothing of a series (host c) is a
    # nil 1.x's cursor peeks: that scan shows the transformation's row of host a first, then
    # b's and a's percentile points, host a answered in two pieces (fuzz 324-1247)
    pytest.param(f"SELECT percentile(u, 20), non_negative_difference(k) FROM {PAIR} WHERE "
                 "time > '2023-12-31T22:53:00Z' AND time < '2024-01-31T00:00:00Z' "
                 "GROUP BY host ORDER BY time DESC", id="pair-percentile-nil-beside-transform"),
    pytest.param(f"SELECT percentile(u, 20), difference(k) FROM {PAIR} WHERE "
                 "time > '2023-12-31T22:53:00Z' AND time < '2024-01-31T00:00:00Z' "
                 "GROUP BY host fill(4) ORDER BY time DESC", {"chunked": "true"},
                 id="pair-percentile-nil-beside-transform-fill-chunked"),
    pytest.param(f"SELECT first(k), last(k) FROM {PAIR_REVERSED} WHERE {S}",
                 id="pair-types-first-last"),
    pytest.param(f"SELECT first(k) FROM {PAIR}", id="pair-types-first"),
    pytest.param(f"SELECT last(u), host FROM {PAIR}", id="pair-last-with-tag"),
    # booleans: first() keeps false and last() true; equal values: the database named first
    pytest.param(f"SELECT first(ok), last(ok) FROM {PAIR_REVERSED} WHERE {S}",
                 id="pair-bool-first-last"),
    pytest.param(f"SELECT first(e), host FROM {PAIR}", id="pair-equal-with-tag"),
    pytest.param(f"SELECT first(e), host FROM {PAIR_REVERSED}",
                 id="pair-equal-with-tag-reversed"),
    # count() of a field a series (or group) lacks is null beside other calls, with or without
    # GROUP BY time, over both databases, beside a raw transformation and over a subquery
    pytest.param("SELECT count(e), count(u) FROM pair WHERE host = 'c'", id="pair-count-lacking"),
    pytest.param(f"SELECT count(k), count(u) FROM {PAIR} WHERE {S} GROUP BY time(2m), host",
                 id="pair-count-lacking-by-time"),
    pytest.param(f"SELECT count(e), count(u) FROM {PAIR} WHERE host = 'c' AND {S} "
                 "GROUP BY time(1m) fill(previous)", id="pair-count-lacking-fill-previous"),
    pytest.param(f"SELECT count(k), cumulative_sum(u) FROM {PAIR} WHERE host = 'c'",
                 id="pair-count-lacking-beside-transform"),
    pytest.param("SELECT count(e), count(u) FROM (SELECT u, e FROM pair) GROUP BY host",
                 id="pair-count-lacking-subquery"),
    # raw transformations by host read one database's points of a group, then the other's,
    # whatever fill() says (fuzz 100-652, matched since)
    pytest.param(f"SELECT derivative(u) * 2, cumulative_sum(u), relative_strength_index(u, 5) "
                 f"FROM {PAIR} WHERE time >= '2024-01-01T00:03:00Z' AND "
                 "time <= '2024-01-01T02:00:00Z' GROUP BY host fill(2.5)",
                 id="pair-raw-transforms-by-host-fill"),
    # mixed: 1.x reads a field as the lowest of its types (float, integer, string, boolean)
    # and a database holding it as another kind gives no points for it
    pytest.param(f"SELECT x FROM {MIXED}", id="mixed-raw"),
    pytest.param(f"SELECT * FROM {MIXED_REVERSED}", id="mixed-wildcard"),
    pytest.param(f"SELECT * FROM {MIXED} GROUP BY host", id="mixed-wildcard-by-host"),
    pytest.param(f"SELECT count(x), count(y), count(z) FROM {MIXED}", id="mixed-count"),
    pytest.param(f"SELECT first(x), last(z) FROM {MIXED_REVERSED}", id="mixed-first-last"),
    pytest.param(f"SELECT max(x), sum(z), mean(z) FROM {MIXED}", id="mixed-aggregates"),
    pytest.param(f"SELECT y FROM {MIXED} WHERE y = 't'", id="mixed-text-condition"),
    pytest.param(f"SELECT x::integer, z::float FROM {MIXED}", id="mixed-casts"),
    # raw rows of several series at one time: 1.x's heap order (`rawheap.py`)
    pytest.param("SELECT u FROM pair", id="raw-ties-heap"),
    pytest.param("SELECT u FROM pair ORDER BY time DESC", id="raw-ties-heap-desc"),
    pytest.param("SELECT exp(u) FROM pair", id="raw-ties-math-exp"),
    pytest.param("SELECT u * 2 FROM pair", id="raw-ties-math-times"),
    pytest.param("SELECT u, k FROM pair ORDER BY time DESC", id="raw-ties-two-fields-desc"),
    pytest.param("SELECT * FROM pair", id="raw-ties-wildcard-number-first"),
    pytest.param("SELECT u, host FROM pair ORDER BY time DESC", id="raw-ties-tag-decides"),
    pytest.param("SELECT v FROM gauge", id="raw-ties-gauge"),
    pytest.param("SELECT v FROM gauge ORDER BY time DESC", id="raw-ties-gauge-desc"),
    pytest.param("SELECT v, w FROM gauge LIMIT 7 OFFSET 2", id="raw-ties-gauge-limit"),
    pytest.param("SELECT w FROM gauge ORDER BY time DESC LIMIT 6 OFFSET 3",
                 id="raw-ties-gauge-desc-limit"),
    pytest.param("SELECT v FROM gauge WHERE id != 'b'", id="raw-ties-gauge-tag-condition"),
    pytest.param("SELECT * FROM gauge", id="raw-ties-gauge-wildcard-tag-first"),
    pytest.param("SELECT usage_user FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T02:00:00Z'", id="raw-ties-cpu-gaps"),
    pytest.param("SELECT usage_user, cpu FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND "
                 "time < '2024-01-01T01:00:00Z' ORDER BY time DESC", id="raw-ties-missing-tag"),
    pytest.param("SELECT usage_idle FROM cpu LIMIT 30", id="raw-ties-shard-groups-limit"),
    pytest.param("SELECT used FROM mem ORDER BY time DESC", id="raw-ties-mem-desc"),
]
