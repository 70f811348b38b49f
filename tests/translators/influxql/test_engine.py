"""SELECT and SHOW run by the engine over a real DuckDB, with hand-built syntax trees."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from tests.translators.influxql.duckrun import runner
from translators.influxql import ast, engine, rewrite, show_run
from translators.influxql.errors import QueryError
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.lineprotocol import FieldType

S0 = 1_704_067_200  # 2024-01-01T00:00:00Z
NS = 1_000_000_000
NOW = (S0 + 3600) * NS
SCHEMA = StaticSchema({"db": {"cpu": MeasurementSchema(
    "cpu", ("host",), {"v": FieldType.FLOAT, "i": FieldType.INTEGER})}})
CPU = (ast.Measurement("cpu"),)


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, host VARCHAR, v DOUBLE, i BIGINT)')
    # 20 points 10 s apart, alternating hosts h0/h1; v = 1.5 x, i = x.
    con.execute(f"INSERT INTO db.cpu SELECT make_timestamp_ns(({S0} + x * 10) * {NS}), "
                "'h' || (x % 2), x * 1.5, x FROM range(20) t(x)")
    yield con
    con.close()


def run(con: duckdb.DuckDBPyConnection, fields: list[ast.Expr], **options: Any) -> list[Any]:
    statement = ast.SelectStatement(tuple(ast.Field(f) for f in fields), CPU, **options)
    series = engine.select(statement, "db", SCHEMA,
                           lambda q: con.sql(q.sql("duckdb")).to_arrow_table(), NOW)
    return [(s.tags, s.columns, s.values) for s in series]


def call(name: str, *args: ast.Expr) -> ast.Call:
    return ast.Call(name, args)


V, INT, HOST = ast.VarRef("v"), ast.VarRef("i"), ast.VarRef("host")
BY_MINUTE = (ast.Dimension(call("time", ast.DurationLiteral(60 * NS))),)
FROM_S0 = ast.BinaryExpr(ast.BinaryOp.GTE, ast.VarRef("time"), ast.IntegerLiteral(S0 * NS))
TO_4M = ast.BinaryExpr(ast.BinaryOp.AND, FROM_S0, ast.BinaryExpr(
    ast.BinaryOp.LT, ast.VarRef("time"), ast.IntegerLiteral((S0 + 240) * NS)))


def t(seconds: int) -> int:
    return (S0 + seconds) * NS


def test_raw_rows_in_time_order_with_tags_as_columns(con: duckdb.DuckDBPyConnection) -> None:
    assert run(con, [V, HOST], limit=2, offset=1) == [
        (None, ["time", "v", "host"], [[t(10), 1.5, "h1"], [t(20), 3.0, "h0"]])]


def test_raw_descending_grouped_by_tag(con: duckdb.DuckDBPyConnection) -> None:
    out = run(con, [INT], dimensions=(ast.Dimension(HOST),), limit=1,
              sort_fields=(ast.SortField("time", False),))
    # 1.x walks the series in reverse order too
    assert out == [({"host": "h1"}, ["time", "i"], [[t(190), 19]]),
                   ({"host": "h0"}, ["time", "i"], [[t(180), 18]])]


def test_aggregates_per_bucket_with_fill(con: duckdb.DuckDBPyConnection) -> None:
    out = run(con, [call("count", INT), call("mean", V)], condition=TO_4M, dimensions=BY_MINUTE,
              fill=ast.FillOption.NUMBER, fill_value=-1)
    assert out == [(None, ["time", "count", "mean"], [
        [t(0), 6, 3.75], [t(60), 6, 12.75], [t(120), 6, 21.75], [t(180), 2, 28.5 - 0.75],
    ])]


def test_empty_buckets_fill_null_and_previous(con: duckdb.DuckDBPyConnection) -> None:
    span = ast.BinaryExpr(ast.BinaryOp.AND, FROM_S0, ast.BinaryExpr(
        ast.BinaryOp.LT, ast.VarRef("time"), ast.IntegerLiteral((S0 + 300) * NS)))
    nulls = run(con, [call("max", INT)], condition=span, dimensions=BY_MINUTE)
    assert [row[1] for row in nulls[0][2]] == [5, 11, 17, 19, None]
    previous = run(con, [call("max", INT)], condition=span, dimensions=BY_MINUTE,
                   fill=ast.FillOption.PREVIOUS)
    assert [row[1] for row in previous[0][2]] == [5, 11, 17, 19, 19]
    none = run(con, [call("max", INT)], condition=span, dimensions=BY_MINUTE,
               fill=ast.FillOption.NONE)
    assert len(none[0][2]) == 4


def test_lone_selector_returns_its_points_time_and_companions(
        con: duckdb.DuckDBPyConnection) -> None:
    assert run(con, [call("max", INT), HOST]) == [
        (None, ["time", "max", "host"], [[t(190), 19, "h1"]])]
    assert run(con, [call("first", V)]) == [(None, ["time", "first"], [[t(0), 0.0]])]


def test_selector_by_time_answers_bucket_time_and_its_points_companions(
        con: duckdb.DuckDBPyConnection) -> None:
    out = run(con, [call("max", V), HOST], condition=TO_4M, dimensions=BY_MINUTE, limit=2)
    assert out == [(None, ["time", "max", "host"], [[t(0), 7.5, "h1"], [t(60), 16.5, "h1"]])]


def test_top_by_time_answers_points_per_bucket_unfilled_and_ascending_within_bucket(
        con: duckdb.DuckDBPyConnection) -> None:
    span = ast.BinaryExpr(ast.BinaryOp.AND, FROM_S0, ast.BinaryExpr(
        ast.BinaryOp.LT, ast.VarRef("time"), ast.IntegerLiteral((S0 + 300) * NS)))
    top = call("top", INT, ast.IntegerLiteral(2))
    out = run(con, [top], condition=span, dimensions=BY_MINUTE, fill=ast.FillOption.NUMBER,
              fill_value=0)  # the empty fifth minute is not filled
    assert out == [(None, ["time", "top"], [
        [t(40), 4], [t(50), 5], [t(100), 10], [t(110), 11], [t(160), 16], [t(170), 17],
        [t(180), 18], [t(190), 19]])]
    out = run(con, [top], condition=TO_4M, dimensions=BY_MINUTE,
              sort_fields=(ast.SortField("time", False),), limit=4)
    assert out == [(None, ["time", "top"], [[t(180), 18], [t(190), 19], [t(160), 16],
                                            [t(170), 17]])]
    distinct = run(con, [call("distinct", INT)], condition=TO_4M, dimensions=BY_MINUTE,
                   limit=7)
    assert distinct == [(None, ["time", "distinct"], [[t(0), i] for i in range(6)]
                         + [[t(60), 6]])]


def test_aggregate_without_time_grouping_returns_range_start(
        con: duckdb.DuckDBPyConnection) -> None:
    assert run(con, [call("sum", INT), call("min", INT)]) == [
        (None, ["time", "sum", "min"], [[0, 190, 0]])]
    assert run(con, [call("count", V)], condition=FROM_S0) == [
        (None, ["time", "count"], [[t(0), 20]])]


def test_percentile_and_derivative(con: duckdb.DuckDBPyConnection) -> None:
    assert run(con, [call("percentile", INT, ast.IntegerLiteral(50))]) == [
        (None, ["time", "percentile"], [[t(90), 9]])]
    out = run(con, [call("derivative", INT, ast.DurationLiteral(NS))], limit=2)
    assert out == [(None, ["time", "derivative"], [[t(10), 0.1], [t(20), 0.1]])]


def between(start: int, stop: int) -> ast.Expr:
    return ast.BinaryExpr(ast.BinaryOp.AND, ast.BinaryExpr(
        ast.BinaryOp.GTE, ast.VarRef("time"), ast.IntegerLiteral(t(start))), ast.BinaryExpr(
        ast.BinaryOp.LT, ast.VarRef("time"), ast.IntegerLiteral(t(stop))))


def test_looking_back_transformations_read_the_bucket_before_the_range(
        con: duckdb.DuckDBPyConnection) -> None:
    mean = call("mean", INT)  # per minute: 2.5, 8.5, 14.5, 18.5
    out = run(con, [call("derivative", mean), call("cumulative_sum", mean)],
              condition=between(60, 240), dimensions=BY_MINUTE)
    # derivative answers the first asked minute from the one before; cumulative_sum does not
    # read it, and no row answers it
    assert out == [(None, ["time", "derivative", "cumulative_sum"], [
        [t(60), 6.0, 8.5], [t(120), 6.0, 23.0], [t(180), 4.0, 41.5]])]


def test_descending_transformations_walk_newest_first(con: duckdb.DuckDBPyConnection) -> None:
    newest_first = (ast.SortField("time", False),)
    out = run(con, [call("derivative", INT, ast.DurationLiteral(NS))], limit=2,
              sort_fields=newest_first)
    assert out == [(None, ["time", "derivative"], [[t(180), -0.1], [t(170), -0.1]])]
    out = run(con, [call("elapsed", INT, ast.DurationLiteral(NS))], limit=1,
              sort_fields=newest_first)
    assert out == [(None, ["time", "elapsed"], [[t(180), -10]])]


def test_fill_previous_follows_descending_order(con: duckdb.DuckDBPyConnection) -> None:
    out = run(con, [call("max", INT)], condition=between(-120, 120), dimensions=BY_MINUTE,
              fill=ast.FillOption.PREVIOUS, sort_fields=(ast.SortField("time", False),))
    # newest first, so the two empty minutes before the data take the first minute's max
    # (ascending they would stay null: fill(previous) does not reach back before the range)
    assert [row[1] for row in out[0][2]] == [11, 5, 5, 5]


def test_arithmetic_names_and_duplicates(con: duckdb.DuckDBPyConnection) -> None:
    expr = ast.BinaryExpr(ast.BinaryOp.MUL, V, ast.IntegerLiteral(2))
    out = run(con, [expr, V, V], limit=1, offset=1)
    assert out == [(None, ["time", "v", "v_1", "v_2"], [[t(10), 3.0, 1.5, 1.5]])]


def test_only_tags_selected_answers_nothing(con: duckdb.DuckDBPyConnection) -> None:
    assert run(con, [HOST]) == []  # as 1.6.7: an empty result, not an error


@pytest.mark.parametrize("fields, options, message", [
    pytest.param([call("mean", V), V], {}, "mixing aggregate and non-aggregate", id="mixing"),
    pytest.param([V], {"dimensions": BY_MINUTE}, "GROUP BY requires at least one aggregate",
                 id="group-by-time-raw"),
    pytest.param([call("nope", V)], {}, r"undefined function nope\(\)", id="unknown-function"),
    pytest.param([call("top", V, ast.IntegerLiteral(3))], {"limit": 2},
                 r"limit \(3\) in top function can not be larger than the LIMIT \(2\)",
                 id="top-beyond-limit"),
])
def test_refusals(con: duckdb.DuckDBPyConnection, fields: list[ast.Expr],
                  options: dict[str, Any], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        run(con, fields, **options)


_SAME_BOTH_WAYS = {
    "raw": dict(fields=[V, HOST]),
    "raw by host, limit, offset": dict(fields=[INT], dimensions=(ast.Dimension(HOST),),
                                       limit=3, offset=2),
    "raw descending": dict(fields=[V], sort_fields=(ast.SortField("time", False),), limit=4),
    "mean by minute, gaps filled with null": dict(
        fields=[call("mean", V), call("count", INT)],
        condition=ast.BinaryExpr(ast.BinaryOp.AND, FROM_S0, ast.BinaryExpr(
            ast.BinaryOp.LT, ast.VarRef("time"), ast.IntegerLiteral((S0 + 600) * NS))),
        dimensions=(*BY_MINUTE, ast.Dimension(HOST))),
    "max by minute, fill none, descending": dict(
        fields=[call("max", V)], condition=TO_4M, dimensions=BY_MINUTE,
        fill=ast.FillOption.NONE, sort_fields=(ast.SortField("time", False),)),
    "last and first per host": dict(fields=[call("last", V), call("first", INT)],
                                    dimensions=(ast.Dimension(HOST),)),
    "lone last per host, series limit": dict(fields=[call("last", INT)],
                                             dimensions=(ast.Dimension(HOST),), slimit=1,
                                             soffset=1),
    "sum without grouping": dict(fields=[call("sum", INT)], condition=FROM_S0),
    "no time lower bound": dict(fields=[call("min", V)], dimensions=BY_MINUTE),
}


@pytest.mark.parametrize("name", sorted(_SAME_BOTH_WAYS))
def test_columnar_answers_as_row_by_row(con: duckdb.DuckDBPyConnection, name: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The column-at-a-time path must answer exactly as the general one."""
    from translators.influxql import columnar

    options = dict(_SAME_BOTH_WAYS[name])
    fields = options.pop("fields")
    statement = ast.SelectStatement(tuple(ast.Field(f) for f in fields), CPU, **options)
    plan = rewrite.plan_select(statement, "db", SCHEMA, NOW)
    assert plan is not None and columnar.eligible(plan)
    fast = run(con, fields, **options)
    monkeypatch.setattr(columnar, "eligible", lambda plan: False)
    assert fast == run(con, fields, **options)
    assert fast


