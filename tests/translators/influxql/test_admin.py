"""Schema statements and the statements the gateway does not run parse as 1.6.7 parses them."""

from __future__ import annotations

import pytest

from translators.influxql import ast
from translators.influxql.parser import parse_query, parse_statement

Spec = ast.RetentionPolicySpec
M = ast.Measurement
H = 3_600_000_000_000
COND = ast.BinaryExpr(ast.BinaryOp.EQ, ast.VarRef("a"), ast.StringLiteral("b"))

ADMIN = [
    pytest.param("CREATE DATABASE db", ast.CreateDatabase("db"), id="create-db"),
    pytest.param('CREATE DATABASE "my-db" WITH DURATION 1h REPLICATION 2 SHARD DURATION 30m '
                 "NAME rp1",
                 ast.CreateDatabase("my-db", Spec("rp1", H, 2, H // 2)), id="create-db-with"),
    pytest.param("CREATE DATABASE db WITH DURATION INF", ast.CreateDatabase("db", Spec(duration=0)),
                 id="create-db-inf"),
    pytest.param("CREATE DATABASE db WITH SHARD DURATION INF",
                 ast.CreateDatabase("db", Spec(shard_duration=0)), id="create-db-shard-inf"),
    pytest.param("CREATE DATABASE db WITH NAME rp", ast.CreateDatabase("db", Spec("rp")),
                 id="create-db-name"),
    pytest.param("DROP DATABASE db", ast.DropDatabase("db"), id="drop-db"),
    pytest.param("CREATE RETENTION POLICY rp ON db DURATION 1d REPLICATION 1",
                 ast.CreateRetentionPolicy("db", Spec("rp", 24 * H, 1)), id="create-rp"),
    pytest.param("CREATE RETENTION POLICY rp ON db DURATION INF REPLICATION 3 SHARD DURATION 1w "
                 "DEFAULT",
                 ast.CreateRetentionPolicy("db", Spec("rp", 0, 3, 168 * H, True)),
                 id="create-rp-all"),
    pytest.param("ALTER RETENTION POLICY rp ON db REPLICATION 2 DURATION 2d SHARD DURATION 1h",
                 ast.AlterRetentionPolicy("db", Spec("rp", 48 * H, 2, H)), id="alter-rp"),
    pytest.param("ALTER RETENTION POLICY default ON db DEFAULT",
                 ast.AlterRetentionPolicy("db", Spec("default", default=True)),
                 id="alter-rp-named-default"),
    pytest.param("DROP RETENTION POLICY rp ON db", ast.DropRetentionPolicy("rp", "db"),
                 id="drop-rp"),
    pytest.param("DROP MEASUREMENT cpu", ast.DropMeasurement("cpu"), id="drop-measurement"),
    pytest.param("DROP SERIES FROM cpu, /x/ WHERE a = 'b'",
                 ast.DropSeries((M("cpu"), M(regex=ast.RegexLiteral("x"))), COND),
                 id="drop-series"),
    pytest.param("DROP SERIES WHERE a = 'b'", ast.DropSeries((), COND), id="drop-series-where"),
    pytest.param("DELETE FROM cpu", ast.Delete((M("cpu"),)), id="delete-from"),
    pytest.param("DELETE WHERE a = 'b'", ast.Delete((), COND), id="delete-where"),
    pytest.param("EXPLAIN SELECT a FROM m",
                 ast.Explain(ast.SelectStatement((ast.Field(ast.VarRef("a")),), (M("m"),))),
                 id="explain"),
    pytest.param("EXPLAIN ANALYZE SELECT a FROM m",
                 ast.Explain(ast.SelectStatement((ast.Field(ast.VarRef("a")),), (M("m"),)), True),
                 id="explain-analyze"),
]


@pytest.mark.parametrize(("text", "expected"), ADMIN)
def test_admin(text: str, expected: ast.Statement) -> None:
    assert parse_statement(text) == expected


OTHERS = [
    ("SHOW USERS", "SHOW USERS"),
    ("CREATE USER u WITH PASSWORD 'p' WITH ALL PRIVILEGES", "CREATE USER"),
    ("DROP USER u", "DROP USER"),
    ("GRANT READ ON db TO u", "GRANT"),
    ("GRANT ALL PRIVILEGES TO u", "GRANT"),
    ("REVOKE WRITE ON db FROM u", "REVOKE"),
    ("REVOKE ALL FROM u", "REVOKE"),
    ("SET PASSWORD FOR u = 'x'", "SET PASSWORD"),
    ("SHOW GRANTS FOR u", "SHOW GRANTS"),
    ("SHOW CONTINUOUS QUERIES", "SHOW CONTINUOUS QUERIES"),
    ("CREATE CONTINUOUS QUERY cq ON db RESAMPLE EVERY 1m FOR 2m BEGIN SELECT mean(a) INTO b "
     "FROM c GROUP BY time(1m) END", "CREATE CONTINUOUS QUERY"),
    ("DROP CONTINUOUS QUERY cq ON db", "DROP CONTINUOUS QUERY"),
    ("SHOW SHARDS", "SHOW SHARDS"),
    ("SHOW SHARD GROUPS", "SHOW SHARD GROUPS"),
    ("SHOW STATS FOR 'shard'", "SHOW STATS"),
    ("SHOW DIAGNOSTICS", "SHOW DIAGNOSTICS"),
    ("SHOW QUERIES", "SHOW QUERIES"),
    ("KILL QUERY 12 ON host1", "KILL QUERY"),
    ("SHOW SUBSCRIPTIONS", "SHOW SUBSCRIPTIONS"),
    ("CREATE SUBSCRIPTION s ON db.rp DESTINATIONS ANY 'udp://h:1', 'udp://h:2'",
     "CREATE SUBSCRIPTION"),
    ("DROP SUBSCRIPTION s ON db.rp", "DROP SUBSCRIPTION"),
    ("DROP SHARD 1", "DROP SHARD"),
]


@pytest.mark.parametrize(("text", "kind"), [pytest.param(t, k, id=t) for t, k in OTHERS])
def test_statements_the_gateway_does_not_run(text: str, kind: str) -> None:
    (statement,) = parse_query(text + " ; ")
    assert statement == ast.OtherStatement(kind)
    assert isinstance(statement, ast.OtherStatement)
    assert (statement.kind, statement.text) == (kind, text)
