"""Parsed InfluxQL is kept per query text: the same text again costs no parse."""

from __future__ import annotations

import pytest

from gateway.errors import GatewayError
from gateway.services.influxql import parse_statements

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