def _series_times(con: duckdb.DuckDBPyConnection) -> Any:
    def times(database: str, measurement: str) -> Any:
        return con.sql(f'SELECT host, max(epoch_ns("time")) AS "time" FROM "{database}".'
                       f'"{measurement}" GROUP BY host').to_arrow_table()
    return times


def _recorded(con: duckdb.DuckDBPyConnection, sqls: list[str]) -> Any:
    return runner(con, sqls)


def _lone_last(con: duckdb.DuckDBPyConnection, series_times: Any, sqls: list[str],
               condition: ast.Expr | None = None) -> list[Any]:
    statement = ast.SelectStatement((ast.Field(call("last", V)),), CPU, condition=condition,
                                    dimensions=(ast.Dimension(HOST),))
    series = engine.select(statement, "db", SCHEMA, _recorded(con, sqls), NOW,
                           series_times=series_times)
    return [(s.tags, s.values) for s in series]


def _window(ns: int) -> str:
    return f"MAKE_TIMESTAMP_NS({ns})"


def test_lone_last_reads_only_from_the_series_latest_times(
        con: duckdb.DuckDBPyConnection) -> None:
    whole: list[str] = []
    recent: list[str] = []
    expected = _lone_last(con, None, whole)
    assert expected == [({"host": "h0"}, [[t(180), 27.0]]), ({"host": "h1"}, [[t(190), 28.5]])]
    assert _lone_last(con, _series_times(con), recent) == expected
    reads = [sql for sql in recent if '"db"."cpu"' in sql]
    assert len(reads) == 1 and _window(t(180)) in reads[0]  # h0's latest point starts it


