"""The scanner's tokens and positions, durations and bound-parameter binding."""

from __future__ import annotations

import pytest

from translators.influxql.durations import DurationError, format_duration, parse_duration
from translators.influxql.lexer import Scanner, Tok
from translators.influxql.params import bind_value


def scan_all(text: str) -> list[tuple[Tok, tuple[int, int], str]]:
    scanner = Scanner(text)
    out = []
    while True:
        token = scanner.scan()
        out.append(token)
        if token[0] == Tok.EOF:
            return out


TOKENS = [
    pytest.param("a _b \"c d\"", [(Tok.IDENT, (0, 0), "a"), (Tok.WS, (0, 1), " "),
                                  (Tok.IDENT, (0, 2), "_b"), (Tok.WS, (0, 4), " "),
                                  (Tok.IDENT, (0, 5), "c d"), (Tok.EOF, (0, 10), "")],
                 id="idents"),
    pytest.param("SeLeCt", [(Tok.SELECT, (0, 0), ""), (Tok.EOF, (0, 7), "")],
                 id="keyword-then-eof-one-further"),
    pytest.param("'it\\'s'", [(Tok.STRING, (0, 0), "it's"), (Tok.EOF, (0, 7), "")],
                 id="string"),
    pytest.param("x 'a'", [(Tok.IDENT, (0, 0), "x"), (Tok.WS, (0, 1), " "),
                           (Tok.STRING, (0, 1), "a"), (Tok.EOF, (0, 5), "")],
                 id="string-position-is-char-before-quote"),
    pytest.param("1 1.5 .5 1. 10s 1h30m 9x",
                 [(Tok.INTEGER, (0, 0), "1"), (Tok.WS, (0, 1), " "),
                  (Tok.NUMBER, (0, 2), "1.5"), (Tok.WS, (0, 5), " "),
                  (Tok.NUMBER, (0, 6), ".5"), (Tok.WS, (0, 8), " "),
                  (Tok.NUMBER, (0, 9), "1"), (Tok.WS, (0, 11), " "),
                  (Tok.DURATIONVAL, (0, 12), "10s"), (Tok.WS, (0, 15), " "),
                  (Tok.DURATIONVAL, (0, 16), "1h30m"), (Tok.WS, (0, 21), " "),
                  (Tok.DURATIONVAL, (0, 22), "9x"), (Tok.EOF, (0, 24), "")], id="numbers"),
    pytest.param("+-*/%&|^=!=<><=>==~!~(),;.::: :",
                 [(Tok.ADD, (0, 0), ""), (Tok.SUB, (0, 1), ""), (Tok.MUL, (0, 2), ""),
                  (Tok.DIV, (0, 3), ""), (Tok.MOD, (0, 4), ""), (Tok.BITWISE_AND, (0, 5), ""),
                  (Tok.BITWISE_OR, (0, 6), ""), (Tok.BITWISE_XOR, (0, 7), ""),
                  (Tok.EQ, (0, 8), ""), (Tok.NEQ, (0, 9), ""), (Tok.NEQ, (0, 11), ""),
                  (Tok.LTE, (0, 13), ""), (Tok.GTE, (0, 15), ""), (Tok.EQREGEX, (0, 17), ""),
                  (Tok.NEQREGEX, (0, 19), ""), (Tok.LPAREN, (0, 21), ""),
                  (Tok.RPAREN, (0, 22), ""), (Tok.COMMA, (0, 23), ""),
                  (Tok.SEMICOLON, (0, 24), ""), (Tok.DOT, (0, 25), ""),
                  (Tok.DOUBLECOLON, (0, 26), ""), (Tok.COLON, (0, 28), ""),
                  (Tok.WS, (0, 29), " "), (Tok.COLON, (0, 30), ""), (Tok.EOF, (0, 31), "")],
                 id="operators"),
    pytest.param("a -- c\r\nb /* x */", [(Tok.IDENT, (0, 0), "a"), (Tok.WS, (0, 1), " "),
                                         (Tok.COMMENT, (0, 2), ""), (Tok.IDENT, (1, 0), "b"),
                                         (Tok.WS, (1, 1), " "), (Tok.COMMENT, (1, 2), ""),
                                         (Tok.EOF, (1, 9), "")], id="comments-crlf"),
    pytest.param("$a $\"b c\" $", [(Tok.BOUNDPARAM, (0, 0), "$a"), (Tok.WS, (0, 2), " "),
                                   (Tok.BOUNDPARAM, (0, 3), "$b c"), (Tok.WS, (0, 9), " "),
                                   (Tok.BOUNDPARAM, (0, 10), "$"), (Tok.EOF, (0, 12), "")],
                 id="bound-parameters"),
    pytest.param("! é", [(Tok.ILLEGAL, (0, 0), "!"), (Tok.WS, (0, 1), " "),
                         (Tok.ILLEGAL, (0, 2), "é"), (Tok.EOF, (0, 3), "")], id="illegal"),
    # A token that read up to the end consumed the EOF: the next EOF is one char further.
    pytest.param("'ab", [(Tok.BADSTRING, (0, 0), "ab"), (Tok.EOF, (0, 4), "")],
                 id="bad-string"),
    pytest.param("'a\\q'", [(Tok.BADESCAPE, (0, 3), "\\q"), (Tok.BADSTRING, (0, 3), ""),
                            (Tok.EOF, (0, 6), "")], id="bad-escape-then-open-quote"),
    pytest.param("/* open", [(Tok.ILLEGAL, (0, 0), ""), (Tok.EOF, (0, 8), "")],
                 id="open-comment"),
]


