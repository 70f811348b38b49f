"""Property: the vectorised path and the slow path give the same result on any input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.translators.lineprotocol.test_parser import NOW, normalise
from translators.lineprotocol import Precision, parse_lines

names = st.sampled_from(["cpu", "mem", "host", "region", "a", "b", "value", "time", "x y",
                         "c,d", "e=f", "Ünï", "", "t"])
raw_values = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers(-(2**63), 2**63).map(lambda v: f"{v}i"),
    st.integers(-5, 2**64).map(lambda v: f"{v}u"),
    st.sampled_from(["t", "F", "true", "FALSE", "abc", "1.", ".5", "-0", "1e5", "NaN", "+1",
                     "", '"str"', '"a b,c=d"', '"esc\\"q"', "1x", "1e+5", "1E-5", "-.5",
                     "Infinity", "inf", "nan", "-nan", "1e400", "0x10", "1_0", "+1i", "05i",
                     "-0u", "- 1", "1.5.5", "١", "1e", "e5", ".", "-", "i", "u", "-i", "0x10i",
                     "0X1Fu", "0x1p3", "-0x10i", "0b101i", "0o7i",
                     # Strings across lines (a clean point inside one is not a point).
                     '"two\nlines"', '"x\ncpu v=1 5\n"', '"q\\"\n"', '"\r\n\n"',
                     # ... taking lines that begin with `#`, then a key 1.x reads as opening
                     # another string (`\\=`, then a quote)
                     '"#\n#"', '"a\n#",k\\\\="\n#x"y\\\\,z=1', '"a\n #",k\\\\="\nx"y\\\\,z=1']),
)
stamps = st.one_of(st.none(), st.integers(-(2**63), 2**63).map(str), st.just("x1"),
                   st.integers(0, 2**40).map(hex), st.sampled_from(["0X1f", "-0x10", "1e3"]))


def escape(name: str) -> str:
    return name.replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


@st.composite
def line(draw: st.DrawFn) -> str:
    measurement = escape(draw(names))
    tags = draw(st.lists(st.tuples(names, names), max_size=3))
    fields = draw(st.lists(st.tuples(names, raw_values), min_size=0, max_size=4))
    text = measurement
    text += "".join(f",{escape(k)}={escape(v)}" for k, v in tags)
    text += " " + ",".join(f"{escape(k)}={v}" for k, v in fields)
    stamp = draw(stamps)
    if stamp is not None:
        text += " " + stamp
    return text


@st.composite
def body(draw: st.DrawFn) -> bytes:
    # Repeat a few line templates so that the vectorised path sees real blocks.
    templates = draw(st.lists(line(), min_size=1, max_size=4))
    picks = draw(st.lists(st.integers(0, len(templates) - 1), min_size=1, max_size=30))
    extras = draw(st.sampled_from(["", "\n", "\n# c\n", "\r\n"]))
    return ("\n".join(templates[i] for i in picks) + extras).encode()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body(), st.sampled_from(list(Precision)))
def test_vectorised_and_slow_paths_agree(data: bytes, precision: Precision) -> None:
    fast = parse_lines(data, precision, NOW)
    slow = parse_lines(data, precision, NOW, vectorised=False)
    assert normalise(fast) == normalise(slow)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.floats(allow_nan=False, allow_infinity=False),
                          st.integers(0, 2**40)), min_size=1, max_size=50))
def test_homogeneous_blocks_agree(points: list[tuple[int, float, int]]) -> None:
    data = "\n".join(f"cpu,host=h{h} usage={v!r},n={t}i {t}" for h, v, t in points).encode()
    fast = parse_lines(data, Precision.NANOSECOND, NOW)
    slow = parse_lines(data, Precision.NANOSECOND, NOW, vectorised=False)
    assert normalise(fast) == normalise(slow)
    assert fast.points == len(points)


def test_clean_blocks_never_touch_the_slow_path(monkeypatch) -> None:
    """The comparison above means something only if the vectorised path really runs."""
    from translators.lineprotocol import parser

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("slow path used")

    monkeypatch.setattr(parser, "parse_line", refuse)
    data = b"\n".join(
        [b"cpu,host=a,cpu=c0 user=1.5,sys=2,n=3i,ok=t 1700000000000000000"] * 10
        + [b"mem,host=a free=10i,total=20u 1700000000000000001"] * 5
        + [b"cpu,host=b,cpu=c1 user=2.5,sys=3,n=4i,ok=F 1700000000000000002"]
    )
    batch = parse_lines(data, Precision.NANOSECOND, NOW)
    assert batch.errors == []
    assert batch.measurement("cpu").num_rows == 11
    assert batch.measurement("mem").num_rows == 5
    assert batch.measurement("cpu").lines == [*range(1, 11), 16]
