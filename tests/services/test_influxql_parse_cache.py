"""Parsed InfluxQL is kept per query text: the same text again costs no parse."""

from __future__ import annotations

import pytest

from gateway.errors import GatewayError
from gateway.services.influxql import parse_statements
from translators.influxql.parser import parse_query

TEXT = "SELECT mean(v) FROM m WHERE time > now() - 1h GROUP BY time(1m); SHOW DATABASES"


def test_the_same_text_is_parsed_once() -> None:
    first = parse_statements(TEXT, None)
    again = parse_statements(TEXT, {})
    assert again == first
    assert all(a is b for a, b in zip(first, again, strict=True))
    first.append(first[0])  # each caller gets its own list
    assert len(parse_statements(TEXT, None)) == 2


def test_bound_parameters_are_parsed_each_time() -> None:
    text = "SELECT v FROM m WHERE host = $host"
    one = parse_statements(text, {"host": "a"})
    two = parse_statements(text, {"host": "b"})
    assert one != two


def test_errors_are_raised_every_time() -> None:
    for _ in range(2):
        with pytest.raises(GatewayError, match="error parsing query"):
            parse_statements("SELECT FROM", None)


def test_statements_that_change_things_are_not_kept() -> None:
    text = "CREATE USER admin WITH PASSWORD 'secret' WITH ALL PRIVILEGES"
    first, again = parse_statements(text, None), parse_statements(text, None)
    assert first == again and first[0] is not again[0]
    mixed = "SHOW DATABASES; CREATE DATABASE x"  # one statement that changes things is enough
    assert parse_statements(mixed, None)[0] is not parse_statements(mixed, None)[0]


def test_a_text_of_a_known_shape_is_bound_not_parsed() -> None:
    # Grafana's refresh: the same statement with new time bounds, so a new text each time
    shape = "SELECT mean(v) FROM m WHERE h = '{}' AND time >= {}ms AND time <= {}ms " \
            "GROUP BY time(1m)"
    first = parse_statements(shape.format("a", 1000, 2000), None)[0]
    again = parse_statements(shape.format("b", 1500, 9000), None)[0]
    assert again == parse_query(shape.format("b", 1500, 9000))[0] != first
    # the parts outside the WHERE clause are the template's own objects
    assert again.fields is first.fields and again.dimensions is first.dimensions
    with pytest.raises(GatewayError, match="error parsing query: invalid duration"):
        parse_statements(shape.format("b", 1500, "99999999999999999999999"), None)
