"""The lexical screen that lets a router relay InfluxQL unparsed."""

from __future__ import annotations

import pytest

from translators.influxql.screen import may_read_elsewhere, names_databases


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("SHOW DATABASES", True, id="show"),
    pytest.param('create database "x"', True, id="create-lower-case"),
    pytest.param("DROP DATABASE x; SELECT 1", True, id="drop-among-others"),
    pytest.param('SELECT * FROM "mydatabase"', False, id="inside-a-name"),
    pytest.param("SHOW MEASUREMENTS", False, id="no-database"),
])
def test_names_databases(text: str, expected: bool) -> None:
    assert names_databases(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param('SELECT last("v") FROM "cpu" WHERE "host" = \'h1\'', False, id="plain"),
    pytest.param("SELECT v FROM cpu WHERE v > 0.5 AND time > '2020-01-01T00:00:00.123Z'",
                 False, id="numbers-and-times"),
    pytest.param("SELECT mean(v) FROM cpu GROUP BY time(1m) fill(none); SHOW MEASUREMENTS",
                 False, id="several-statements"),
    pytest.param('SELECT * FROM "other"."autogen"."cpu"', True, id="fully-qualified"),
    pytest.param("SELECT * FROM other..cpu", True, id="default-policy"),
    pytest.param('SELECT * FROM "weekly".cpu', True, id="policy-only"),
    pytest.param("SELECT * INTO other.autogen.copy FROM cpu", True, id="into-elsewhere"),
    pytest.param("SELECT * FROM (SELECT v FROM db..cpu)", True, id="in-a-subquery"),
    pytest.param("SHOW MEASUREMENTS ON other", True, id="show-on"),
    pytest.param('show tag keys on "other" from cpu', True, id="lower-case-on"),
    pytest.param("CREATE RETENTION POLICY w ON other DURATION 1d REPLICATION 1", True,
                 id="policy-on"),
    pytest.param("SELECT * FROM cpu WHERE host = 'a.b'", True, id="dot-in-a-string"),
    pytest.param('SELECT "on" FROM cpu', True, id="word-on-quoted"),
    pytest.param('SELECT "on_time" FROM cpu', False, id="on-inside-a-name"),
])
def test_may_read_elsewhere(text: str, expected: bool) -> None:
    assert may_read_elsewhere(text) is expected