def test_lone_last_reads_everything_when_the_window_misses_a_group(
        con: duckdb.DuckDBPyConnection) -> None:
    """A group whose latest rows lack the field (here: times claimed later than stored) has
    no point in the window, so the whole range is read and the answer is unchanged."""
    def later(database: str, measurement: str) -> Any:
        table = _series_times(con)(database, measurement)
        return table.set_column(1, "time", pa.array([t(190)] * table.num_rows))

    sqls: list[str] = []
    assert _lone_last(con, later, sqls) == _lone_last(con, None, [])
    reads = [sql for sql in sqls if '"db"."cpu"' in sql]
    assert len(reads) == 2 and _window(t(190)) in reads[0] and "MAKE_TIMESTAMP" not in reads[1]


def test_lone_last_reads_everything_when_a_tied_group_lacks_a_series() -> None:
    """Series b, c, d tie on the latest time; a's newest row lacks v, so its older v is not
    in the window, yet 1.x's heap sees it and answers c's 3.0 rather than d's 2.0."""
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, host VARCHAR, v DOUBLE, '
                "i BIGINT)")
    rows = [(0, "a", 9.0), (10, "a", None), (10, "b", 1.0), (10, "c", 3.0), (10, "d", 2.0)]
    for seconds, host, value in rows:
        con.execute("INSERT INTO db.cpu VALUES (make_timestamp_ns(?), ?, ?, 0)",
                    [t(seconds), host, value])
    no_groups = ast.SelectStatement((ast.Field(call("last", V)),), CPU)
    whole = engine.select(no_groups, "db", SCHEMA, _recorded(con, []), NOW)
    assert [s.values for s in whole] == [[[t(10), 3.0]]]
    sqls: list[str] = []
    found = engine.select(no_groups, "db", SCHEMA, _recorded(con, sqls), NOW,
                          series_times=_series_times(con))
    assert [s.values for s in found] == [[[t(10), 3.0]]]
    reads = [sql for sql in sqls if '"db"."cpu"' in sql]
    assert len(reads) == 2 and _window(t(10)) in reads[0] and "MAKE_TIMESTAMP" not in reads[1]
    con.close()


