"""information_schema and SHOW describe only the addressed database, from inline rows."""

from __future__ import annotations

import pytest

from translators.sql import SqlRejected, translate_query

COLUMNS = {"cpu": [("time", "Timestamp(Nanosecond, None)"), ("usage", "Float64")]}


def translate(text: str, columns: dict | None = COLUMNS) -> str:
    return translate_query(text, schema="db1", tables={"cpu"}, columns=columns)


@pytest.mark.parametrize(("text", "fragments"), [
    ("SHOW TABLES", ["('public', 'iox', 'cpu', 'BASE TABLE')", "table_type"]),
    ('show columns in "cpu";', ["table_name = 'cpu'", "('public', 'iox', 'cpu', 'usage', 2, "
                                "'YES', 'Float64')"]),
    ("SELECT * FROM information_schema.tables t", ["AS \"t\""]),
])
def test_views_are_inline_rows(text: str, fragments: list[str]) -> None:
    sql = translate(text)
    for fragment in fragments:
        assert fragment in sql
    assert "information_schema" not in sql.replace("'information_schema'", "")


@pytest.mark.parametrize(("text", "columns", "message"), [
    ("SHOW TABLES", None, "SHOW is not supported"),
    ("SELECT * FROM information_schema.tables", None, "not found"),
    ("SELECT * FROM information_schema.df_settings", COLUMNS, "not found"),
    ("SHOW COLUMNS FROM read_csv('x')", COLUMNS, "SHOW COLUMNS"),
    ("SHOW DATABASES", COLUMNS, "only SELECT"),
])
def test_refused(text: str, columns: dict | None, message: str) -> None:
    with pytest.raises(SqlRejected, match=message):
        translate(text, columns)
