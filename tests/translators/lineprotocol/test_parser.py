"""Line protocol: every syntax rule and error, on both the vectorised and the slow path."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from translators.lineprotocol import (
    FieldType,
    ParsedBatch,
    Precision,
    line_text,
    parse_lines,
    split_points,
)

NOW = 1_700_000_000_123_456_789


def rows(batch: ParsedBatch, measurement: str) -> list[dict[str, object]]:
    return batch.measurement(measurement).table.to_pylist()


def parse_both(body: bytes, precision: Precision = Precision.NANOSECOND) -> ParsedBatch:
    """Parse on both paths and insist they agree; return the vectorised result."""
    fast = parse_lines(body, precision, NOW)
    slow = parse_lines(body, precision, NOW, vectorised=False)
    assert normalise(fast) == normalise(slow)
    return fast


def normalise(batch: ParsedBatch) -> tuple[object, ...]:
    chunks = []
    for chunk in batch.chunks:
        table = chunk.table.select(sorted(chunk.table.column_names))
        chunks.append((
            chunk.measurement,
            chunk.tags,
            dict(sorted(chunk.fields.items())),
            table.schema,
            [tuple((k, _nan_safe(v)) for k, v in r.items()) for r in table.to_pylist()],
            list(chunk.lines),
        ))
    errors = [(e.line_number, e.line, e.reason) for e in batch.errors]
    return chunks, errors


def _nan_safe(value: object) -> object:
    return "nan" if isinstance(value, float) and math.isnan(value) else value


@pytest.mark.parametrize(
    ("line", "measurement", "expected"),
    [
        pytest.param(b"cpu value=1", "cpu", {"value": 1.0}, id="float-integral"),
        pytest.param(b"cpu value=1.5,n=-3i,u=7u,s=\"x\",b=t", "cpu",
                     {"value": 1.5, "n": -3, "u": 7, "s": "x", "b": True}, id="every-type"),
        pytest.param(b"cpu a=1e21,b=-0.0,c=.5,d=1.,e=1E-5", "cpu",
                     {"a": 1e21, "b": -0.0, "c": 0.5, "d": 1.0, "e": 1e-5}, id="float-forms"),
        pytest.param(b"cpu a=9223372036854775807i,b=-9223372036854775808i", "cpu",
                     {"a": 2**63 - 1, "b": -(2**63)}, id="int64-bounds"),
        pytest.param(b"cpu a=18446744073709551615u", "cpu", {"a": 2**64 - 1}, id="uint64-max"),
        pytest.param(b"cpu a=t,b=T,c=true,d=True,e=TRUE", "cpu",
                     dict.fromkeys("abcde", True), id="true-spellings"),
        pytest.param(b"cpu a=f,b=F,c=false,d=False,e=FALSE", "cpu",
                     dict.fromkeys("abcde", False), id="false-spellings"),
        pytest.param(b"c\\,p\\ u,h\\,o\\=s\\ t=a\\,b\\=c\\ d f\\,i\\=e\\ ld=1", "c,p u",
                     {"h,o=s t": "a,b=c d", "f,i=e ld": 1.0}, id="escaped-names"),
        pytest.param(b'cpu s="say \\"hi\\" \\\\ c:\\\\dir, a=b x"', "cpu",
                     {"s": 'say "hi" \\ c:\\dir, a=b x'}, id="string-escapes"),
        pytest.param(b'cpu s="back\\slash"', "cpu", {"s": "back\\slash"}, id="lone-backslash"),
        pytest.param(b"cpu a=1,a=2", "cpu", {"a": 2.0}, id="duplicate-field-last-wins"),
        pytest.param(b"c=p,t=1 f=1", "c=p", {"t": "1", "f": 1.0}, id="equals-in-measurement"),
        # 1.x unescapes a quote in a measurement and a field key, not in a tag
        pytest.param(b'c\\"pu,t\\"k=x\\"y a\\"b=1,c\\\\\\"=2', 'c"pu',
                     {'t\\"k': 'x\\"y', 'a"b': 1.0, 'c\\\\"': 2.0}, id="escaped-quotes"),
        pytest.param("météo,lieu=Zürich t=1".encode(), "météo",
                     {"lieu": "Zürich", "t": 1.0}, id="utf8"),
    ],
)
def test_values(line: bytes, measurement: str, expected: dict[str, object]) -> None:
    batch = parse_both(line + b" 5")
    assert batch.errors == []
    (row,) = rows(batch, measurement)
    assert row.pop("time") == 5
    assert row == expected


def test_field_types_are_reported() -> None:
    batch = parse_both(b'm f=1,i=1i,u=1u,s="s",b=t 1')
    assert batch.measurement("m").fields == {
        "f": FieldType.FLOAT, "i": FieldType.INTEGER, "u": FieldType.UNSIGNED,
        "s": FieldType.STRING, "b": FieldType.BOOLEAN,
    }
    assert batch.measurement("m").table.schema.field("u").type == pa.uint64()


@pytest.mark.parametrize(
    ("body", "expected_rows"),
    [
        pytest.param(b"# comment\ncpu v=1 1\n\n   \ncpu v=2 2\n", 2, id="comments-blank-lines"),
        pytest.param(b"cpu v=1 1\r\ncpu v=2 2\r\n", 2, id="crlf"),
        pytest.param(b"cpu v=1 1   \ncpu v=2 \t\n", 2, id="trailing-whitespace"),
        pytest.param(b" cpu v=1 1\n\tcpu v=2 2", 2, id="leading-whitespace"),
        pytest.param(b"cpu v=1  1\ncpu  v=2 2", 2, id="repeated-separators"),
        pytest.param(b"cpu v=1 1", 1, id="no-final-newline"),
        pytest.param(b"\n\n", 0, id="only-blank"),
        pytest.param(b"", 0, id="empty"),
    ],
)
def test_layout(body: bytes, expected_rows: int) -> None:
    batch = parse_both(body)
    assert batch.errors == []
    assert batch.points == expected_rows
    if expected_rows:
        assert [r["v"] for r in rows(batch, "cpu")] == [float(i + 1) for i in range(expected_rows)]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        pytest.param(b"cpu", "missing fields", id="no-fields"),
        pytest.param(b"cpu ", "invalid field format", id="no-fields-space"),
        pytest.param(b",host=a v=1", "missing measurement", id="no-measurement"),
        pytest.param(b"cpu,host v=1", "missing tag value", id="tag-without-equals"),
        pytest.param(b"cpu,host= v=1", "missing tag value", id="empty-tag-value"),
        pytest.param(b"cpu,=a v=1", "missing tag key", id="empty-tag-key"),
        pytest.param(b"cpu,a=1,a=2 v=1", "duplicate tags", id="duplicate-tags"),
        # 1.x: a bare `=` in a tag value is refused; a separator after a backslash is
        # escaped even when that backslash follows another one.
        pytest.param(b"cpu,t=a=b v=1", "invalid tag format", id="bare-equals-in-tag-value"),
        pytest.param(b"cpu,t=a= v=1", "invalid tag format", id="tag-value-ending-in-equals"),
        pytest.param(b"cpu,t=== v=1", "invalid tag format", id="tag-value-of-equals"),
        pytest.param(b"cpu,t=C:\\\\,u=v f=1", "invalid tag format",
                     id="backslash-before-escaped-comma-in-tag"),
        pytest.param(b"cpu,t=C:\\\\ f=1", "invalid tag format",
                     id="backslash-before-escaped-space-in-tag"),
        pytest.param(b"cpu,t\\\\=x v=1", "missing tag value",
                     id="backslash-before-escaped-equals-in-tag-key"),
        pytest.param(b"cpu\\\\ v=1 5", "invalid field format",
                     id="backslash-before-escaped-space-in-measurement"),
        pytest.param(b"cpu v=", "missing field value", id="empty-field-value"),
        pytest.param(b"cpu v", "invalid field format", id="field-without-equals"),
        pytest.param(b"cpu =1", "missing field key", id="empty-field-key"),
        pytest.param(b"cpu v=abc", "invalid boolean", id="bare-word"),
        pytest.param(b"cpu v=1x", "invalid number", id="bad-number"),
        pytest.param(b"cpu v=NaN", "invalid number", id="nan"),
        pytest.param(b"cpu v=1e400", "invalid float", id="float-overflow"),
        # 1.x scans digits, a dot, an `e` and a sign after it before parsing a float
        pytest.param(b"cpu v=1ee2", "invalid float", id="two-es"),
        pytest.param(b"cpu v=1e", "invalid float", id="e-ends-the-number"),
        pytest.param(b"cpu v=-e", "invalid float", id="minus-e"),
        pytest.param(b"cpu v=1e+-5", "invalid number", id="two-signs"),
        pytest.param(b"cpu v=1.5.5e1", "invalid number", id="two-dots-and-e"),
        pytest.param(b"cpu v=inf", "invalid boolean", id="inf"),
        pytest.param(b"cpu v=+1", "invalid boolean", id="plus-sign"),
        pytest.param(b"cpu v=9223372036854775808i",
                     "unable to parse integer 9223372036854775808: strconv.ParseInt: parsing "
                     '"9223372036854775808": value out of range', id="int-overflow"),
        pytest.param(b"cpu v=18446744073709551616u",
                     "unable to parse unsigned 18446744073709551616: strconv.ParseUint: parsing "
                     '"18446744073709551616": value out of range', id="uint-overflow"),
        pytest.param(b"cpu v=-1u", "invalid number", id="negative-unsigned"),
        pytest.param(b'cpu v="a"b', "invalid field format", id="text-after-string"),
        pytest.param(b"cpu v=1 12a", "bad timestamp", id="bad-timestamp"),
        pytest.param(b"cpu v=1 9223372036854775808",
                     'strconv.ParseInt: parsing "9223372036854775808": value out of range',
                     id="timestamp-overflow"),
        pytest.param(b"cpu v=1 1 2", "point is invalid", id="trailing-garbage"),
        pytest.param(b"cpu v=1 -", 'strconv.ParseInt: parsing "-": invalid syntax',
                     id="timestamp-minus"),
        pytest.param(b"cpu v=1 -x", "bad timestamp", id="timestamp-minus-letter"),
        pytest.param(b"cpu v=1 1x 2", "bad timestamp", id="bad-timestamp-then-garbage"),
        # 1.x ends a value and a timestamp at a space only
        pytest.param(b"cpu v=1 1\t", "bad timestamp", id="tab-after-timestamp"),
        pytest.param(b"cpu v=1\t1", "invalid number", id="tab-before-timestamp"),
        pytest.param(b"cpu v=1 1 \t", "point is invalid", id="space-tab-after-timestamp"),
        pytest.param(b"cpu v=T\t1", "invalid boolean", id="tab-after-boolean"),
        pytest.param(b'cpu v="a"\t1', "invalid field format", id="tab-after-string"),
        # 1.x's scanner ends a key at `\\=` and checks the value; its reader then finds no
        # `=` after the key (checked against 1.6.7 in tests/oracle/test_write_v1.py).
        pytest.param(b"cpu f\\\\=1", "invalid value: field-key=f\\\\=1",
                     id="escaped-backslash-before-field-equals"),
        pytest.param(b'cpu v=1,f\\\\="s",g\\\\=2i 5',
                     'invalid value: field-key=f\\\\="s",g\\\\=2i',
                     id="escaped-backslashes-in-two-keys"),
        pytest.param(b"cpu f\\\\=x", "invalid boolean", id="escaped-backslash-then-bad-value"),
        # 1.x reads the timestamp after the scanned field set before it reads a value, but
        # walks the keys (a key no `=` ends) before the timestamp
        pytest.param(b'cpu v="a"b 1x', "bad timestamp", id="text-after-string-then-bad-timestamp"),
        pytest.param(b'cpu v="a"b 1 2', "point is invalid",
                     id="text-after-string-then-trailing-garbage"),
        pytest.param(b'cpu v=1,w="x"y -', 'strconv.ParseInt: parsing "-": invalid syntax',
                     id="text-after-string-then-minus"),
        pytest.param(b"cpu f\\\\=1 1x", "invalid value: field-key=f\\\\=1",
                     id="escaped-backslash-before-field-equals-then-bad-timestamp"),
        pytest.param(b"cpu f\\\\\\=1", "invalid field format",
                     id="escaped-backslash-then-escaped-equals"),
        pytest.param(b"cpu f\\\\=1,b=2", "invalid field format",
                     id="field-key-taking-in-the-next-field"),
        # ... and skips `\\\\` as a pair, so a comma or a space after it separates
        pytest.param(b"cpu f=1,g\\\\,y=2", "invalid field format",
                     id="escaped-backslash-before-comma-in-key"),
        pytest.param(b"cpu g\\\\ y=2", "invalid field format",
                     id="escaped-backslash-before-space-in-key"),
        pytest.param(b"cpu a\\\\=b=1", "invalid boolean",
                     id="escaped-backslash-before-equals-then-bad-value"),
        # 1.x scans the whole field set (to the first space outside a string) before it
        # reads a field: values are checked where an `=` begins them, commas counted
        pytest.param(b"cpu v=1,", "invalid field format", id="comma-ends-the-fields"),
        pytest.param(b"cpu v=1, 1", "invalid field format", id="comma-space-after-fields"),
        pytest.param(b"cpu ,v=1", "invalid field format", id="comma-before-fields"),
        pytest.param(b"cpu v=1,,w=x", "invalid boolean", id="two-commas-then-bad-value"),
        pytest.param(b"cpu,t=a b,c=x v=1", "invalid boolean", id="space-in-tag-value"),
        pytest.param(b"cpu,t=a b,c=1 v=1", "invalid field format",
                     id="space-in-tag-value-then-number"),
        pytest.param(b'cpu v="a\\\\"= 1', "missing field value", id="equals-after-string"),
        pytest.param(b"cpu v=1,=2", "missing field key", id="comma-equals"),
        pytest.param(b"cpu v=nope", "invalid number", id="n-begins-a-number"),
        pytest.param(b"cpu,a=x a=1", 'field "a" has the name of a tag of the same point',
                     id="tag-and-field-same-name"),
        pytest.param(b"cpu v=1\xff", "invalid UTF-8", id="invalid-utf8"),
    ],
)
def test_errors_name_line_and_reason(line: bytes, reason: str) -> None:
    body = b"ok v=1 1\n" + line + b"\nok v=2 2\n"
    batch = parse_both(body)
    (error,) = batch.errors
    assert error.line_number == 2
    assert error.reason == reason
    assert error.line == line.decode("utf-8", "replace")
    assert not error.parsed
    assert error.describe() == f"unable to parse '{error.line}': {reason}"
    assert [r["v"] for r in rows(batch, "ok")] == [1.0, 2.0]  # the good lines survive


LONG = 65526  # a tag value that brings `cpu,t=...` (its series key) to 65,532 bytes


@pytest.mark.parametrize(("line", "reason"), [
    pytest.param(b"c" * 70000 + b" v=1", "max key length exceeded: 70000 > 65535",
                 id="long-measurement"),
    pytest.param(b"c" * 70000 + b" v=x", "max key length exceeded: 70000 > 65535",
                 id="long-measurement-before-the-fields-are-read"),
    pytest.param(b"cpu,t=" + b"x" * LONG + b" v=1 1", "max key length exceeded: 65537 > 65535",
                 id="series-key-with-field-key"),
    pytest.param(b"cpu,t=" + b"x" * LONG + b" v=1 x", "max key length exceeded: 65537 > 65535",
                 id="field-key-before-timestamp"),
    pytest.param(b"cpu,t=" + b"x" * LONG + b",time=1 v=1", "max key length exceeded: 65539 > 65535",
                 id="before-a-time-tag"),
    pytest.param(b"cpu,t=" + b"\\ " * (LONG // 2) + b" v=1", "max key length exceeded: "
                 "65537 > 65535", id="escapes-count-as-written"),
    pytest.param("cpu,t={} v=1".format("é" * (LONG // 2 + 1)).encode(),
                 "max key length exceeded: 65539 > 65535", id="bytes-not-characters"),
    pytest.param(b"cpu v=1," + b"f" * 70000 + b"=1 1", "max key length exceeded: 70007 > 65535",
                 id="long-second-field-key"),
    pytest.param(b"cpu,t=" + b"x" * (LONG - 3) + b' s="a b",f\\ k=1',
                 "max key length exceeded: 65537 > 65535", id="field-key-after-a-string"),
    pytest.param(b"cpu " + b"f" * 70000 + b"=x", "invalid boolean",
                 id="long-field-key-after-the-fields-are-read"),
    pytest.param(b"c" * 70000 + b",a=1,a=2 v=1", "duplicate tags",
                 id="long-key-after-the-tags-are-read"),
])
def test_series_keys_are_at_most_64k(line: bytes, reason: str) -> None:
    """1.x's models.MaxKeyLength, checked where 1.x checks it (checked against 1.6.7 in
    tests/oracle/test_write_v1.py)."""
    batch = parse_both(b"ok v=1 1\n" + line + b"\nok v=2 2\n")
    assert [(e.line_number, e.reason) for e in batch.errors] == [(2, reason)]


def test_a_long_key_in_a_block_of_one_shape() -> None:
    body = (b"cpu,t=a v=1 1\ncpu,t=" + b"x" * LONG + b" v=2 2\n"
            b"cpu,t=" + b"x" * (LONG - 2) + b" v=3 3")
    batch = parse_both(body)
    assert [(e.line_number, e.reason) for e in batch.errors] == [
        (2, "max key length exceeded: 65537 > 65535")]
    assert [r["v"] for r in rows(batch, "cpu")] == [1.0, 3.0]


@pytest.mark.parametrize("body", [
    "\ufeffcpu v=1 1".encode(), "\ufeffcpu v=1 1\ncpu v=2 2".encode(),
    "mem v=1 1\n\ufeffcpu v=1 1\nmem,t=a v=1 1".encode()])
def test_a_byte_order_mark_is_part_of_the_name(body: bytes) -> None:
    """As 1.x reads it (Arrow's CSV reader would drop one that starts a block)."""
    assert "\ufeffcpu" in {chunk.measurement for chunk in parse_both(body).chunks}


@pytest.mark.parametrize(("line", "reason"), [
    (b"cpu,time=1 v=1", 'invalid tag key: input tag "time" on measurement "cpu" is invalid'),
    (b"cpu time=1", 'invalid field name: input field "time" on measurement "cpu" is invalid'),
])
def test_time_keys_parse_but_are_refused(line: bytes, reason: str) -> None:
    """1.x parses these and then drops the point (counted in `dropped`)."""
    batch = parse_both(b"ok v=1 1\n" + line + b" 2\n")
    (error,) = batch.errors
    assert (error.line_number, error.reason, error.parsed) == (2, reason, True)
    assert error.describe() == reason
    assert batch.points == 1


def test_type_clash_inside_a_batch_splits_chunks_in_line_order() -> None:
    """The store, which knows any stored type, decides which lines survive."""
    batch = parse_both(b"cpu v=1 1\ncpu v=2i 2\ncpu v=3 3\ncpu,v=x w=1 4\n")
    assert batch.errors == []
    assert [(c.fields, list(c.lines)) for c in batch.chunks] == [
        ({"v": FieldType.FLOAT}, [1]),
        ({"v": FieldType.INTEGER}, [2]),
        ({"v": FieldType.FLOAT}, [3]),
        ({"w": FieldType.FLOAT}, [4]),
    ]
    assert batch.chunks[3].tags == ("v",)


def test_a_type_clash_keeps_line_order_across_paths_and_wide_lines() -> None:
    """Where a measurement's lines give a column two types, its chunks are runs of lines
    that agree on it, in line order: the store checks chunks in order, so a later line (line
    3 that would fit in line 1's chunk where line 2 is too wide to; the slow path's line 5
    beside its line 1) never gives a type ahead of an earlier one."""
    wide = ",".join(f"g{i}=1" for i in range(200))
    more = ",".join(f"h{i}=1" for i in range(100))
    batch = parse_both(f"cpu {wide} 1\ncpu k=t,{more} 2\ncpu k=1i 3\ncpu g0=2 4".encode())
    assert [(c.fields.get("k"), list(c.lines)) for c in batch.chunks] == [
        (FieldType.BOOLEAN, [1, 2]), (FieldType.INTEGER, [3, 4])]
    batch = parse_both(b"cpu k=t 1\ncpu k=t,j=t 2\ncpu k=t 3\ncpu k=1 4\ncpu j=1 5")
    assert [(c.fields, list(c.lines)) for c in batch.chunks] == [
        ({"k": FieldType.BOOLEAN, "j": FieldType.BOOLEAN}, [1, 2, 3]),
        ({"k": FieldType.FLOAT}, [4]),
        ({"j": FieldType.FLOAT}, [5]),
    ]


def test_missing_timestamp_uses_receipt_time() -> None:
    batch = parse_both(b"cpu v=1\ncpu v=2 7")
    assert [r["time"] for r in rows(batch, "cpu")] == [NOW, 7]


@pytest.mark.parametrize(
    ("precision", "stamp", "nanos"),
    [
        (Precision.NANOSECOND, 5, 5),
        (Precision.MICROSECOND, 5, 5_000),
        (Precision.MILLISECOND, 5, 5_000_000),
        (Precision.SECOND, 5, 5_000_000_000),
        (Precision.MINUTE, 5, 300_000_000_000),
        (Precision.HOUR, 5, 18_000_000_000_000),
        (Precision.SECOND, -5, -5_000_000_000),
        (Precision.AUTO, 1_700_000_000, 1_700_000_000_000_000_000),
        (Precision.AUTO, 1_700_000_000_000, 1_700_000_000_000_000_000),
        (Precision.AUTO, 1_700_000_000_000_000, 1_700_000_000_000_000_000),
        (Precision.AUTO, 1_700_000_000_000_000_000, 1_700_000_000_000_000_000),
        (Precision.AUTO, -1_700_000_000, -1_700_000_000_000_000_000),
        (Precision.AUTO, -(2**63) + 2, -(2**63) + 2),  # abs() of -2**63 overflows int64
        (Precision.NANOSECOND, 2**63 - 2, 2**63 - 2),
        (Precision.NANOSECOND, -(2**63) + 2, -(2**63) + 2),
    ],
)
def test_precision_scales_timestamps(precision: Precision, stamp: int, nanos: int) -> None:
    batch = parse_both(f"cpu v=1 {stamp}\ncpu v=2 {stamp}".encode(), precision)
    assert [r["time"] for r in rows(batch, "cpu")] == [nanos, nanos]


@pytest.mark.parametrize(("precision", "stamp"), [
    pytest.param(Precision.SECOND, 9223372036854775, id="after-scaling"),
    pytest.param(Precision.NANOSECOND, 2**63 - 1, id="int64-max-is-reserved"),
    pytest.param(Precision.NANOSECOND, -(2**63), id="int64-min-is-reserved"),
    pytest.param(Precision.NANOSECOND, -(2**63) + 1, id="int64-min-plus-one-is-reserved"),
    pytest.param(Precision.AUTO, -(2**63), id="auto-int64-min"),
])
def test_timestamp_out_of_range(precision: Precision, stamp: int) -> None:
    """1.x's words and bounds (models.MinNanoTime, MaxNanoTime)."""
    batch = parse_both(f"cpu v=1 {stamp}\ncpu v=2 {stamp}\n".encode(), precision)
    assert [e.reason for e in batch.errors] == [
        "time outside range -9223372036854775806 - 9223372036854775806"] * 2
    assert batch.points == 0


def test_mixed_measurements_and_shapes_keep_line_numbers() -> None:
    body = b"\n".join([
        b"cpu,host=a usage=1 1",
        b"mem,host=a free=2i 1",
        b"cpu,host=b usage=3 2",
        b'disk,path=/ label="root fs" 1',
        b"mem,host=b free=4i,total=8i 2",
        b"cpu,host=c usage=oops 3",
    ])
    batch = parse_both(body)
    assert batch.measurement("cpu").lines == [1, 3]
    assert batch.measurement("mem").lines == [2, 5]
    assert batch.measurement("disk").lines == [4]
    assert rows(batch, "mem")[0]["total"] is None
    assert [e.line_number for e in batch.errors] == [6]


@pytest.mark.parametrize(
    ("line", "measurement", "expected"),
    [
        pytest.param(b"cpu,t==x v=1", "cpu", {"t": "=x", "v": 1.0},
                     id="tag-value-starting-with-equals"),
        pytest.param(b"cpu,t=a\\\\=b v=1", "cpu", {"t": "a\\=b", "v": 1.0},
                     id="backslash-before-escaped-equals-in-tag"),
        pytest.param(b"cpu,t=C:\\\\,u\\=v\\ w f=1", "cpu", {"t": "C:\\,u=v w", "f": 1.0},
                     id="escaped-equals-after-a-backslash-comma"),
        pytest.param(b"cpu,t=x\\\\ y f=1", "cpu", {"t": "x\\ y", "f": 1.0},
                     id="backslash-before-escaped-space"),
        # 1.x accepts this one but lists it as `C:,x=y` with nothing readable under either
        # name; the gateway keeps the name 1.x's write path reads (README, deviations).
        pytest.param(b"C:\\\\,x=y f=1", "C:\\,x=y", {"f": 1.0},
                     id="measurement-backslash-before-escaped-comma"),
    ],
)
def test_backslashes_before_separators(line: bytes, measurement: str,
                                       expected: dict[str, object]) -> None:
    batch = parse_both(line + b" 5")
    assert batch.errors == []
    (row,) = rows(batch, measurement)
    assert row.pop("time") == 5
    assert row == expected


@pytest.mark.parametrize(
    ("body", "strings", "lines"),
    [
        pytest.param(b'm g="a\nb" 5', ["a\nb"], [1], id="two-lines"),
        pytest.param(b'm g="a\r\nb" 5', ["a\r\nb"], [1], id="crlf-inside"),
        pytest.param(b'm f=1,g="a\n\nb",h=2i 5\nm g="c" 6', ["a\n\nb", "c"], [1, 4],
                     id="blank-line-inside-then-another-point"),
        pytest.param(b'm g="x\ncpu v=1 5\n# c\n" 6\nm g="y" 7', ["x\ncpu v=1 5\n# c\n", "y"],
                     [1, 5], id="lines-like-points-and-comments-inside"),
        pytest.param(b'm,t=q"x g="\\"\n" 5', ['"\n'], [1], id="escaped-quote-then-newline"),
        pytest.param(b'm g="a\\\nb" 5', ["a\\\nb"], [1], id="backslash-then-newline"),
    ],
)
def test_a_newline_inside_a_string_does_not_end_the_point(body: bytes, strings: list[str],
                                                         lines: list[int]) -> None:
    """1.x's line splitter (`scanLine`) reads a quoted string across lines."""
    batch = parse_both(body + b"\nok v=1 9")
    assert batch.errors == []
    chunk = batch.measurement("m")
    assert [r["g"] for r in rows(batch, "m")] == strings
    assert list(chunk.lines) == lines
    assert rows(batch, "ok")[0]["v"] == 1.0


def test_an_unclosed_string_takes_the_rest_of_the_body() -> None:
    """As in 1.x: one bad point from the open quote to the end; later lines are in it."""
    batch = parse_both(b'ok v=1 1\ncpu v="open\nok v=2 2\n')
    (error,) = batch.errors
    assert (error.line_number, error.reason) == (2, "unbalanced quotes")
    assert error.line == 'cpu v="open\nok v=2 2'
    assert [r["v"] for r in rows(batch, "ok")] == [1.0]


@pytest.mark.parametrize(("body", "errors"), [
    pytest.param(b'cpu,t=a b s="x\ny" 1', [(1, 'cpu,t=a b s="x\ny" 1', "invalid field format")],
                 id="after-a-space-in-a-tag-value"),
    pytest.param(b'cpu v=1"x\ncpu v=2 2\n"', [(1, 'cpu v=1"x\ncpu v=2 2\n"', "invalid number")],
                 id="in-a-bare-value"),
    pytest.param(b'cpu v=1 "x\ncpu v=2 2\n"', [(1, 'cpu v=1 "x\ncpu v=2 2\n"', "bad timestamp")],
                 id="in-a-timestamp"),
    pytest.param(b'# a=1 "x\ncpu v=2 2\n"', [], id="in-a-comment"),
    # (text after a closing quote: a deliberate deviation, README)
    pytest.param(b'cpu s="a,v=1\ncpu f=1,g="u" 2\n"', [
        (1, 'cpu s="a,v=1\ncpu f=1,g="u" 2\n"', "invalid field format")],
        id="closed-then-reopened"),
    pytest.param(b'cpu,t="a b" v=1 1', [(1, 'cpu,t="a b" v=1 1', "invalid field format")],
                 id="not-where-commas-match-equals"),
    # 60-239: the unclosed string ends at the next line's first quote; the field set ends at
    # the space after it and what follows is a bad timestamp (the reader sees text after a
    # string, but 1.x reads the timestamp first)
    pytest.param(b'cpu v=1,s="open 5\ncpu s="a b" 6\n"', [
        (1, 'cpu v=1,s="open 5\ncpu s="a b" 6\n"', "bad timestamp")],
        id="closed-by-the-next-line-then-a-bad-timestamp"),
])
def test_a_quote_opens_a_string_as_1x_splits_lines(body: bytes,
                                                    errors: list[tuple[int, str, str]]) -> None:
    """1.x's line splitter counts `=` and `,` from a line's first space and opens a string at
    a quote that follows more `=` than `,`, whatever the line's shape (checked against 1.6.7
    in tests/oracle/test_write_v1.py)."""
    batch = parse_both(body + b"\nok v=1 9")
    assert [(e.line_number, e.line, e.reason) for e in batch.errors] == errors
    assert [c.measurement for c in batch.chunks] == ["ok"]
    assert list(batch.measurement("ok").lines) == [body.count(b"\n") + 2]


@pytest.mark.parametrize(
    ("body", "names", "errors"),
    [
        pytest.param(b"m,t=a\\\nb v=1 5", [("m", "a\\\nb")], [], id="in-a-tag-value"),
        pytest.param(b"m\\\nx v=1 5", [("m\\\nx", None)], [], id="in-a-measurement"),
        pytest.param(b"m,t=a\\\n\\\nb v=1 5", [("m", "a\\\n\\\nb")], [],
                     id="two-in-a-row"),
        pytest.param(b"m,t=a\\\\\\\nb v=1 5", [("m", "a\\\\\\\nb")], [],
                     id="odd-run-of-backslashes"),
        pytest.param(b"m,t=a\\\\\nm v=1 5", [("m", None)],
                     [(1, "m,t=a\\\\", "missing fields")],
                     id="even-run-escapes-nothing"),
        pytest.param(b"m v=1 5\\\nm v=2 6", [],
                     [(1, "m v=1 5\\\nm v=2 6", "bad timestamp")], id="after-a-timestamp"),
        pytest.param(b"m v=1\\\n 5", [], [(1, "m v=1\\\n 5", "invalid number")],
                     id="after-a-value"),
        pytest.param(b"m v=1 5\\\n\nm v=2 6", [("m", None)],
                     [(1, "m v=1 5\\", "bad timestamp")], id="before-an-empty-line"),
        pytest.param(b"# note\\\nm v=1 5\nm v=2 6", [("m", None)], [],
                     id="comment-takes-the-next-line"),
        pytest.param(b'm s="a",v=1\\\n,w=2 5', [],
                     [(1, 'm s="a",v=1\\\n,w=2 5', "invalid number")], id="after-a-string"),
        pytest.param(b'm s="a\nb",v=1\\\n 5', [],
                     [(1, 'm s="a\nb",v=1\\\n 5', "invalid number")],
                     id="after-a-string-across-lines"),
    ],
)
def test_an_escaped_newline_does_not_end_the_point(
        body: bytes, names: list[tuple[str, str | None]],
        errors: list[tuple[int, str, str]]) -> None:
    """1.x's line splitter (`scanLine`) skips a backslash and the byte after it, so a newline
    after an odd run of backslashes joins two lines (checked against 1.6.7 in
    tests/oracle/test_write_v1.py); later lines keep their numbers."""
    batch = parse_both(body + b"\nok v=1 9")
    assert [(e.line_number, e.line, e.reason) for e in batch.errors] == errors
    found = [(c.measurement, row.get("t")) for c in batch.chunks if c.measurement != "ok"
             for row in c.table.to_pylist()]
    assert found == names
    ok = batch.measurement("ok")
    assert list(ok.lines) == [body.count(b"\n") + 2]


@pytest.mark.parametrize(("body", "second"), [
    pytest.param(b'ok v=1 1\n c:\\,t=x q"k=1 2\n', 'c:\\,t=x q"k=1 2', id="final-newline"),
    pytest.param(b'ok v=1 1\n c:\\,t=x q"k=1 2\n\n', 'c:\\,t=x q"k=1 2\n',
                 id="blank-line"),
    pytest.param(b'ok v=1 1\n c:\\,t=x q"k=1 2\nok v=x 3\n', 'c:\\,t=x q"k=1 2\nok v=x 3',
                 id="later-line"),
    pytest.param(b'ok v=1 1\ncpu v="open\nok v=2 2\n', 'cpu v="open\nok v=2 2',
                 id="unclosed-string"),
    pytest.param(b"ok v=1 1\nm v=1 5\\\n", "m v=1 5\\", id="escaped-final-newline"),
])
def test_split_points_numbers_points_as_the_parser_does(body: bytes, second: str) -> None:
    """The native store's refusals quote a line from `split_points` (write.py): the text the
    parser read there, one entry per line of `body`. A string that 1.x's splitter opens at a
    quote in a field key (the tags' `=` counted after a leading space, the `\\,` skipped)
    runs to the end of the body, and the final newline is not part of it (1.6.7 stores
    `c:,t=x` at 2 from the first body)."""
    points = split_points(body)
    assert len(points) == body.count(b"\n") + 1
    assert points[-1] == b""
    assert line_text(points, 2) == second
    batch = parse_lines(body, Precision.NANOSECOND, NOW)
    assert [e.line for e in batch.errors] == [line_text(points, e.line_number)
                                              for e in batch.errors]
