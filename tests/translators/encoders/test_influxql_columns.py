"""Series held as Arrow columns encode to the same bytes as the same rows, in every v1 format."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translators.encoders import influxql_json
from translators.encoders.influxql_chunks import Chunking
from translators.encoders.influxql_format import V1Format, encode_v1, encode_v1_chunks
from translators.encoders.influxql_json import encode_json, encode_json_chunks
from translators.encoders.influxql_time import columns_of
from translators.influxql.results import Series, StatementResult

from . import influxql_results as R


def by_columns(series: Series) -> Series:
    """The series with its rows as Arrow arrays, as the engine's columnar path builds them
    (rows whose column mixes types stay rows, as no Arrow array holds them)."""
    columns = columns_of(series.values) if series.values else None
    if columns is None:
        return series
    try:
        arrays = [_array(c, pa.int64() if i == 0 and series.has_time else None)
                  for i, c in enumerate(columns)]
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return series
    return Series(series.name, series.columns, None, series.tags, series.has_time,
                  series.partial, series.timezone, arrays=arrays)


def _array(column: list[object], kind: pa.DataType | None) -> pa.Array:
    try:
        return pa.array(column, kind)
    except OverflowError:  # integers past int64: an unsigned field
        return pa.array(column, pa.uint64())


@pytest.fixture(autouse=True)
def kernels_for_every_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """These answers are small: the JSON encoder would write them as rows."""
    monkeypatch.setattr(influxql_json, "_KERNEL_ROWS", 0)


def test_a_few_rows_are_written_as_rows_with_the_same_bytes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    kernels = all_by_columns(R.select())
    expected = encode_json(kernels)
    assert written_from_columns(kernels)
    monkeypatch.setattr(influxql_json, "_KERNEL_ROWS", 64)
    rows = all_by_columns(R.select())
    assert encode_json(rows) == expected
    assert not written_from_columns(rows)


def all_by_columns(results: list[StatementResult]) -> list[StatementResult]:
    for result in results:
        result.series = [by_columns(s) for s in result.series]
    return results


def written_from_columns(results: list[StatementResult]) -> bool:
    """True when every timed series still has its arrays: the encoder built no rows."""
    timed = [s for r in results for s in r.series if s.has_time]
    return bool(timed) and all(s.arrays is not None for s in timed)


@pytest.mark.parametrize(("golden", "build", "options"), [
    pytest.param("select.json", R.select, {}, id="floats-strings-ints-bools-nulls"),
    pytest.param("multi-pretty.json", R.multi, {"pretty": True}, id="pretty-multi-statement"),
    pytest.param("strings.json", R.strings, {}, id="go-escapes"),
    pytest.param("group-all.json", R.group_all, {}, id="sorted-tags-with-empty-values"),
    *(pytest.param(f"epoch-{e}.json", R.host_c_x, {"epoch": e}, id=f"epoch-{e}")
      for e in ("ns", "u", "ms", "s", "m", "h", "x")),
])
def test_columns_match_golden(golden: str, build: Callable[[], list[StatementResult]],
                              options: dict[str, object]) -> None:
    results = all_by_columns(build())
    assert encode_json(results, **options) == R.golden(golden)  # type: ignore[arg-type]
    assert written_from_columns(results)


def test_columns_chunked_match_golden() -> None:
    results, kinds = R.chunk_input()
    results = all_by_columns(results)
    body = b"".join(encode_json_chunks(results, chunk_size=2, chunking=kinds))
    assert body == R.golden("chunked.json")
    assert all(s.arrays is not None for s in results[0].series)


def test_long_columnar_series_is_marked_partial_and_written_from_columns() -> None:
    results = all_by_columns(R.big())
    body = encode_json(results, epoch="ns")
    assert body.endswith(R.golden("big-tail.json"))
    assert json.loads(body)["results"][0]["series"][0]["partial"] is True
    assert written_from_columns(results)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_a_non_finite_float_fails_the_body_as_1x_does(bad: float) -> None:
    rows = [[1, 0.5, 1.0], [2, bad, 2.0]]
    plain = [StatementResult(0, [Series("m", ["time", "a", "b"], rows, has_time=True)])]
    columns = all_by_columns([StatementResult(0, [Series("m", ["time", "a", "b"],
                                                         [list(r) for r in rows],
                                                         has_time=True)])])
    assert columns[0].series[0].arrays is not None
    body = encode_json(columns)
    assert body == encode_json(plain)
    assert body.startswith(b"json: error calling MarshalJSON")


def test_timezone_survives_chunking() -> None:
    """tz() offsets are kept when a series is cut into chunks (10000 rows unchunked too)."""
    def answer(count: int) -> list[StatementResult]:
        rows = [[i * 60_000_000_000, i] for i in range(count)]
        return [StatementResult(0, [Series("m", ["time", "v"], rows, has_time=True,
                                           timezone="Asia/Kolkata")])]

    chunked = b"".join(encode_json_chunks(answer(2), chunk_size=1))
    assert chunked.count(b"+05:30") == 2 and b"Z" not in chunked
    for results in (answer(10_001), all_by_columns(answer(10_001))):
        times = [row[0] for row in json.loads(encode_json(results))["results"][0]["series"][0]
                 ["values"]]
        assert times[0] == "1970-01-01T05:30:00+05:30" and len(times) == 10_001


FORMATS = [(V1Format.JSON, {}), (V1Format.JSON, {"pretty": True}),
           (V1Format.JSON, {"epoch": "ms"}), (V1Format.JSON, {"epoch": "h"}),
           (V1Format.CSV, {}), (V1Format.CSV, {"epoch": "ms"}), (V1Format.CSV, {"epoch": "h"}),
           (V1Format.CSV, {"epoch": "x"}), (V1Format.MSGPACK, {}),
           (V1Format.MSGPACK, {"epoch": "u"}), (V1Format.MSGPACK, {"epoch": "s"})]
_FINITE = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e12, max_value=1e12),
    st.sampled_from([0.0, -0.0, 1e-6, 9.999999e-7, 1e10, 9999999999.5, 2.0**53, 1e21]),
    st.none())
_IN_RANGE = st.one_of(  # where Arrow's float text is Go's
    st.floats(min_value=1e-6, max_value=1e10, exclude_max=True),
    st.floats(min_value=-1e10, max_value=-1e-6, exclude_min=True), st.none())
_FLOATS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e12, max_value=1e12),
    st.sampled_from([0.0, -0.0, 1e-6, 9.999999e-7, 1e10, 9999999999.5, 2.0**53, 1e21]),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.none())
_TEXT = st.one_of(st.text(), st.sampled_from(["<&>", "\\b\b", '"q"', "\u2028", "\x00"]),
                  st.sampled_from(["a,b", "two\nlines", "cr\r", " lead", "\u3000x", "\\.",
                                   "\\.x", '"', "", "x" * 40, "y" * 300, "z" * 70_000]),
                  st.none())
_COLUMNS = st.sampled_from([
    st.lists(_FLOATS, min_size=1, max_size=6),
    st.lists(st.one_of(st.integers(-2**63, 2**63 - 1), st.none()), min_size=1, max_size=6),
    st.lists(st.one_of(st.integers(-200, 200), st.sampled_from([-2**15, 2**15, -2**31, 2**31]),
                       st.none()), min_size=1, max_size=6),
    st.lists(st.one_of(st.integers(2**63, 2**64 - 1), st.integers(0, 300), st.none()),
             min_size=1, max_size=6),
    st.lists(st.one_of(st.booleans(), st.none()), min_size=1, max_size=6),
    st.lists(_TEXT, min_size=1, max_size=6),
])


@st.composite
def _answers(draw: st.DrawFn) -> list[StatementResult]:
    width = draw(st.integers(1, 3))
    kinds = [draw(_COLUMNS) for _ in range(width)]
    zone = draw(st.sampled_from([None, "America/Chicago"]))
    series = []
    for index in range(draw(st.integers(1, 3))):
        columns = [draw(kind) for kind in kinds]
        count = min(map(len, columns))
        # Any times, or a few buckets that every series repeats (as GROUP BY time answers)
        stamps = draw(st.sampled_from([st.integers(-2**62, 2**62),
                                       st.integers(-2, 2).map(lambda i: i * 300 * 10**9)]))
        times = sorted(draw(st.lists(stamps, min_size=count, max_size=count)))
        rows = [[t, *(c[i] for c in columns)] for i, t in enumerate(times)]
        names = ["time", *(f"f{i}" for i in range(width))]
        series.append(Series("m", names, rows, {"host": str(index)}, has_time=True,
                             timezone=zone))
    return [StatementResult(0, series)]


@settings(max_examples=200, deadline=None)
@given(_answers(), st.integers(1, 4))
def test_columns_and_rows_encode_alike(answer: list[StatementResult], chunk_size: int) -> None:
    def rows() -> list[StatementResult]:
        return [StatementResult(0, [Series(s.name, s.columns, [list(r) for r in s.values],
                                           s.tags, True, timezone=s.timezone)
                                    for s in answer[0].series])]

    for fmt, options in FORMATS:
        columns = all_by_columns(rows())
        assert encode_v1(columns, fmt, **options) == encode_v1(rows(), fmt, **options)
        chunks = list(encode_v1_chunks(all_by_columns(rows()), fmt, chunk_size=chunk_size,
                                       chunking={0: Chunking.ROWS}, **options))
        assert chunks == list(encode_v1_chunks(rows(), fmt, chunk_size=chunk_size,
                                               chunking={0: Chunking.ROWS}, **options))
    floats = [v for s in answer[0].series for r in s.values for v in r[1:]
              if isinstance(v, float)]
    if all(math.isfinite(v) for v in floats):  # the common case never builds rows
        columns = all_by_columns(rows())
        encode_v1(columns, V1Format.JSON)
        assert written_from_columns(columns)
    for fmt in (V1Format.CSV, V1Format.MSGPACK):  # these write NaN and ±Inf from columns too
        columns = all_by_columns(rows())
        encode_v1(columns, fmt, epoch="ms")
        list(encode_v1_chunks(columns, fmt, chunk_size=chunk_size, chunking={0: Chunking.ROWS}))
        assert written_from_columns(columns)


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.lists(_IN_RANGE, min_size=64, max_size=200),  # the Arrow-only way
                st.lists(_FINITE, min_size=64, max_size=200),  # NaN is in most lists of 64
                st.lists(_FLOATS, min_size=64, max_size=200)),
       st.sampled_from([None, "ms", "s"]), st.booleans())
def test_a_long_float_column_is_written_from_columns_as_from_rows(
        values: list[float | None], epoch: str | None, repeated: bool) -> None:
    """Series of 64 rows and more are written by Arrow kernels: the few-call check that every
    float is finite and within Arrow's range, and one series' times written without looking
    for repeated buckets, give the rows' bytes (zeros, nulls, NaN, tiny and huge values)."""
    step = 0 if repeated else 10**9  # one time again and again: a bucket each row

    def rows() -> list[StatementResult]:
        return [StatementResult(0, [Series("m", ["time", "v"],
                                           [[i * step, v] for i, v in enumerate(values)],
                                           has_time=True)])]

    columns = all_by_columns(rows())
    assert columns[0].series[0].arrays is not None
    assert encode_json(columns, epoch=epoch) == encode_json(rows(), epoch=epoch)


