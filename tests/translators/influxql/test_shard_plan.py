"""How a statement is read from shards and how their answers merge (pure)."""

from __future__ import annotations

import pytest

from translators.influxql.parser import parse_query
from translators.influxql.render import render
from translators.influxql.results import Series, StatementResult
from translators.influxql.select_list import column_names, field_name
from translators.influxql.shard_merge import merge_results
from translators.influxql.shard_plan import Merge, NotShardable, pin_now, plan_statement


def plan(text: str, whole_series: bool = False, tag_keys: set[str] | None = None):
    (statement,) = parse_query(text, None)
    return plan_statement(statement, whole_series=whole_series, tag_keys=tag_keys)


@pytest.mark.parametrize(("text", "merge", "asked"), [
    pytest.param("SELECT v FROM m LIMIT 2 OFFSET 3 SLIMIT 1", Merge.ROWS,
                 "SELECT v FROM m LIMIT 5", id="raw-asks-offset-plus-limit"),
    pytest.param("SELECT max(v) FROM m GROUP BY * LIMIT 2 SLIMIT 1 SOFFSET 1", Merge.SERIES,
                 "SELECT max(v) FROM m GROUP BY * LIMIT 2", id="whole-series-keeps-limit"),
    pytest.param("SELECT mean(v) FROM m GROUP BY time(1m) LIMIT 1", Merge.COMBINE,
                 "SELECT sum(v) AS shard_0_0, count(v) AS shard_0_1 FROM m GROUP BY time(1m)",
                 id="mean-as-sum-and-count"),
    pytest.param("SHOW TAG VALUES WITH KEY = k LIMIT 2 OFFSET 1", Merge.NAMES,
                 "SHOW TAG VALUES WITH KEY = k", id="show-unions"),
    pytest.param("SHOW RETENTION POLICIES", Merge.ONE, "SHOW RETENTION POLICIES",
                 id="no-series-to-the-first-shard"),
])
def test_plans(text: str, merge: Merge, asked: str) -> None:
    made = plan(text)
    assert made.merge is merge
    assert render(made.statement) == asked


def test_named_tags_are_whole_series_only_when_they_name_every_key() -> None:
    text = "SELECT spread(v) FROM m GROUP BY a, /^b/"
    assert plan(text, tag_keys={"a", "bb"}).merge is Merge.SERIES
    with pytest.raises(NotShardable, match="spread"):
        plan(text, tag_keys={"a", "bb", "c"})
    assert plan(text, whole_series=True).merge is Merge.SERIES


def test_column_names_follow_1x() -> None:
    (statement,) = parse_query("SELECT max(v), max(v), mean(v) AS max_1, max(w) FROM m", None)
    assert column_names([(f.alias, field_name(f.expr)) for f in statement.fields]) == [
        "max", "max_2", "max_1", "max_3"]


def test_rows_at_the_same_time_keep_the_targets_order() -> None:
    made = plan("SELECT v FROM m LIMIT 3")
    shards = [StatementResult(0, [Series("m", ["time", "v"], [[1, "a1"], [2, "a2"]],
                                         has_time=True)]),
              StatementResult(0, [Series("m", ["time", "v"], [[1, "b1"], [3, "b3"]],
                                         has_time=True)])]
    merged = merge_results(made, 0, shards)
    assert merged.series[0].values == [[1, "a1"], [1, "b1"], [2, "a2"]]


def test_integer_sums_of_shards_wrap_around_int64_as_1x_sums() -> None:
    made = plan("SELECT sum(v), sum(f) FROM m")
    big = (1 << 63) - 1
    columns = ["time", "shard_0_0", "shard_1_0"]
    shards = [StatementResult(0, [Series("m", columns, [[0, big, 1.5e19]])]),
              StatementResult(0, [Series("m", columns, [[0, 2, 1.5e19]])])]
    merged = merge_results(made, 0, shards)
    assert merged.series[0].values == [[0, -big, 3e19]]


def test_a_shard_error_is_the_answer() -> None:
    made = plan("SELECT v FROM m")
    merged = merge_results(made, 0, [StatementResult(0), StatementResult(0, error="boom")])
    assert merged.error == "boom" and merged.series == []


NOW = 1_700_000_000_123_456_789  # 2023-11-14T22:13:20.123456789Z


@pytest.mark.parametrize(("text", "pinned"), [
    pytest.param("SELECT v FROM m WHERE time > now() - 1h AND (k = 'a' OR time < now())",
                 "SELECT v FROM m WHERE time > '2023-11-14T22:13:20.123456789Z' - 1h AND "
                 "(k = 'a' OR time < '2023-11-14T22:13:20.123456789Z')", id="condition"),
    pytest.param("SELECT count(v) FROM m WHERE time > now() - 1h GROUP BY time(1m)",
                 "SELECT count(v) FROM m WHERE (time > '2023-11-14T22:13:20.123456789Z' - 1h) "
                 "AND time <= '2023-11-14T22:13:20.123456789Z' GROUP BY time(1m)",
                 id="group-by-time-ends-at-now"),
    pytest.param("SELECT count(v) FROM m GROUP BY time(1m, now())",
                 "SELECT count(v) FROM m WHERE time <= '2023-11-14T22:13:20.123456789Z' "
                 "GROUP BY time(1m, 20123456789ns)", id="offset-now"),
    pytest.param("SELECT count(v) FROM m WHERE time < '2024-01-01' GROUP BY time(1m)",
                 "SELECT count(v) FROM m WHERE time < '2024-01-01' "
                 "GROUP BY time(1m)", id="upper-bound-kept"),
    pytest.param("SELECT v FROM m", "SELECT v FROM m", id="nothing-to-pin"),
])
def test_now_is_pinned_for_every_shard(text: str, pinned: str) -> None:
    (statement,) = parse_query(text, None)
    assert render(pin_now(statement, NOW)) == pinned


def test_slimit_picks_series_in_1x_tag_set_order() -> None:
    # 1.x sorts tag sets by 'host|h6' < 'host|region|h0|us' before cutting, then answers the
    # chosen series by tag values.
    made = plan("SELECT v FROM m GROUP BY host, region SLIMIT 2 SOFFSET 1")
    rows = [[1, 1.0]]
    shards = [StatementResult(0, [Series("m", ["time", "v"], rows, {"host": h, "region": r},
                                         has_time=True) for h, r in pairs])
              for pairs in ([("h0", "us"), ("h7", "")], [("h6", ""), ("h1", "eu")])]
    merged = merge_results(made, 0, shards)
    assert [s.tags for s in merged.series] == [{"host": "h0", "region": "us"},
                                               {"host": "h7", "region": ""}]
