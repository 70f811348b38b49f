"""SLIMIT/SOFFSET over the tag sets the shards' index lists (`shard_index.py`)."""

from __future__ import annotations

import pytest

from translators.influxql import ast
from translators.influxql.parser import parse_query as parse
from translators.influxql.render import render
from translators.influxql.shard_index import index_statement, paged_tag_sets, parse_series_key


@pytest.mark.parametrize(("key", "expected"), [
    pytest.param("cpu", ("cpu", {}), id="bare"),
    pytest.param("cpu,host=a,region=eu", ("cpu", {"host": "a", "region": "eu"}), id="tags"),
    pytest.param(r"c\,pu,ho\=st=a\,b\ c", ("c,pu", {"ho=st": "a,b c"}), id="escapes"),
])
def test_series_keys_are_split_with_escapes_undone(key: str, expected: object) -> None:
    assert parse_series_key(key) == expected


KEYS = ["cpu,host=h0,region=us", "cpu,host=h1,region=eu", "cpu,host=h2,region=us",
        "cpu,host=h3", "mem,host=h0"]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("SELECT v FROM cpu, mem GROUP BY host SLIMIT 2 SOFFSET 1",
                 {"cpu": {b"host|h1", b"host|h2"}, "mem": set()}, id="per-measurement"),
    pytest.param("SELECT v FROM cpu GROUP BY * SLIMIT 2",
                 {"cpu": {b"host|h3", b"host|region|h0|us"}}, id="missing-tag-first"),
    pytest.param("SELECT v FROM cpu WHERE region = 'us' AND v > 1 GROUP BY host SLIMIT 1 "
                 "SOFFSET 1", {"cpu": {b"host|h2"}}, id="field-keeps-every-series"),
    pytest.param("SELECT v FROM cpu WHERE region =~ /u/ OR v > 1 GROUP BY host SLIMIT 1 "
                 "SOFFSET 3", {"cpu": {b"host|h3"}}, id="or-field"),
    # 1.x's LimitTagSets: SOFFSET without SLIMIT leaves no tag set
    pytest.param("SELECT v FROM cpu GROUP BY host SOFFSET 1", {"cpu": set()},
                 id="soffset-without-slimit"),
    pytest.param("SELECT v FROM cpu WHERE region != 'us' GROUP BY region SLIMIT 5",
                 {"cpu": {b"", b"region|eu"}}, id="not-equal-and-absent"),
    pytest.param("SELECT v FROM cpu WHERE nosuch = 'x' GROUP BY host SLIMIT 1",
                 {"cpu": {b"host|h0"}}, id="unknown-name-is-a-field"),
])
def test_tag_sets_are_paged_in_index_order(text: str, expected: object) -> None:
    (statement,) = parse(text)
    request = index_statement(statement, now=0)
    assert request is not None
    selected = {k for k in KEYS if k.split(",")[0] in render(request.statement)}
    assert paged_tag_sets(statement, request, selected) == expected


def test_the_index_is_asked_over_the_time_range_only() -> None:
    (statement,) = parse('SELECT v FROM "db"."rp"."cpu" WHERE host = \'a\' AND time >= 10 '
                         "AND time < 20 GROUP BY host SLIMIT 1")
    request = index_statement(statement, now=0)
    assert request is not None
    assert render(request.statement) == (
        "SHOW SERIES ON db FROM rp.cpu WHERE time >= '1970-01-01T00:00:00.00000001Z' "
        "AND time <= '1970-01-01T00:00:00.000000019Z'")
    assert request.condition == ast.BinaryExpr(ast.BinaryOp.EQ, ast.VarRef("host"),
                                               ast.StringLiteral("a"))
    (unpaged,) = parse("SELECT v FROM cpu WHERE time >= 10 GROUP BY host")
    assert index_statement(unpaged, now=0) is None
