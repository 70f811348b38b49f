"""Aggregates beside raw transformations: which statements split, and the join of rows."""

from __future__ import annotations

import pytest

from translators.influxql import ast
from translators.influxql.beside import join, split
from translators.influxql.outputs import evaluate_node
from translators.influxql.parser import parse_statement
from translators.influxql.schema import MeasurementSchema
from translators.influxql.select_list import expand_fields, field_name
from translators.influxql.select_plan import Source
from translators.lineprotocol import FieldType

_M = MeasurementSchema("m", ("host",), {"x": FieldType.FLOAT, "y": FieldType.INTEGER,
                                        "s": FieldType.STRING})


def _expand(statement: ast.SelectStatement) -> list[ast.Field]:
    return expand_fields(statement, [Source("db", _M)])


@pytest.mark.parametrize(("text", "halves"), [
    pytest.param("SELECT count(x), cumulative_sum(x) FROM m", (("count",), ("cumulative_sum",)),
                 id="split"),
    pytest.param("SELECT difference(x), max(x), mean(y) FROM m",
                 (("max", "mean"), ("difference",)), id="split-transform-first"),
    pytest.param("SELECT count(x), cumulative_sum(x) FROM m GROUP BY time(1m)", None,
                 id="group-by-time"),
    pytest.param("SELECT count(x) + cumulative_sum(x) FROM m", (("count",), ("cumulative_sum",)),
                 id="mixed-expression-parts"),
    pytest.param("SELECT abs(mean(x) + 1 - difference(x)), mean(x) + 1 FROM m",
                 (("mean",), ("difference",)), id="mixed-math-shares-a-part"),
    pytest.param("SELECT count(x) + cumulative_sum(x) + x FROM m", None,
                 id="mixed-expression-raw-field"),
    pytest.param("SELECT count(x), cumulative_sum(x), x FROM m", None, id="raw-field"),
    pytest.param("SELECT count(*), cumulative_sum(x) FROM m",
                 (("count", "count", "count"), ("cumulative_sum",)),
                 id="count-wildcard-expands"),
    pytest.param("SELECT count(x), difference(/x|y/) FROM m",
                 (("count",), ("difference", "difference")), id="transform-regex-expands"),
    pytest.param("SELECT count(*) + 1, cumulative_sum(x) FROM m", None,
                 id="math-over-wildcard-call"),
    pytest.param("SELECT *, cumulative_sum(x) FROM m", None, id="raw-wildcard"),
    pytest.param("SELECT count(x), difference(count(x)) FROM m", None,
                 id="transform-of-aggregate"),
    pytest.param("SELECT cumulative_sum(x) FROM m", None, id="transform-alone"),
])
def test_split(text: str, halves: tuple[tuple[str, ...], tuple[str, ...]] | None) -> None:
    statement = parse_statement(text)
    assert isinstance(statement, ast.SelectStatement)
    found = split(statement, _expand)
    assert (None if found is None else (tuple(map(field_name, found.aggregates)),
                                        tuple(map(field_name, found.transforms)))) == halves


def test_split_computes_mixed_math_over_the_parts() -> None:
    statement = parse_statement("SELECT count(x) - cumulative_sum(x) * 2, count(x) FROM m")
    assert isinstance(statement, ast.SelectStatement)
    found = split(statement, _expand)
    assert found is not None and found.names == ("count_cumulative_sum", "count")
    # the math is done on the calls' values after the join, not inside either half
    assert [evaluate_node(node, [7, 3]) for node in found.outputs] == [1, 7]
    assert [evaluate_node(node, [None, 3]) for node in found.outputs] == [None, None]


def test_split_names_columns_as_the_whole_statement() -> None:
    statement = parse_statement("SELECT max(x), difference(x) AS max FROM m")
    assert isinstance(statement, ast.SelectStatement)
    found = split(statement, _expand)
    assert found is not None and found.names == ("max_1", "max")


def test_split_names_expanded_calls_by_their_field() -> None:
    statement = parse_statement("SELECT count(*) AS c, difference(x) AS c_x FROM m")
    assert isinstance(statement, ast.SelectStatement)
    found = split(statement, _expand)
    # 1.x keeps both: an expanded call's name is an alias, and aliases are never renamed
    assert found is not None and found.names == ("c_s", "c_x", "c_y", "c_x")


def test_join_takes_one_row_of_each_stream_per_time() -> None:
    # a transformation over merged series may answer two rows at one time: the aggregate
    # joins the first of them only
    aggregate = [[0, 7]]
    transform = [[0, 1], [0, 2], [5, 3]]
    rows = join([(aggregate, (0,)), (transform, (1,))], ["integer", "integer"], False,
                ast.FillOption.NULL, None)
    assert rows == [[0, 7, 1], [0, None, 2], [5, None, 3]]


@pytest.mark.parametrize(("fill", "value", "expected"), [
    pytest.param(ast.FillOption.NUMBER, 2.9, [[0, 7, 2.9], [5, 2, 3.5]], id="number-cast"),
    pytest.param(ast.FillOption.PREVIOUS, None, [[0, 7, None], [5, 7, 3.5]], id="previous"),
])
def test_join_missing_values_read_the_default(fill: ast.FillOption, value: float | None,
                                              expected: list[list[object]]) -> None:
    rows = join([([[0, 7]], (0,)), ([[5, 3.5]], (1,))], ["integer", None], False, fill,
                value)
    assert rows == expected


def test_join_descending_walks_newest_first() -> None:
    rows = join([([[0, 7]], (0,)), ([[5, 1], [0, 2]], (1,))], ["integer", "integer"], True,
                ast.FillOption.NULL, None)
    assert rows == [[5, None, 1], [0, 7, 2]]
