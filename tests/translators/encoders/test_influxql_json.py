"""1.6.7's JSON answers, byte for byte against answers captured from a real server."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from translators.encoders.influxql_chunks import Chunking
from translators.encoders.influxql_json import (
    _BULK_FROM,
    _bulk_float_column,
    _float_column,
    encode_json,
    encode_json_chunks,
    encode_json_error,
    go_float_text,
    go_json_float_text,
)
from translators.influxql.results import Series, StatementResult

from . import influxql_results as R

PARSE_ERROR = "error parsing query: found EOF, expected identifier at line 1, char 15"


@pytest.mark.parametrize(("golden", "build", "options"), [
    pytest.param("select.json", R.select, {}, id="floats-strings-ints-bools-nulls"),
    pytest.param("multi-pretty.json", R.multi, {"pretty": True}, id="pretty-multi-statement"),
    pytest.param("strings.json", R.strings, {}, id="go-escapes"),
    pytest.param("group-all.json", R.group_all, {}, id="sorted-tags-with-empty-values"),
    pytest.param("shows.json", R.shows, {}, id="messages-and-nameless-series"),
    *(pytest.param(f"epoch-{e}.json", R.host_c_x, {"epoch": e}, id=f"epoch-{e}")
      for e in ("ns", "u", "ms", "s", "m", "h", "x")),
])
def test_unchunked_matches_golden(golden: str, build: Callable[[], list[StatementResult]],
                                  options: dict[str, object]) -> None:
    assert encode_json(build(), **options) == R.golden(golden)  # type: ignore[arg-type]


def test_chunked_matches_golden() -> None:
    results, kinds = R.chunk_input()
    body = b"".join(encode_json_chunks(results, chunk_size=2, chunking=kinds))
    assert body == R.golden("chunked.json")


def test_chunked_pretty_matches_golden() -> None:
    mem = StatementResult(0, [R.timed("mem", ["time", "free"], [[1704067200000000000, 12],
                                                                 [1704067260000000000, 13]])])
    chunks = list(encode_json_chunks([mem, StatementResult(1, [R.databases()])], chunk_size=1,
                                     pretty=True, chunking={1: Chunking.WHOLE}))
    assert len(chunks) == 3
    assert b"".join(chunks) == R.golden("chunked-pretty.json")


def test_long_series_is_marked_partial_unchunked() -> None:
    # 1.6.7 merges its 10000-row chunks back but keeps the first chunk's "partial".
    body = encode_json(R.big(), epoch="ns")
    assert body.endswith(R.golden("big-tail.json"))
    assert json.loads(body)["results"][0]["series"][0]["partial"] is True


def test_infinity_turns_the_body_into_go_marshal_error() -> None:
    results = R.host_c_x()
    results[0].series[0].values[1][1] = float("-inf")
    assert encode_json(results) == R.golden("inf.json")
    results[0].series[0].values[1][1] = float("nan")
    assert encode_json(results).endswith(b"json: unsupported value: NaN\n")


@pytest.mark.parametrize("pretty", [False, True])
def test_request_error(pretty: bool) -> None:
    golden = "error-pretty.json" if pretty else "error.json"
    assert encode_json_error(PARSE_ERROR, pretty) == R.golden(golden)


@pytest.mark.parametrize(("value", "text"), [
    (1.0, "1"), (-0.0, "-0"), (0.0, "0"), (100.0, "100"), (0.1, "0.1"), (1.5, "1.5"),
    (1e20, "100000000000000000000"), (1e21, "1e+21"), (1.5e300, "1.5e+300"),
    (1e-6, "0.000001"), (2.5e-5, "0.000025"), (1e-4, "0.0001"), (1e-7, "1e-7"),
    (1.5e-7, "1.5e-7"), (1e-10, "1e-10"), (5e-324, "5e-324"),
    (float(2**60), "1152921504606847000"), (9007199254740993.0, "9007199254740992"),
    (123456789.123456789, "123456789.12345679"), (-1e-7, "-1e-7"),
])
def test_floats_as_go_encoding_json_writes_them(value: float, text: str) -> None:
    assert go_json_float_text(value) == text
    series = Series("m", ["v"], [[value]])
    assert encode_json([StatementResult(0, [series])]) == (
        b'{"results":[{"statement_id":0,"series":[{"name":"m","columns":["v"],"values":[['
        + text.encode() + b"]]}]}]}\n")


@pytest.mark.parametrize(("value", "text"), [
    (1e21, "1000000000000000000000"), (1e-7, "0.0000001"), (-0.0, "-0"),
    (float("inf"), "+Inf"), (float("-inf"), "-Inf"), (float("nan"), "NaN"),
])
def test_floats_as_strconv_f_writes_them(value: float, text: str) -> None:
    assert go_float_text(value) == text


def test_a_string_that_looks_like_the_raw_float_marker_stays_a_string() -> None:
    sneaky = "\x00\x1f0:1e-7"
    series = Series("m", ["s", "v"], [[sneaky, 1e-7]])
    body = encode_json([StatementResult(0, [series])])
    assert json.loads(body)["results"][0]["series"][0]["values"] == [[sneaky, 1e-7]]
    assert b",1e-7]]" in body


def test_backslash_before_b_is_not_taken_for_a_backspace() -> None:
    series = Series("m", ["s"], [["\\b\b\\f\f"]])
    body = encode_json([StatementResult(0, [series])])
    assert b'"\\\\b\\u0008\\\\f\\u000c"' in body


def test_lone_surrogates_become_replacement_escapes() -> None:
    series = Series("m", ["s"], [["a\udcffb"]])
    assert b'"a\\ufffdb"' in encode_json([StatementResult(0, [series])])


def test_empty_answers() -> None:
    assert encode_json([]) == b"{}\n"
    assert encode_json([StatementResult(0, [Series("m", [], [])])]) == (
        b'{"results":[{"statement_id":0,"series":[{"name":"m"}]}]}\n')


@pytest.mark.parametrize("column", [
    pytest.param([0.5, 2.0, None, 2.5e-5, -0.0, 1e300, 0.25], id="floats-and-nulls"),
    pytest.param([0.5, 2.0, None, 2.5e-5, -0.0, 1e300, 3], id="floats-and-ints"),
])
def test_columns_mixing_plain_and_rewritten_floats(column: list[object]) -> None:
    series = Series("m", ["v"], [[v] for v in column])
    body = encode_json([StatementResult(0, [series])])
    last = b"0.25" if column[-1] == 0.25 else b"3"
    assert body.endswith(b'"values":[[0.5],[2],[null],[0.000025],[-0],[1e+300],[' + last
                         + b"]]}]}]}\n")


def test_long_float_columns_checked_in_bulk_as_short_ones_one_by_one() -> None:
    # Columns of _BULK_FROM values or more take the Arrow path; it must write what the
    # per-value path writes, for every kind of value that Go writes differently.
    kinds = [0.5, 2.0, None, 2.5e-5, -0.0, 0.0, 1e300, 0.25, 1e-7, -3.0, float(2**60),
             9007199254740993.0, 123456789.123456789]
    column = kinds * (_BULK_FROM // len(kinds) + 1)
    assert len(column) >= _BULK_FROM
    bulk = _bulk_float_column(column)
    assert [type(v) for v in bulk] == [type(v) for v in _float_column(column)]
    def text(v: object) -> object:  # the verbatim JSON of a rewritten float, else the value
        return getattr(v, "text", v)

    assert [text(v) for v in bulk] == [text(v) for v in _float_column(column)]
    rows = [[v] for v in column]
    long_body = encode_json([StatementResult(0, [Series("m", ["v"], rows)])])
    short_bodies = [encode_json([StatementResult(0, [Series("m", ["v"], [row])])])
                    for row in rows[:len(kinds)]]
    values = [b.split(b'"values":[')[1].split(b"]]}")[0] + b"]" for b in short_bodies]
    assert long_body.split(b'"values":[')[1].startswith(b",".join(values))