def test_lone_last_with_tag_and_field_conditions(con: duckdb.DuckDBPyConnection) -> None:
    on_tag = ast.BinaryExpr(ast.BinaryOp.EQ, HOST, ast.StringLiteral("h0"))
    sqls: list[str] = []
    assert _lone_last(con, _series_times(con), sqls, on_tag) == [
        ({"host": "h0"}, [[t(180), 27.0]])]
    assert any(_window(t(180)) in sql for sql in sqls)
    on_field = ast.BinaryExpr(ast.BinaryOp.LT, V, ast.IntegerLiteral(20))
    sqls = []
    assert _lone_last(con, _series_times(con), sqls, on_field) == [
        ({"host": "h0"}, [[t(120), 18.0]]), ({"host": "h1"}, [[t(130), 19.5]])]
    assert sqls and not any("__series" in sql for sql in sqls)  # field values decide


def show_measurements(con: duckdb.DuckDBPyConnection, condition: ast.Expr) -> list[Any]:
    series = show_run.show_measurements(
        ast.ShowMeasurements(condition=condition), "db", SCHEMA,
        lambda q: con.sql(q.sql("duckdb")).to_arrow_table())
    return [row[0] for s in series for row in s.values]


def tag_test(op: ast.BinaryOp, key: str, value: ast.Expr) -> ast.Expr:
    return ast.BinaryExpr(op, ast.VarRef(key), value)


