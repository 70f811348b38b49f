"""SHOW statements parse to the expected trees (1.6.7's clauses for each form)."""

from __future__ import annotations

import pytest

from translators.influxql import ast
from translators.influxql.ast import CardinalityKind as K
from translators.influxql.ast import TagKeyOp
from translators.influxql.parser import parse_statement

M = ast.Measurement
COND = ast.BinaryExpr(ast.BinaryOp.EQ, ast.VarRef("a"), ast.StringLiteral("b"))
RE = ast.RegexLiteral("x")

SHOWS = [
    pytest.param("SHOW DATABASES", ast.ShowDatabases(), id="databases"),
    pytest.param("SHOW MEASUREMENTS", ast.ShowMeasurements(), id="measurements"),
    pytest.param("SHOW MEASUREMENTS ON db WITH MEASUREMENT = cpu WHERE a = 'b' ORDER BY time "
                 "LIMIT 1 OFFSET 2",
                 ast.ShowMeasurements(database="db", source=M("cpu"), condition=COND, limit=1,
                                      offset=2), id="measurements-all-clauses"),
    pytest.param("SHOW MEASUREMENTS WITH MEASUREMENT =~ /x/",
                 ast.ShowMeasurements(source=M(regex=RE)), id="measurements-regex"),
    pytest.param("SHOW MEASUREMENTS WITH MEASUREMENT = /x/",
                 ast.ShowMeasurements(source=M(regex=RE)), id="measurements-eq-regex-quirk"),
    pytest.param("SHOW SERIES", ast.ShowSeries(), id="series"),
    pytest.param("SHOW SERIES EXACT", ast.ShowSeries(), id="series-stray-exact-quirk"),
    pytest.param("SHOW SERIES ON db FROM cpu, /x/ WHERE a = 'b' ORDER BY time LIMIT 3 OFFSET 4",
                 ast.ShowSeries(database="db", sources=(M("cpu"), M(regex=RE)), condition=COND,
                                limit=3, offset=4), id="series-all-clauses"),
    pytest.param("SHOW TAG KEYS ON db FROM cpu WHERE a = 'b' LIMIT 1 OFFSET 2 SLIMIT 3 SOFFSET 4",
                 ast.ShowTagKeys(database="db", sources=(M("cpu"),), condition=COND, limit=1,
                                 offset=2, slimit=3, soffset=4), id="tag-keys"),
    pytest.param("SHOW TAG VALUES WITH KEY = host",
                 ast.ShowTagValues(TagKeyOp.EQ, ("host",)), id="tag-values-eq"),
    pytest.param("SHOW TAG VALUES WITH KEY != host",
                 ast.ShowTagValues(TagKeyOp.NEQ, ("host",)), id="tag-values-neq"),
    pytest.param('SHOW TAG VALUES ON db FROM cpu WITH KEY IN (a, "b c") WHERE a = \'b\' '
                 "LIMIT 5 OFFSET 6",
                 ast.ShowTagValues(TagKeyOp.IN, ("a", "b c"), database="db",
                                   sources=(M("cpu"),), condition=COND, limit=5, offset=6),
                 id="tag-values-in"),
    pytest.param("SHOW TAG VALUES WITH KEY =~ /x/",
                 ast.ShowTagValues(TagKeyOp.EQREGEX, regex=RE), id="tag-values-regex"),
    pytest.param("SHOW TAG VALUES WITH KEY !~ /x/",
                 ast.ShowTagValues(TagKeyOp.NEQREGEX, regex=RE), id="tag-values-not-regex"),
    pytest.param("SHOW FIELD KEYS ON db FROM cpu ORDER BY time LIMIT 1 OFFSET 2",
                 ast.ShowFieldKeys(database="db", sources=(M("cpu"),), limit=1, offset=2),
                 id="field-keys"),
    pytest.param("SHOW RETENTION POLICIES", ast.ShowRetentionPolicies(), id="rps"),
    pytest.param("SHOW RETENTION POLICIES ON db", ast.ShowRetentionPolicies("db"), id="rps-on"),
    pytest.param("SHOW MEASUREMENT CARDINALITY", ast.ShowCardinality(K.MEASUREMENT),
                 id="measurement-cardinality"),
    pytest.param("SHOW MEASUREMENT EXACT CARDINALITY ON db FROM cpu WHERE a = 'b' GROUP BY h "
                 "LIMIT 1 OFFSET 2",
                 ast.ShowCardinality(K.MEASUREMENT, True, "db", (M("cpu"),), COND,
                                     (ast.Dimension(ast.VarRef("h")),), 1, 2),
                 id="measurement-exact-cardinality"),
    pytest.param("SHOW SERIES CARDINALITY", ast.ShowCardinality(K.SERIES), id="series-card"),
    pytest.param("SHOW SERIES EXACT CARDINALITY ON db",
                 ast.ShowCardinality(K.SERIES, True, "db"), id="series-exact-card"),
    pytest.param("SHOW TAG KEY CARDINALITY", ast.ShowCardinality(K.TAG_KEY), id="tag-key-card"),
    pytest.param("SHOW TAG KEY EXACT CARDINALITY FROM cpu",
                 ast.ShowCardinality(K.TAG_KEY, True, sources=(M("cpu"),)),
                 id="tag-key-exact-card"),
    pytest.param("SHOW FIELD KEY CARDINALITY", ast.ShowCardinality(K.FIELD_KEY),
                 id="field-key-card"),
    pytest.param("SHOW FIELD KEY EXACT CARDINALITY WHERE a = 'b'",
                 ast.ShowCardinality(K.FIELD_KEY, True, condition=COND),
                 id="field-key-exact-card"),
    pytest.param("SHOW TAG VALUES CARDINALITY WITH KEY = host",
                 ast.ShowCardinality(K.TAG_VALUES, key_op=TagKeyOp.EQ, keys=("host",)),
                 id="tag-values-card"),
    pytest.param("SHOW TAG VALUES EXACT CARDINALITY ON db FROM cpu WITH KEY =~ /x/ "
                 "WHERE a = 'b' GROUP BY h LIMIT 1",
                 ast.ShowCardinality(K.TAG_VALUES, True, "db", (M("cpu"),), COND,
                                     (ast.Dimension(ast.VarRef("h")),), 1,
                                     key_op=TagKeyOp.EQREGEX, key_regex=RE),
                 id="tag-values-exact-card"),
]


@pytest.mark.parametrize(("text", "expected"), SHOWS)
def test_show(text: str, expected: ast.Statement) -> None:
    assert parse_statement(text) == expected
