"""1.6.7's CSV answers, byte for byte against answers captured from a real server."""

from __future__ import annotations

import pytest

from translators.encoders.influxql_csv import (
    CsvWriter,
    csv_field,
    encode_csv,
    encode_csv_chunks,
    encode_csv_error,
    tags_field,
)
from translators.influxql.results import Series, StatementResult

from . import influxql_results as R


def test_statements_after_the_first_get_a_blank_line_and_failures_vanish() -> None:
    results = [*R.select(), StatementResult(1, [R.databases()]), StatementResult(2),
               StatementResult(3, error="undefined function foo()")]
    assert encode_csv(results) == R.golden("select.csv")


def test_epoch_truncates_toward_zero() -> None:
    assert encode_csv(R.select(), epoch="s") == R.golden("select-epoch-s.csv")


def test_tags_drop_empty_values_and_escape() -> None:
    assert encode_csv(R.group_all()) == R.golden("group-all.csv")


def test_empty_statements_are_skipped_without_a_blank_line() -> None:
    results = [StatementResult(0), StatementResult(1, [R.databases()])]
    assert encode_csv(results) == R.golden("skip-empty.csv")


def test_a_failed_statement_writes_nothing() -> None:
    assert R.golden("error-first.csv") == b""
    assert encode_csv([StatementResult(0, error="undefined function foo()")]) == b""


def test_changed_columns_get_a_blank_line_and_a_new_header() -> None:
    results = [StatementResult(0, [
        Series("build", ["Branch", "Build Time", "Commit", "Version"],
               [["unknown", "", "unknown", "1.6.7~rc0"]]),
        Series("config", ["bind-address", "reporting-enabled"], [["127.0.0.1:0", False]]),
    ])]
    assert encode_csv(results) == R.golden("diagnostics-head.csv")


def test_chunked_matches_golden() -> None:
    results, kinds = R.chunk_input()
    body = b"".join(encode_csv_chunks(results, chunk_size=2, chunking=kinds))
    assert body == R.golden("chunked.csv")


def test_chunked_and_unchunked_agree() -> None:
    results = [*R.select(), StatementResult(1, [R.databases()])]
    assert b"".join(encode_csv_chunks(results, chunk_size=1)) == encode_csv(results)


def test_request_error() -> None:
    message = "error parsing query: found EOF, expected identifier at line 1, char 15"
    assert encode_csv_error(message) == R.golden("error.csv")


@pytest.mark.parametrize(("field", "written"), [
    ("plain", "plain"), ("", ""), ("a,b", '"a,b"'), ('q"', '"q"""'), ("a\nb", '"a\nb"'),
    ("a\rb", '"a\rb"'), (" lead", '" lead"'), ("\tlead", '"\tlead"'),
    ("\u3000lead", '"\u3000lead"'), ("trail ", "trail "), ("\\.", '"\\."'),
    ("\\.x", "\\.x"), ("\x1clead", "\x1clead"),
])
def test_fields_are_quoted_as_go_encoding_csv_does(field: str, written: str) -> None:
    assert csv_field(field) == written
    series = Series("m", ["v"], [[field]])
    assert encode_csv([StatementResult(0, [series])]) == f"name,tags,v\nm,,{written}\n".encode()


def test_tags_field() -> None:
    assert tags_field(None) == ""
    assert tags_field({"b": "2", "a": "x y", "c": ""}) == "a=x\\ y,b=2"


def test_narrower_rows_keep_the_previous_cells_as_go_reuses_its_record() -> None:
    writer = CsvWriter()
    series = Series("m", ["a", "b"], [[1, 2], [3]])
    assert writer.write([StatementResult(0, [series])]) == b"name,tags,a,b\nm,,1,2\nm,,3,2\n"


def test_values_of_every_type() -> None:
    series = Series("m", ["time", "f", "i", "b", "n", "mixed"],
                    [[-1, 1e21, 2**63 - 1, True, None, "x"], [1, -0.0, -5, False, None, 2.5]],
                    has_time=True)
    assert encode_csv([StatementResult(0, [series])], epoch="ms") == (
        b"name,tags,time,f,i,b,n,mixed\nm,,0,1000000000000000000000,9223372036854775807,"
        b"true,,x\nm,,0,-0,-5,false,,2.5\n")