@pytest.mark.parametrize("condition, names", [
    pytest.param(tag_test(ast.BinaryOp.EQ, "host", ast.StringLiteral("h0")), ["cpu"], id="eq"),
    # 1.6.7 answers from its index per measurement: a measurement having the value is out
    pytest.param(tag_test(ast.BinaryOp.NEQ, "host", ast.StringLiteral("h0")), [], id="neq-held"),
    pytest.param(tag_test(ast.BinaryOp.NEQ, "host", ast.StringLiteral("zz")), ["cpu"],
                 id="neq-absent-value"),
    pytest.param(tag_test(ast.BinaryOp.NEQ, "nosuch", ast.StringLiteral("x")), [],
                 id="neq-without-the-key"),
    pytest.param(tag_test(ast.BinaryOp.NEQREGEX, "host", ast.RegexLiteral("^h[2-9]")), ["cpu"],
                 id="not-regex"),
    pytest.param(ast.BinaryExpr(
        ast.BinaryOp.AND, tag_test(ast.BinaryOp.EQ, "host", ast.StringLiteral("h0")),
        tag_test(ast.BinaryOp.EQ, "host", ast.StringLiteral("h1"))), ["cpu"],
        id="and-per-measurement"),
])
def test_show_measurements_where_per_measurement(con: duckdb.DuckDBPyConnection,
                                                 condition: ast.Expr, names: list[str]) -> None:
    assert show_measurements(con, condition) == names


@pytest.mark.parametrize("condition, message", [
    pytest.param(FROM_S0, "SHOW MEASUREMENTS doesn't support time in WHERE clause", id="time"),
    pytest.param(tag_test(ast.BinaryOp.EQ, "host", ast.IntegerLiteral(5)),
                 "right side of '=' must be a tag value string", id="number"),
    pytest.param(tag_test(ast.BinaryOp.LT, "host", ast.StringLiteral("h1")),
                 "invalid tag comparison operator", id="less-than"),
])
def test_show_measurements_where_refusals(con: duckdb.DuckDBPyConnection, condition: ast.Expr,
                                          message: str) -> None:
    with pytest.raises(QueryError, match=message):
        show_measurements(con, condition)


def test_a_measurement_named_twice_is_read_twice(con: duckdb.DuckDBPyConnection) -> None:
    statement = ast.SelectStatement((ast.Field(call("count", INT)),), CPU + CPU)
    series = engine.select(statement, "db", SCHEMA,
                           lambda q: con.sql(q.sql("duckdb")).to_arrow_table(), NOW)
    assert series[0].values == [[0, 40]]
    statement = ast.SelectStatement((ast.Field(INT),), CPU + CPU, limit=3)
    series = engine.select(statement, "db", SCHEMA,
                           lambda q: con.sql(q.sql("duckdb")).to_arrow_table(), NOW)
    assert series[0].values == [[t(0), 0], [t(0), 0], [t(10), 1]]


@pytest.mark.parametrize(("fields", "tested"), [
    ([V, INT], False),  # every field: a stored point always has one, nothing to test
    ([ast.Wildcard()], False),
    ([V], True),  # some fields: a point may have none of them
    ([INT, HOST], True),
])
def test_raw_rows_test_for_a_field_only_when_some_are_left_out(
        con: duckdb.DuckDBPyConnection, fields: list[ast.Expr], tested: bool) -> None:
    sent: list[str] = []

    def runner(query: Any) -> pa.Table:
        sent.append(query.sql("duckdb"))
        return con.sql(sent[-1]).to_arrow_table()

    statement = ast.SelectStatement(tuple(ast.Field(f) for f in fields), CPU)
    series = engine.select(statement, "db", SCHEMA, runner, NOW)
    assert sum(len(s.values) for s in series) == 20
    assert any("IS NULL" in sql for sql in sent) is tested