_SIGNED = {
    "positive": [0.5, 42.25, 9_999_999_999.0, 1e-6],
    "negative": [-0.5, -42.25, -9_999_999_999.0, -1e-6],
    "mixed": [-0.5, 42.25, -1e-6, 3.0],
    "negative-past-arrow": [-0.5, -1e10, -2.5e-7, -3.0],
    "with-zero": [0.0, 1.5, -0.0, 2.0],
    "huge-sum": [1.7e308, 1.7e308, 1.5, 2.5],
}


@pytest.mark.parametrize("values", list(_SIGNED.values()), ids=list(_SIGNED))
@pytest.mark.parametrize("step", [10**9, 10**9 + 250], ids=["whole-seconds", "fractions"])
@pytest.mark.parametrize("pretty", [False, True], ids=["compact", "pretty"])
@pytest.mark.parametrize("count", [1, 3], ids=["one-series", "three-series"])
def test_float_signs_and_time_fractions_are_written_from_columns_as_from_rows(
        values: list[float], step: int, pretty: bool, count: int) -> None:
    """Floats of one sign are checked against Arrow's range by their least and greatest
    value, others by their magnitudes; times on whole seconds are written without a
    fraction to trim; each series' rows are cut from one joined buffer."""
    def rows() -> list[StatementResult]:
        return [StatementResult(0, [Series(
            "m", ["time", "v", "n"],
            [[-7 * step + i * step, v, i - 1] for i, v in enumerate(values * 20)],
            {"host": str(index)}, has_time=True) for index in range(count)])]

    columns = all_by_columns(rows())
    assert encode_json(columns, pretty=pretty) == encode_json(rows(), pretty=pretty)
    assert written_from_columns(columns)
