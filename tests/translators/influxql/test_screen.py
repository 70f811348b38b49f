"""The lexical screen that lets a router relay InfluxQL unparsed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translators.influxql.errors import InfluxQLParseError
from translators.influxql.parser import parse_query
from translators.influxql.screen import may_read_elsewhere, names_databases, statement_count


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


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("SELECT v FROM m", 1, id="one"),
    pytest.param("SELECT v FROM m;", 1, id="trailing-semicolon"),
    pytest.param(" ;; \n; ", 0, id="only-empty"),
    pytest.param("SELECT v FROM m; SELECT w FROM m;;SHOW MEASUREMENTS", 3, id="three"),
    pytest.param("SELECT v FROM m WHERE t = 'a;b' ; SELECT 'it\\'s;'", 2, id="in-strings"),
    pytest.param('SELECT "a;b" FROM "m;"', 1, id="in-names"),
    pytest.param("SELECT v FROM m -- one; two\n; SELECT w FROM m", 2, id="in-comment"),
    pytest.param("SELECT v FROM m; -- SELECT w FROM m;", 1, id="comment-alone"),
    pytest.param("SELECT v FROM m WHERE h =~ /a;b/ AND h !~/c;/; SELECT 1", 2, id="regexes"),
    pytest.param("SELECT v FROM m WHERE h =~ /a\\/;b/", 1, id="escaped-slash"),
    pytest.param("SELECT v FROM m WHERE h =~ /a\\\\/;b/", 1, id="backslash-then-escaped-slash"),
    pytest.param("SELECT v FROM m\r\n", 1, id="trimmed-as-1.x-trims"),
    pytest.param("SELECT v / 2 FROM m; SELECT 1", None, id="division-unsure"),
    pytest.param("SELECT /;/ FROM m", None, id="field-regex-unsure"),
    pytest.param("SELECT /* ; */ v FROM m", None, id="block-comment-unsure"),
    pytest.param("SELECT v FROM m WHERE t = 'a;b", None, id="open-string"),
    pytest.param("SELECT v FROM m WHERE h =~ /a;b", None, id="open-regex"),
])
def test_statement_count(text: str, expected: int | None) -> None:
    assert statement_count(text) == expected


_PIECES = ["SELECT v FROM m", "SHOW TAG KEYS", ";", " ", "\n", "'a;b'", "'x\\'y;'", '"n;m"',
           "WHERE h =~ /a;b/", "WHERE h !~ /x\\/;/", "-- c;\n", "/ 2", "/* ; */", "=~",
           "/", "'", '"', "WHERE t = 'q;' AND v > 1", "\t", "$p", "\\"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12))
def test_statement_count_agrees_with_the_parser(pieces: list[str]) -> None:
    """Wherever the count is sure and the text parses, it is the parser's count."""
    text = "".join(pieces)
    counted = statement_count(text)
    try:
        parsed = parse_query(text)
    except InfluxQLParseError:
        return
    assert counted is None or counted == len(parsed), text
