"""1.x `/query` answers read back into results: real 1.6.7 answers, re-encoding through every
existing encoder, and round trips of hand-made, generated and engine-made results."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translators.encoders import V3_ENCODERS
from translators.encoders.influxql_chunks import merge_chunks
from translators.encoders.influxql_csv import encode_csv, encode_csv_chunks
from translators.encoders.influxql_json import (
    encode_json,
    encode_json_chunks,
    go_json_float_text,
)
from translators.encoders.influxql_msgpack import encode_msgpack, encode_msgpack_chunks
from translators.encoders.influxql_table import encode_table
from translators.influxql import engine
from translators.influxql.decode import (
    MalformedAnswer,
    RequestFailed,
    decode_v1_chunks,
    decode_v1_json,
    decode_v1_msgpack,
    finished_v1_msgpack,
)
from translators.influxql.parser import parse_statement
from translators.influxql.results import Message, Series, StatementResult
from translators.influxql.schema import MeasurementSchema, StaticSchema
from translators.lineprotocol import FieldType

from ..encoders import influxql_results as R


def typed(results: list[StatementResult]) -> list[Any]:
    """Results compared strictly: every value with its type (2 is not 2.0, 0.0 is not -0.0)."""
    def cell(v: Any) -> Any:
        return (type(v).__name__, math.copysign(1, v) if type(v) is float else 0, v)

    return [(r.statement_id, r.error, r.partial, r.messages,
             [(s.name, s.tags, s.columns, s.has_time, s.partial,
               [[cell(v) for v in row] for row in s.values]) for s in r.series])
            for r in results]


# -- real 1.6.7 answers (the encoders' golden files) --------------------------------------------

@pytest.mark.parametrize(("golden", "decode", "build"), [
    pytest.param("select.json", decode_v1_json, R.select, id="json-rfc3339-every-type"),
    pytest.param("epoch-ns.json", decode_v1_json, R.host_c_x, id="json-epoch-ns"),
    pytest.param("multi-pretty.json", decode_v1_json, R.multi, id="json-pretty-multi"),
    pytest.param("strings.json", decode_v1_json, R.strings, id="json-go-escapes"),
    pytest.param("group-all.json", decode_v1_json, R.group_all, id="json-empty-tag-values"),
    pytest.param("shows.json", decode_v1_json, R.shows, id="json-messages-nameless-series"),
    pytest.param("chunked.json", decode_v1_chunks, lambda: R.chunk_input()[0],
                 id="json-chunked"),
    pytest.param("select.json", decode_v1_chunks, R.select, id="chunks-reads-unchunked"),
    pytest.param("select.msgpack", decode_v1_msgpack, R.select, id="msgpack-time-extension"),
    pytest.param("multi.msgpack", decode_v1_msgpack, R.multi, id="msgpack-error-without-id"),
    pytest.param("shows.msgpack", decode_v1_msgpack, R.shows, id="msgpack-shows"),
    pytest.param("chunked.msgpack", decode_v1_msgpack, lambda: R.chunk_input()[0],
                 id="msgpack-chunked"),
    pytest.param("ints.msgpack", decode_v1_msgpack, R.ints, id="msgpack-int-widths"),
])
def test_real_answers_decode_to_the_results_behind_them(
        golden: str, decode: Callable[[bytes], list[StatementResult]],
        build: Callable[[], list[StatementResult]]) -> None:
    assert typed(decode(R.golden(golden))) == typed(build())


@pytest.mark.parametrize(("epoch", "first", "second"), [
    ("u", -1_000_000_000_000_000_000, -1_500_000_000),
    ("s", -1_000_000_000_000_000_000, -1_000_000_000),  # 1.x truncated -1.5 s toward zero
    ("h", -999_997_200_000_000_000, 0),
    ("x", -1_000_000_000_000_000_000, -1_500_000_000),  # an unknown unit is nanoseconds
])
def test_integer_times_are_in_the_requested_epoch(epoch: str, first: int, second: int) -> None:
    (result,) = decode_v1_json(R.golden(f"epoch-{epoch}.json"), epoch=epoch)
    assert [row[0] for row in result.series[0].values[:2]] == [first, second]


def test_real_json_answer_re_encodes_as_the_real_csv_and_msgpack_answers() -> None:
    results = decode_v1_json(R.golden("select.json"))
    assert encode_csv(results, epoch="s") == R.golden("select-epoch-s.csv")
    assert encode_msgpack(results) == R.golden("select.msgpack")
    assert encode_json(results) == R.golden("select.json")


def test_real_chunked_answer_re_encodes_as_the_real_chunked_answers() -> None:
    results = decode_v1_chunks(R.golden("chunked.json"))
    kinds = R.chunk_input()[1]
    assert b"".join(encode_json_chunks(results, chunk_size=2, chunking=kinds)) == R.golden(
        "chunked.json")
    assert b"".join(encode_msgpack_chunks(results, chunk_size=2, chunking=kinds)) == R.golden(
        "chunked.msgpack")
    assert b"".join(encode_csv_chunks(results, chunk_size=2, chunking=kinds)) == R.golden(
        "chunked.csv")


@pytest.mark.parametrize("fmt", list(V3_ENCODERS))
def test_influxdb3_tables_from_a_decoded_answer(fmt: str) -> None:
    # /api/v3/query_influxql answered by a 1.x upstream: the same bytes as from the executor.
    (decoded,) = decode_v1_msgpack(R.golden("select.msgpack"))
    assert encode_table(decoded, fmt) == encode_table(R.select()[0], fmt)
    (from_json,) = decode_v1_json(R.golden("select.json"))
    assert encode_table(from_json, fmt) == encode_table(R.select()[0], fmt)


# -- what JSON cannot say -----------------------------------------------------------------------

def test_integral_floats_beside_floats_come_back_as_floats() -> None:
    body = b'{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","f","i"],' \
           b'"values":[[1,2,3],[2,2.5,4],[3,-0,5],[4,1e+21,6]]}]}]}\n'
    (result,) = decode_v1_json(body)
    assert typed([result])[0][4][0][5] == typed([StatementResult(0, [Series(
        "m", ["time", "f", "i"], [[1, 2.0, 3], [2, 2.5, 4], [3, -0.0, 5], [4, 1e21, 6]],
        has_time=True)])])[0][4][0][5]


def test_a_float_column_of_integral_values_comes_back_as_integers() -> None:
    # The documented loss: Go's JSON writes 2.0 as 2. MessagePack keeps the float.
    results = [StatementResult(0, [R.timed("m", ["time", "f"], [[1, 2.0], [2, 3.0]])])]
    from_json = decode_v1_json(encode_json(results, epoch="ns"))
    assert [type(row[1]) for row in from_json[0].series[0].values] == [int, int]
    assert typed(decode_v1_msgpack(encode_msgpack(results, epoch="ns"))) == typed(results)
    # ...which the JSON and CSV answers cannot show anyway.
    assert encode_json(from_json) == encode_json(results)
    assert encode_csv(from_json) == encode_csv(results)


# -- chunks -------------------------------------------------------------------------------------

def test_chunks_glue_a_partial_series_and_keep_an_error_after_rows() -> None:
    body = (b'{"results":[{"statement_id":0,"messages":[{"level":"warning","text":"w"}],'
            b'"series":[{"name":"m","tags":{"h":"a"},"columns":["time","v"],'
            b'"values":[[1,1.5]],"partial":true}],"partial":true}]}\n'
            b'{"results":[{"statement_id":0,"series":[{"name":"m","tags":{"h":"a"},'
            b'"columns":["time","v"],"values":[[2,2]]}],"partial":true}]}\n'
            b'{"results":[{"statement_id":0,"series":[{"name":"m","tags":{"h":"b"},'
            b'"columns":["time","v"],"values":[[1,3]]}],"partial":true}]}\n'
            b'{"results":[{"statement_id":0,"error":"max-row-limit exceeded"}]}\n'
            b'{"results":[{"statement_id":1}]}\n')
    assert typed(decode_v1_chunks(body)) == typed([
        StatementResult(0, [R.timed("m", ["time", "v"], [[1, 1.5], [2, 2.0]], {"h": "a"}),
                            R.timed("m", ["time", "v"], [[1, 3]], {"h": "b"})],
                        [Message("warning", "w")], error="max-row-limit exceeded"),
        StatementResult(1),
    ])


def test_chunked_msgpack_error_without_id_belongs_to_the_partial_statement() -> None:
    results = [StatementResult(0, [R.timed("m", ["time", "v"], [[1, 1], [2, 2], [3, 3]])],
                               error="timeout"), StatementResult(1, error="second")]
    body = b"".join(encode_msgpack_chunks(results, chunk_size=2))
    assert typed(decode_v1_msgpack(body)) == typed(results)


# -- failures -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "decode"), [
    pytest.param(R.golden("error.json"), decode_v1_json, id="json"),
    pytest.param(R.golden("error.json"), decode_v1_chunks, id="chunks"),
    pytest.param(R.golden("error.msgpack"), decode_v1_msgpack, id="msgpack"),
    pytest.param(b'{"results":[{"statement_id":0}]}\n{"error":"timeout"}\n', decode_v1_chunks,
                 id="mid-stream"),
])
def test_request_level_error(body: bytes, decode: Callable[[bytes], object]) -> None:
    with pytest.raises(RequestFailed) as caught:
        decode(body)
    assert caught.value.message.startswith(("error parsing query", "timeout"))


@pytest.mark.parametrize(("body", "decode"), [
    pytest.param(R.golden("inf.json"), decode_v1_json, id="go-marshal-error-text"),
    pytest.param(b"<html>", decode_v1_chunks, id="html"),
    pytest.param(b"[1]", decode_v1_json, id="not-an-object"),
    pytest.param(b'{"results":[{"statement_id":"0"}]}', decode_v1_json, id="string-id"),
    pytest.param(b'{"results":[{"series":[{"values":[["yesterday",1]],"columns":["time","v"]}]'
                 b'}]}', decode_v1_json, id="bad-time"),
    pytest.param(b'{"results":[{"series":[{"values":[1]}]}]}', decode_v1_json, id="flat-row"),
    pytest.param(b'{"status":"ok"}', decode_v1_json, id="no-results"),
    pytest.param(R.golden("select.msgpack")[:-3], decode_v1_msgpack, id="truncated-msgpack"),
    pytest.param(b"\xc1", decode_v1_msgpack, id="msgpack-never-used-byte"),
])
def test_malformed(body: bytes, decode: Callable[[bytes], object]) -> None:
    with pytest.raises(MalformedAnswer):
        decode(body)


def test_no_results_at_all() -> None:
    assert decode_v1_json(b"{}\n") == [] == decode_v1_msgpack(encode_msgpack([]))


# -- round trips of generated results -----------------------------------------------------------

_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
_COLUMN_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "float": st.floats(allow_nan=False, allow_infinity=False),
    "int": st.integers(-(2**63), 2**63 - 1),
    "unsigned": st.integers(2**63, 2**64 - 1),
    "str": _TEXT,
    "bool": st.booleans(),
}
_TIMES = st.integers(-(2**63) + 1, 2**63 - 1)


@st.composite
def series_of(draw: st.DrawFn, timed: bool, tags: dict[str, str] | None) -> Series:
    kinds = draw(st.lists(st.sampled_from(list(_COLUMN_VALUES)), min_size=1, max_size=4))
    names = [f"c{i}" for i in range(len(kinds))]
    rows = draw(st.lists(st.tuples(*(st.none() | _COLUMN_VALUES[k] for k in kinds)),
                         max_size=6))
    values = [list(r) for r in rows]
    if timed:
        times = draw(st.lists(_TIMES, min_size=len(values), max_size=len(values)))
        values = [[t, *row] for t, row in zip(times, values, strict=True)]
        names = ["time", *names]
    return Series(draw(_TEXT), names, values, tags, has_time=timed)


@st.composite
def results_of(draw: st.DrawFn) -> list[StatementResult]:
    out = []
    for sid in range(draw(st.integers(0, 3))):
        if draw(st.booleans()) and draw(st.booleans()):
            out.append(StatementResult(sid, error=draw(_TEXT)))
            continue
        timed = draw(st.booleans())
        tag_sets = draw(st.lists(st.none() | st.dictionaries(
            st.text(min_size=1, max_size=3), _TEXT, min_size=1, max_size=2),
            max_size=3, unique_by=lambda t: tuple(sorted((t or {}).items()))))
        series = [draw(series_of(timed, tags)) for tags in tag_sets]
        messages = draw(st.lists(st.builds(Message, _TEXT, _TEXT), max_size=2))
        out.append(StatementResult(sid, series, messages, partial=draw(st.booleans())))
    return out


def through_json(results: list[StatementResult]) -> list[StatementResult]:
    """What a JSON answer can keep: a float column of integral values below 1e21 (and not -0)
    comes back as the integers Go wrote (its shortest digits: 2**60 is 1152921504606847000)."""
    out = copy.deepcopy(merge_chunks(results))
    for result in out:
        for series in result.series:
            for index in range(1 if series.has_time else 0, len(series.columns)):
                floats = [r[index] for r in series.values if type(r[index]) is float]
                if floats and all(f.is_integer() and abs(f) < 1e21
                                  and not (f == 0 and math.copysign(1, f) < 0) for f in floats):
                    for row in series.values:
                        if type(row[index]) is float:
                            row[index] = int(go_json_float_text(row[index]))
    return out


PROPERTY = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(results_of(), st.sampled_from(["ns", None]))
def test_json_round_trip(results: list[StatementResult], epoch: str | None) -> None:
    body = encode_json(results, epoch=epoch)
    decoded = decode_v1_json(body, epoch=epoch)
    assert typed(decoded) == typed(through_json(results))
    # What JSON loses, no 1.x text format shows: the same bytes again.
    assert encode_json(decoded, epoch=epoch) == body
    assert encode_csv(decoded) == encode_csv(results)


@PROPERTY
@given(results_of(), st.integers(1, 3))
def test_chunked_json_round_trip(results: list[StatementResult], size: int) -> None:
    body = b"".join(encode_json_chunks(results, chunk_size=size, epoch="ns"))
    assert typed(decode_v1_chunks(body)) == typed(through_json(results))


@PROPERTY
@given(results_of(), st.sampled_from(["ns", None]), st.integers(0, 3))
def test_msgpack_round_trip_is_exact(results: list[StatementResult], epoch: str | None,
                                     size: int) -> None:
    # 1.x's MessagePack writes a failed statement as its error alone.
    expected = [StatementResult(r.statement_id, error=r.error) if r.error is not None else r
                for r in merge_chunks(results)]
    body = encode_msgpack(results, epoch=epoch)
    assert typed(decode_v1_msgpack(body, epoch=epoch)) == typed(expected)
    assert encode_msgpack(decode_v1_msgpack(body, epoch=epoch), epoch=epoch) == body
    # Chunked, a failed statement's `{error}` has no id: after a chunk marked partial it reads
    # as the end of that statement, so leave out answers where 1.x itself is ambiguous.
    ambiguous = any(a.partial and b.error is not None
                    for a, b in zip(results, results[1:], strict=False))
    if size and not ambiguous:
        chunks = b"".join(encode_msgpack_chunks(results, chunk_size=size, epoch=epoch))
        assert typed(decode_v1_msgpack(chunks, epoch=epoch)) == typed(expected)


# -- round trips of the engine's own answers ----------------------------------------------------

S0 = 1_704_067_200
NS = 1_000_000_000
SCHEMA = StaticSchema({"db": {"cpu": MeasurementSchema("cpu", ("host", "region"), {
    "v": FieldType.FLOAT, "i": FieldType.INTEGER, "s": FieldType.STRING,
    "b": FieldType.BOOLEAN})}})


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute('CREATE SCHEMA "db"')
    con.execute('CREATE TABLE "db"."cpu" ("time" TIMESTAMP_NS, host VARCHAR, region VARCHAR, '
                "v DOUBLE, i BIGINT, s VARCHAR, b BOOLEAN)")
    # 24 points 15 s apart over three hosts; v integral on even x; s, b and region sparse.
    con.execute(f"INSERT INTO db.cpu SELECT make_timestamp_ns(({S0} + x * 15) * {NS}), "
                "'h' || (x % 3), CASE WHEN x % 2 = 0 THEN 'eu' END, x * 1.5, x - 12, "
                "CASE WHEN x % 4 = 0 THEN 'note \"' || x || '\"' END, "
                "CASE WHEN x % 5 = 0 THEN x % 2 = 0 END FROM range(24) t(x)")
    yield con
    con.close()


@pytest.mark.parametrize("query", [
    "SELECT * FROM cpu",
    "SELECT v, s, b, host FROM cpu WHERE i > -5 ORDER BY time DESC",
    "SELECT mean(v), count(i), last(s), max(i) FROM cpu GROUP BY time(1m), host fill(null)",
    "SELECT sum(i), spread(v) FROM cpu GROUP BY region",
    "SELECT first(v) FROM cpu GROUP BY *",
    "SELECT derivative(v, 15s) FROM cpu WHERE host = 'h1'",
])
def test_engine_answers_round_trip(con: duckdb.DuckDBPyConnection, query: str) -> None:
    series = engine.select(parse_statement(query), "db", SCHEMA,  # type: ignore[arg-type]
                           lambda q: con.sql(q.sql("duckdb")).to_arrow_table(),
                           (S0 + 3600) * NS)
    results = [StatementResult(0, series)]
    assert series
    assert typed(decode_v1_msgpack(encode_msgpack(results, epoch="ns"))) == typed(results)
    assert typed(decode_v1_json(encode_json(results, epoch="ns"))) == typed(
        through_json(results))
    for chunk_size in (1, 5):
        chunks = b"".join(encode_json_chunks(results, chunk_size=chunk_size, epoch="ns"))
        assert typed(decode_v1_chunks(chunks)) == typed(through_json(results))
    # And every format the gateway answers in writes the decoded answer as the original.
    decoded = decode_v1_msgpack(encode_msgpack(results))
    assert encode_json(decoded) == encode_json(results)
    assert encode_csv(decoded) == encode_csv(results)
    for fmt in V3_ENCODERS:
        assert encode_table(decoded[0], fmt) == encode_table(results[0], fmt)


def _pieces_as_1_6_7_chunks_them() -> list[bytes]:
    """A chunked MessagePack answer of three statements as 1.6.7 sends it (chunk_size=2):
    statement 1's series comes in two chunks, the first marked partial."""
    def piece(statement_id: int, values: list[list[object]], partial: bool) -> bytes:
        series: dict[str, object] = {"name": "m", "columns": ["time", "v"], "values": values}
        result: dict[str, object] = {"statement_id": statement_id, "series": [series]}
        if partial:
            series["partial"] = result["partial"] = True
        return msgpack.packb({"results": [result]})
    return [piece(0, [[0, 1.0]], False), piece(1, [[0, 2.0], [1, 3.0]], True),
            piece(1, [[2, 4.0]], False), piece(2, [[0, 5.0]], False)]


@pytest.mark.parametrize(("cut", "finished"), [
    pytest.param(lambda p: b"", [], id="nothing-arrived"),
    pytest.param(lambda p: p[0][:-1], [], id="inside-the-first"),
    pytest.param(lambda p: p[0], [0], id="after-the-first"),
    pytest.param(lambda p: p[0] + p[1], [0], id="after-a-partial-chunk"),
    pytest.param(lambda p: p[0] + p[1] + p[2][:3], [0], id="inside-the-last-chunk"),
    pytest.param(lambda p: b"".join(p[:3]), [0, 1], id="after-the-last-chunk"),
    pytest.param(lambda p: b"".join(p), [0, 1, 2], id="whole"),
])
def test_an_answer_cut_short_keeps_the_statements_that_finished(
        cut: Callable[[list[bytes]], bytes], finished: list[int]) -> None:
    pieces = _pieces_as_1_6_7_chunks_them()
    results = finished_v1_msgpack(cut(pieces))
    assert [r.statement_id for r in results] == finished
    whole = decode_v1_msgpack(b"".join(pieces))
    assert results == whole[:len(finished)]  # a finished statement has all its rows
    assert [len(r.series[0].values) for r in whole] == [1, 3, 1]
