"""Small grammar pieces several statements share: keywords in sequence, integers, durations,
strings, ORDER BY, LIMIT-style clauses. Each reports errors in 1.x's words and positions."""

from __future__ import annotations

from . import ast
from .durations import DurationError, parse_duration
from .errors import plain, positioned, unexpected
from .expr import parse_ident
from .lexer import Tok, TokenStream, tokstr

INT64_MAX = (1 << 63) - 1
ONLY_TIME = "only ORDER BY time supported at this time"


def parse_tokens(p: TokenStream, expected: list[Tok]) -> None:
    """Consume exactly these tokens, or fail on the first that differs."""
    for want in expected:
        tok, pos, lit = p.scan_ws()
        if tok != want:
            raise unexpected(tokstr(tok, lit), [want.text], pos)


def accept(p: TokenStream, tok: Tok) -> bool:
    """Consume the next token if it is `tok`."""
    if p.scan_ws()[0] == tok:
        return True
    p.unscan()
    return False


def parse_int(p: TokenStream, low: int, high: int) -> int:
    tok, pos, lit = p.scan_ws()
    if tok != Tok.INTEGER:
        raise unexpected(tokstr(tok, lit), ["integer"], pos)
    value = int(lit)
    if not -INT64_MAX - 1 <= value <= INT64_MAX:
        raise positioned(f'strconv.Atoi: parsing "{lit}": value out of range', pos)
    if not low <= value <= high:
        raise positioned(f"invalid value {value}: must be {low} <= n <= {high}", pos)
    return value


def parse_uint64(p: TokenStream) -> int:
    tok, pos, lit = p.scan_ws()
    if tok != Tok.INTEGER:
        raise unexpected(tokstr(tok, lit), ["integer"], pos)
    value = int(lit)
    if not 0 <= value < 1 << 64 or lit.startswith("-"):
        raise positioned(f'strconv.ParseUint: parsing "{lit}": '
                         + ("value out of range" if value >= 0 else "invalid syntax"), pos)
    return value


def parse_duration_value(p: TokenStream) -> int:
    """A duration or INF (0), after DURATION."""
    tok, pos, lit = p.scan_ws()
    if tok not in (Tok.DURATIONVAL, Tok.INF):
        raise unexpected(tokstr(tok, lit), ["duration"], pos)
    if tok == Tok.INF:
        return 0
    try:
        return parse_duration(lit)
    except DurationError as exc:
        raise positioned(str(exc), pos) from None


def parse_string(p: TokenStream) -> str:
    tok, pos, lit = p.scan_ws()
    if tok != Tok.STRING:
        raise unexpected(tokstr(tok, lit), ["string"], pos)
    return lit


def parse_string_list(p: TokenStream) -> list[str]:
    strings = [parse_string(p)]
    while accept(p, Tok.COMMA):
        strings.append(parse_string(p))
    return strings


def parse_optional_int(p: TokenStream, keyword: Tok) -> int:
    """`LIMIT n` and the like; 0 when the keyword is absent."""
    if not accept(p, keyword):
        return 0
    tok, pos, lit = p.scan_ws()
    if tok != Tok.INTEGER:
        raise unexpected(tokstr(tok, lit), ["integer"], pos)
    value = min(int(lit), INT64_MAX)  # 1.x ignores ParseInt's range error and keeps the max
    if value < 0:
        raise positioned(f"{keyword.text} must be >= 0", pos)
    return value


def parse_order_by(p: TokenStream) -> tuple[ast.SortField, ...]:
    """`ORDER BY time [ASC|DESC]` or `ORDER BY ASC|DESC`; other names are refused."""
    if not accept(p, Tok.ORDER):
        return ()
    tok, pos, lit = p.scan_ws()
    if tok != Tok.BY:
        raise unexpected(tokstr(tok, lit), ["BY"], pos)
    tok, pos, lit = p.scan_ws()
    if tok in (Tok.ASC, Tok.DESC):
        fields = [ast.SortField("time", tok == Tok.ASC)]
    elif tok == Tok.IDENT:
        p.unscan()
        fields = [_sort_field(p)]
        if lit != "time":  # case-sensitive in 1.x: `ORDER BY TIME` is refused
            raise plain(ONLY_TIME)
    else:
        raise unexpected(tokstr(tok, lit), ["identifier", "ASC", "DESC"], pos)
    while accept(p, Tok.COMMA):
        fields.append(_sort_field(p))
    if len(fields) > 1:
        raise plain(ONLY_TIME)
    return tuple(fields)


def _sort_field(p: TokenStream) -> ast.SortField:
    name = parse_ident(p)
    tok = p.scan_ws()[0]
    if tok not in (Tok.ASC, Tok.DESC):
        p.unscan()
        tok = Tok.ASC
    return ast.SortField(name, tok == Tok.ASC)


def parse_on(p: TokenStream) -> str | None:
    """`ON db`, if the next token is ON."""
    if not accept(p, Tok.ON):
        return None
    return parse_ident(p)
