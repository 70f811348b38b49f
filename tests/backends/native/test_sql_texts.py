"""A query tree's SQL kept per shape of tree answers as the tree's own SQL does: trees that
differ in anything but their stored time bounds never share a text."""

from __future__ import annotations

import duckdb
import pytest
from sqlglot import exp

from gateway.backends.native import sql_texts
from gateway.backends.native.reader import arrow_rows
from translators.influxql.readrange import timestamp_literal

S = 1_000_000_001  # the fixture's rows are this many nanoseconds apart


@pytest.fixture
def cursor() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (time TIMESTAMP_NS, host VARCHAR, v DOUBLE)")
    con.execute("INSERT INTO t SELECT make_timestamp_ns(r * 1000000001), "
                "CASE WHEN r % 3 = 0 THEN 'a' ELSE 'b' END, r / 7 FROM range(300) AS x(r)")
    return con.cursor()


def _query(lower: int = 10 * S, upper: int = 40 * S, host: exp.Expression | None = None,
           desc: bool = False, limit: int = 1000, column: exp.Expression | None = None,
           function: str = "make_timestamp_ns") -> exp.Select:
    time = exp.column("time", quoted=True)
    where = exp.and_(
        exp.GTE(this=time.copy(), expression=timestamp_literal(lower)),
        exp.LTE(this=time.copy(), expression=exp.Anonymous(
            this=function, expressions=[exp.Literal.number(upper)])),
        exp.EQ(this=column or exp.column("host", quoted=True),
               expression=host or exp.Literal.string("a")))
    return (exp.select(exp.Anonymous(this="epoch_ns", expressions=[time.copy()]).as_("__t"),
                       exp.column("v", quoted=True))
            .from_(exp.table_("t", quoted=True)).where(where)
            .order_by(exp.Ordered(this=time.copy(), desc=desc)).limit(limit))


# Each after the first differs from the one before in one detail; a text kept for another
# tree would answer that other tree's rows. `differs`: the detail changes the answer.
TREES = [
    pytest.param(_query(), True, id="first"),
    pytest.param(_query(lower=20 * S, upper=90 * S), True, id="other-bounds"),
    pytest.param(_query(lower=-5 * S, upper=6 * S), True, id="negative-bound"),
    pytest.param(_query(host=exp.Literal.string("b")), True, id="other-tag"),
    pytest.param(_query(host=exp.Literal.string("A")), True, id="tag-case"),
    pytest.param(_query(desc=True), True, id="descending"),
    pytest.param(_query(limit=3), True, id="limit"),
    pytest.param(_query(limit=4), True, id="other-limit"),
    pytest.param(_query(function="MAKE_TIMESTAMP_NS"), False, id="other-call-name"),
    pytest.param(_query(column=exp.column("HOST", quoted=True)), False, id="name-case"),
    pytest.param(_query(column=exp.column("HOST", quoted=False)), False, id="unquoted-name"),
]


def test_each_tree_answers_as_its_own_sql(cursor: duckdb.DuckDBPyConnection) -> None:
    answers = []
    for param in TREES:
        tree, differs = param.values
        sql, values = sql_texts.render(tree)
        found = arrow_rows(cursor, sql, values)
        assert found.equals(arrow_rows(cursor, tree.sql(dialect="duckdb"))), (param.id, sql)
        if differs:
            answers.append(str(found.to_pylist()))
    # the trees were chosen so that these answers differ: a wrong text would show
    assert len(set(answers)) == len(answers)


def test_the_time_bounds_are_parameters_and_the_rest_is_the_key() -> None:
    one, other = sql_texts.render(_query()), sql_texts.render(_query(lower=2 * S, upper=3 * S))
    assert one[0] == other[0] and "$1" in one[0] and "$2" in one[0]
    assert one[1] == [10 * S, 40 * S] and other[1] == [2 * S, 3 * S]
    lower, upper = (sql_texts.render(_query(host=exp.Literal.string(h)))[0] for h in "aA")
    assert lower != upper and "'A'" in upper


def test_a_long_text_is_written_each_time_not_kept(cursor: duckdb.DuckDBPyConnection) -> None:
    many = exp.or_(*(exp.EQ(this=exp.column("host", quoted=True),
                            expression=exp.Literal.string(f"h{i}")) for i in range(2000)))
    tree = _query(host=exp.Literal.string("a")).where(many)
    before = len(sql_texts._TEXTS)
    sql, values = sql_texts.render(tree)
    assert len(sql) > sql_texts._KEPT_LENGTH and len(sql_texts._TEXTS) == before
    assert arrow_rows(cursor, sql, values).equals(arrow_rows(cursor, tree.sql(dialect="duckdb")))
