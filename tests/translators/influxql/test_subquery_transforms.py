"""Which parents' transformations of calls over a subquery are split into their calls."""

from __future__ import annotations

from typing import cast

import pytest

from translators.influxql import ast
from translators.influxql.parser import parse_statement
from translators.influxql.subquery_transforms import transforms_apart

INNER = "(SELECT percentile(v, 5) AS a FROM m GROUP BY time(4m30s))"
SAMPLED = "(SELECT sample(v, 5) AS s FROM m GROUP BY time(20m), host)"


def _select(text: str) -> ast.SelectStatement:
    return cast(ast.SelectStatement, parse_statement(text))


@pytest.mark.parametrize("fields, tail, calls", [
    pytest.param("cumulative_sum(median(a))", "", 1, id="one"),
    pytest.param("cumulative_sum(median(a)), difference(median(a))", "", 1, id="one-call-twice"),
    pytest.param("cumulative_sum(median(a)), cumulative_sum(max(a))", "", 2, id="both-kinds"),
    pytest.param("derivative(spread(a), 1m)", " fill(none)", 1, id="fill-none"),
])
def test_split(fields: str, tail: str, calls: int) -> None:
    found = transforms_apart(_select(f"SELECT {fields} FROM {INNER} GROUP BY time(20m){tail}"))
    assert found is not None and len(found.statements) == calls
    assert all(s.limit == 0 and len(s.fields) == 1 for s in found.statements)


def test_split_over_sample_runs() -> None:
    # sum() alone reduces sample() runs apart (`subquery_runs.py`), so it is split too
    found = transforms_apart(_select(f"SELECT cumulative_sum(sum(s)) FROM {SAMPLED} "
                                     "GROUP BY time(10m)"))
    assert found is not None and len(found.statements) == 1


@pytest.mark.parametrize("text", [
    # calls reducing twice alone answer their buckets as usual
    pytest.param(f"SELECT cumulative_sum(max(a)) FROM {INNER} GROUP BY time(20m)", id="twice"),
    pytest.param(f"SELECT cumulative_sum(median(a)) FROM {INNER} GROUP BY time(20m) fill(0)",
                 id="fill-number"),
    pytest.param(f"SELECT cumulative_sum(median(a)) FROM {INNER} GROUP BY time(20m) "
                 "ORDER BY time DESC", id="desc"),
    pytest.param(f"SELECT cumulative_sum(median(a)), max(a) FROM {INNER} GROUP BY time(20m)",
                 id="beside-a-call"),
    pytest.param(f"SELECT cumulative_sum(top(a, 2)) FROM {INNER} GROUP BY time(20m)",
                 id="multi-row-call"),
    pytest.param("SELECT cumulative_sum(median(v)) FROM m GROUP BY time(20m)", id="stored"),
    pytest.param(f"SELECT difference(median(a)), difference(count(a)) FROM {INNER} "
                 "GROUP BY time(20m)", id="count-looking-back"),
])
def test_not_split(text: str) -> None:
    assert transforms_apart(_select(text)) is None
