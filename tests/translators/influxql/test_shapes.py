"""A statement parsed from its shape's template is the statement its own text parses to."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translators.influxql import shapes
from translators.influxql.errors import InfluxQLParseError
from translators.influxql.parser import parse_query

T = "time >= {}ms AND time <= {}ms"


def _bound(first: str, second: str) -> object:
    """`second` parsed from the template `first` made, or None when no template is made or
    the template refuses `second`."""
    shape = shapes.shape_of(first)
    assert shape is not None
    made = shapes.template(parse_query(first)[0], shape)
    other = shapes.shape_of(second)
    if made is None or other is None or other.key != shape.key:
        return None
    return shapes.bind(made, other)


@pytest.mark.parametrize(("first", "second"), [
    pytest.param(f"SELECT v FROM m WHERE h = 'a' AND {T.format(1000, 2000)}",
                 f"SELECT v FROM m WHERE h = 'a' AND {T.format(1500, 9000)}", id="new-bounds"),
    pytest.param(f"SELECT v FROM m WHERE h = 'a' AND {T.format(1000, 2000)}",
                 f"SELECT v FROM m WHERE h = 'b' AND {T.format(2000, 1000)}",
                 id="bounds-swapped-and-new-tag"),
    pytest.param("SELECT mean(v) FROM m WHERE h = 'a' AND c = 'x' AND time > 5s "
                 "GROUP BY time(1m) fill(0) LIMIT 3",
                 "SELECT mean(v) FROM m WHERE h = 'x' AND c = 'a' AND time > 7s "
                 "GROUP BY time(1m) fill(0) LIMIT 3", id="tags-swapped"),
    pytest.param("SELECT v FROM m WHERE v > 1.5 OR v < 3 AND time > '2020-01-01T00:00:00Z'",
                 "SELECT v FROM m WHERE v > 2.25 OR v < 9 AND time > '2021-06-01'",
                 id="numbers-integers-time-strings"),
    pytest.param("SELECT v FROM m WHERE (a = 'x' OR b = 'y') AND time < 10s",
                 "SELECT v FROM m WHERE (a = 'q' OR b = 'r') AND time < 3h", id="parens"),
    pytest.param("SELECT v FROM m WHERE v > 9223372036854775807",
                 "SELECT v FROM m WHERE v > 9223372036854775808", id="int-to-unsigned"),
    pytest.param("SELECT v FROM m WHERE " + " OR ".join(f"h = 'h{i}'" for i in range(80)),
                 "SELECT v FROM m WHERE " + " OR ".join(f"h = 'g{i}'" for i in range(80)),
                 id="balanced-long-or"),
    pytest.param("SELECT v FROM m WHERE h = 'a'", "SELECT v FROM m WHERE \"h\" = 'b'",
                 id="quoted-identifier"),
])
def test_a_template_answers_as_the_parser(first: str, second: str) -> None:
    assert _bound(first, second) == parse_query(second)[0]


@pytest.mark.parametrize("text", [
    pytest.param("SELECT v FROM m WHERE h =~ /a/ AND time > 5s", id="regex"),
    pytest.param("SELECT v FROM m WHERE h = $h", id="bound-parameter"),
    pytest.param("SELECT v FROM (SELECT v FROM m WHERE h = 'a') WHERE time > 5s",
                 id="subquery"),
    pytest.param("SELECT v FROM m WHERE time > 5s; SELECT v FROM m", id="two-statements"),
    pytest.param("SHOW TAG VALUES WITH KEY = 'h' WHERE x = 'a'", id="not-a-select"),
])
def test_what_cannot_be_lifted_has_no_shape(text: str) -> None:
    assert shapes.shape_of(text) is None


@pytest.mark.parametrize(("first", "second"), [
    pytest.param("SELECT v FROM m WHERE v > 5 LIMIT 3", "SELECT v FROM m WHERE v > 5 LIMIT 0",
                 id="limit"),
    pytest.param("SELECT mean(v) FROM m WHERE time > 5s GROUP BY time(1m)",
                 "SELECT mean(v) FROM m WHERE time > 5s GROUP BY time(1h)", id="interval"),
    pytest.param("SELECT v FROM m WHERE v > -0", "SELECT v FROM m WHERE v > -5",
                 id="signed"),
    pytest.param("SELECT v FROM m WHERE time > now() - 1h",
                 "SELECT v FROM m WHERE time > now() - 2h", id="now-arithmetic"),
    pytest.param("SELECT v FROM m WHERE v > 5", "SELECT v FROM m WHERE v > 5.0",
                 id="integer-or-number"),
    pytest.param("SELECT v FROM m WHERE v > 5", "SELECT v FROM m WHERE v > '5'",
                 id="integer-or-string"),
    pytest.param("SELECT v FROM m WHERE h = 'a' tz('UTC')",
                 "SELECT v FROM m WHERE h = 'a' tz('Japan')", id="tz-outside-condition"),
])
def test_what_changes_meaning_stays_in_the_key(first: str, second: str) -> None:
    one, two = shapes.shape_of(first), shapes.shape_of(second)
    if one is not None and two is not None and one.key == two.key:
        # one key only where the literal is no condition node: no template, each text parsed
        assert shapes.template(parse_query(first)[0], one) is None


def test_a_value_the_parser_refuses_makes_no_statement() -> None:
    assert _bound("SELECT v FROM m WHERE v > 5",
                  "SELECT v FROM m WHERE v > 99999999999999999999999") is None
    assert _bound("SELECT v FROM m WHERE time > 5s",
                  "SELECT v FROM m WHERE time > 99999999999999999999h") is None


def test_repeated_values_make_no_template() -> None:
    # which `'a'` went where cannot be told from one text: the next text is parsed instead
    text = "SELECT v FROM m WHERE h = 'a' AND c = 'a'"
    shape = shapes.shape_of(text)
    assert shape is not None and not shapes.distinct_values(shape)
    assert shapes.template(parse_query(text)[0], shape) is None


@pytest.mark.parametrize(("first", "second"), [
    # a written `1 * v` is the tree of a sign's `+v`; the `+1` folds to a node of value 1
    ("SELECT v FROM m WHERE v <= +1 AND v >= 1 * v",
     "SELECT v FROM m WHERE v <= +1 AND v >= 2 * v"),
    ("SELECT v FROM m WHERE v >= 1 * +v AND v <= 2",
     "SELECT v FROM m WHERE v >= 3 * +v AND v <= 2"),
    ("SELECT v FROM m WHERE v >= 1 * v", "SELECT v FROM m WHERE v >= 4 * v"),
])
def test_a_written_one_times_beside_a_sign_binds_where_it_was_written(
        first: str, second: str) -> None:
    assert _bound(first, second) in (None, parse_query(second)[0])
    assert _bound(second, first) in (None, parse_query(first)[0])


def test_a_value_also_written_where_it_is_not_lifted_makes_no_template() -> None:
    # the `5s` after `-` is not lifted (a sign folds into it), and is a node of its own
    first = "SELECT v FROM m WHERE time > now() - 5s AND time < 5s"
    second = "SELECT v FROM m WHERE time > now() - 5s AND time < 7s"
    assert _bound(first, second) in (None, parse_query(second)[0])
    assert _bound(second, first) in (None, parse_query(first)[0])


# Literal texts, and characters around them, chosen to end a token early or late if the quick
# shape misread them: every pair of fillings of one quick key must parse as the template says.
# Each slot's two texts come from one group, so that most pairs share a key.
_RAW = [
    ["'a'", "'b c'", "'--x'", "'\"q\"'", "''", "'a\\'", "'\\\\'", "'x' 'y'"],
    ["5", "07", "0", "9223372036854775808", "99999999999999999999", "5_", "5.", "5 5"],
    ["5ms", "15m", "1h30m", "5mx", "99999999999999999999h", "1700003600000ms", "5m.5"],
    ["5.5", "1.", "5.5.5", ".5", "1.0", "0.000", "5.5x"],
]
_SLOTS = ["h = {}", "x > {}", "x > -{}", "time >= {}", "a.{} = 1", "x = {}x", "({} > x)",
          "f({}) = 1", "x = {} + 1"]


@st.composite
def _fillings(draw: st.DrawFn) -> tuple[list[str], list[str], list[str]]:
    slots = draw(st.lists(st.sampled_from(_SLOTS), min_size=1, max_size=3))
    groups = [draw(st.sampled_from(_RAW)) for _ in slots]
    return (slots, [draw(st.sampled_from(g)) for g in groups],
            [draw(st.sampled_from(g)) for g in groups])


@given(_fillings(), st.sampled_from(["", " GROUP BY time(1m)", " LIMIT 5", " tz('UTC')"]))
@settings(max_examples=400, deadline=None)
def test_a_quick_key_binds_as_the_parser_parses(
        filled: tuple[list[str], list[str], list[str]], tail: str) -> None:
    slots, one, two = filled

    def text(raw: list[str]) -> str:
        return "SELECT v FROM m WHERE " + " AND ".join(
            slot.format(value) for slot, value in zip(slots, raw, strict=True)) + tail

    first, second = text(one), text(two)
    quick, other = shapes.quick_shape(first), shapes.quick_shape(second)
    shape = shapes.shape_of(first)
    if (quick is None or other is None or quick.key != other.key or shape is None
            or not shapes.agree(quick, shape)):
        return  # (a text with a backslash has no quick shape: the scanner keys it)
    try:
        made = shapes.template(parse_query(first)[0], shape)
    except InfluxQLParseError:
        return
    if made is None:
        return
    try:
        expected = parse_query(second)[0]
    except InfluxQLParseError:
        expected = None
    # None where the parser refuses the text: the caller parses it for the error
    assert shapes.bind(made, other) == expected, (first, second)


def test_the_quick_key_stands_for_the_scanners_only_where_they_agree() -> None:
    text = "SELECT mean(v) FROM m WHERE h = 'a' AND time >= 1000ms GROUP BY time(1m)"
    quick, shape = shapes.quick_shape(text), shapes.shape_of(text)
    assert quick is not None and shape is not None and shapes.agree(quick, shape)
    assert [lit for _, lit, _ in quick.values] == ["a", "1000ms"]
    # a tag value with a newline, a backslash or a non-ASCII character: the scanner alone
    for other in ("SELECT v FROM m WHERE h = 'caf\u00e9'", "SELECT v FROM m WHERE h = 'a\\'b'",
                  "SELECT v FROM m WHERE h = 'a'\nAND x = 1"):
        assert shapes.quick_shape(other) is None


def test_kept_shapes_are_bounded_by_their_tokens_not_their_count() -> None:
    """A shape of hundreds of literals weighs hundreds of times a dashboard's: the cache of
    templates holds a budget of tokens, so a run of such shapes cannot grow memory past it,
    and a statement too big for a sixteenth of the budget is parsed without a template."""
    from gateway.services import influxql as service

    def text(values: int, first: int) -> str:
        return "SELECT v FROM cpu WHERE " + " OR ".join(
            f"v = {first + j}" for j in range(values))

    service._SHAPES.clear()
    for n in range(40):  # forty shapes (their value counts differ) of ~2,400 tokens each
        service._parse_by_shape(text(300 + n, 10**6 * n))
    assert service._SHAPES.currsize <= service._SHAPE_TOKENS
    assert len(service._SHAPES) < 2 * 40  # some were let go for the budget
    service._SHAPES.clear()
    huge = text(service._SHAPE_TOKENS // 16 // 8 + 1, 1)  # eight tokens a value, spaces too
    parsed = service._parse_by_shape(huge)
    assert len(service._SHAPES) == 0
    assert parsed == tuple(parse_query(huge))
