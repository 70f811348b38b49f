"""Integer sums past int64 (measurement `huge`): 1.6.7 wraps them as Go's int64 arithmetic
does, in sum(), cumulative_sum() and the partial sums of mean(); ids name what each pins."""

from __future__ import annotations

import pytest

from .cases_select import S

#: huge over the first ten minutes of the main window (every point but the week-old ones).
HS = f"FROM huge WHERE {S}"
#: from a week before the window to its end: two shard groups.
WEEKS = "time >= '2023-12-20T00:00:00Z' AND time < '2024-01-01T02:00:00Z'"

CASES = [
    pytest.param(f"SELECT sum(i) {HS}", id="int-sum-wraps-within-series-not-total"),
    pytest.param(f"SELECT sum(i) {HS} GROUP BY host", id="int-sum-wraps-per-host"),
    pytest.param(f"SELECT sum(i) FROM huge WHERE host =~ /[ac]/ AND {S}",
                 id="int-sum-wraps-across-series"),
    pytest.param(f"SELECT sum(i), count(i) {HS} GROUP BY time(2m)",
                 id="int-sum-wraps-by-time"),
    pytest.param(f"SELECT sum(i) {HS} GROUP BY time(1m), host fill(0)",
                 id="int-sum-wraps-by-time-host-fill"),
    pytest.param(f"SELECT sum(i) FROM huge WHERE {WEEKS} GROUP BY time(1d) fill(linear)",
                 id="int-sum-wrapped-fill-linear"),
    pytest.param(f"SELECT sum(i) * 2, sum(i) / 2 {HS}", id="int-sum-wrapped-then-math"),
    pytest.param(f"SELECT i + i, i * 3, i - 100, i % 7 FROM huge WHERE host =~ /[ab]/ AND {S} "
                 "GROUP BY host", id="int-raw-math-wraps-and-exact-remainder"),
    pytest.param(f"SELECT mean(i) {HS}", id="int-mean-of-wrapped-series-sums"),
    pytest.param(f"SELECT mean(i) {HS} GROUP BY host", id="int-mean-wrapped-per-host"),
    pytest.param(f"SELECT mean(i), sum(i), count(i) FROM huge WHERE host =~ /[ac]/ AND {S}",
                 id="int-mean-unwrapped-across-series"),
    pytest.param(f"SELECT mean(i) {HS} GROUP BY time(2m)", id="int-mean-wrapped-by-time"),
    pytest.param("SELECT mean(i) FROM huge WHERE host = 'a'",
                 id="int-mean-wraps-per-shard-group"),
    pytest.param(f"SELECT mean(i), sum(i) FROM huge WHERE {WEEKS}",
                 id="int-mean-sum-two-shard-groups"),
    pytest.param(f"SELECT mean(i) FROM huge WHERE {WEEKS} GROUP BY time(1d) fill(none)",
                 id="int-mean-wrapped-by-day"),
    pytest.param(f"SELECT cumulative_sum(i) {HS} GROUP BY host", id="int-cumulative-sum-wraps"),
    pytest.param(f"SELECT cumulative_sum(sum(i)) {HS} GROUP BY time(1m)",
                 id="int-cumulative-sum-of-sums-wraps"),
    pytest.param(f"SELECT cumulative_sum(mean(i)) FROM huge WHERE {WEEKS} GROUP BY time(1d) "
                 "fill(none)", id="int-cumulative-sum-of-wrapped-means"),
    pytest.param(f"SELECT difference(i), non_negative_difference(i) FROM huge WHERE "
                 f"host =~ /[bc]/ AND {S}", id="int-difference-wraps"),
    pytest.param(f"SELECT min(d) FROM (SELECT difference(i) AS d FROM huge WHERE "
                 f"host =~ /[bc]/ AND {S})", id="int-subquery-over-wrapped-difference"),
    pytest.param(f"SELECT sum(i) FROM (SELECT i {HS})", id="int-subquery-sum-wraps"),
    pytest.param(f"SELECT mean(i) FROM (SELECT i {HS})",
                 id="int-subquery-mean-of-wrapped-total"),
    pytest.param(f"SELECT mean(i) FROM (SELECT i FROM huge WHERE host =~ /[ac]/ AND {S})",
                 id="int-subquery-mean-wraps-across-series"),
    pytest.param(f"SELECT sum(s), mean(s) FROM (SELECT sum(i) AS s FROM huge WHERE {WEEKS} "
                 "GROUP BY host)", id="int-subquery-sum-mean-of-wrapped-sums"),
    pytest.param(f"SELECT cumulative_sum(i) FROM (SELECT i FROM huge WHERE host = 'a' AND "
                 f"{WEEKS})", id="int-subquery-cumulative-sum-wraps"),
]