@pytest.mark.parametrize(("text", "expected"), TOKENS)
def test_tokens(text: str, expected: list) -> None:
    assert scan_all(text) == expected


@pytest.mark.parametrize(("text", "nanoseconds"), [
    pytest.param("1ns", 1, id="ns"), pytest.param("1u", 1000, id="u"),
    pytest.param("1µ", 1000, id="micro-sign"), pytest.param("2ms", 2_000_000, id="ms"),
    pytest.param("3s", 3_000_000_000, id="s"), pytest.param("1m", 60_000_000_000, id="m"),
    pytest.param("1h30m", 5_400_000_000_000, id="compound"),
    pytest.param("1d", 86_400_000_000_000, id="d"), pytest.param("1w", 604_800_000_000_000, id="w"),
    pytest.param("-5m", -300_000_000_000, id="negative"),
])
def test_parse_duration(text: str, nanoseconds: int) -> None:
    assert parse_duration(text) == nanoseconds


@pytest.mark.parametrize(("text", "message"), [
    pytest.param("1us", "invalid duration", id="us-is-not-a-unit"),
    pytest.param("1µs", "invalid duration", id="micro-s-is-not-a-unit"),
    pytest.param("1x", "invalid duration", id="unknown-unit"),
    pytest.param("1n", "invalid duration", id="bare-n"),
    pytest.param("2562048h", "overflowed duration 2562048h: choose a smaller duration or INF",
                 id="overflow"),
])
def test_bad_duration(text: str, message: str) -> None:
    with pytest.raises(DurationError) as caught:
        parse_duration(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(("nanoseconds", "text"), [
    (0, "0s"), (1, "1ns"), (1000, "1u"), (1_000_000, "1ms"), (90_000_000_000, "90s"),
    (5_400_000_000_000, "90m"), (86_400_000_000_000, "1d"), (1_209_600_000_000_000, "2w"),
    (-3_600_000_000_000, "-1h"),
])
def test_format_duration(nanoseconds: int, text: str) -> None:
    assert format_duration(nanoseconds) == text


@pytest.mark.parametrize(("value", "token"), [
    pytest.param("s", (Tok.STRING, "s"), id="string"),
    pytest.param(5, (Tok.INTEGER, "5"), id="int"),
    pytest.param(1e21, (Tok.NUMBER, "1000000000000000000000"), id="float-no-exponent"),
    pytest.param(0.5, (Tok.NUMBER, "0.5"), id="float"),
    pytest.param(False, (Tok.FALSE, ""), id="bool"),
    pytest.param(None, (Tok.BOUNDPARAM, "unable to bind parameter with type <nil>"), id="null"),
    pytest.param([1], (Tok.BOUNDPARAM, "unable to bind parameter with type []interface {}"),
                 id="list"),
    pytest.param({"a": 1, "b": 2},
                 (Tok.BOUNDPARAM, "bound object parameter value must have exactly one entry"),
                 id="object-two-entries"),
    pytest.param({"integer": "x"}, (Tok.BOUNDPARAM, "integer literal must be an integer value"),
                 id="object-bad-integer"),
    pytest.param({"duration": 60_000_000_000}, (Tok.DURATIONVAL, "1m"), id="object-duration"),
])
def test_bind_value(value: object, token: tuple) -> None:
    assert bind_value(value) == token
