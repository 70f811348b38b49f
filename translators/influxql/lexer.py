"""The InfluxQL scanner: characters to tokens, with InfluxDB 1.x's positions and quirks.

1.x reports error positions as its scanner sees them, quirks included, so this module keeps the
shape of 1.x's scanner: a rune reader with a three-slot unread ring (its `curr()` after an
unread names the *previous* character, which is why 1.x places string errors one character
early), a token ring with `unscan`, `peek_rune` reading past unscanned tokens, and bound
parameters swapped in at scan time. Regex literals are scanned only when the parser asks
(`scan_regex`), since `/` is otherwise division. The rune reader is `runes.py`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .runes import EOF_CH, Pos, Reader, scan_quoted
from .tokens import (
    Tok,
    is_digit,
    is_ident_char,
    is_letter,
    is_whitespace,
    lookup,
    tokstr,
)

Token = tuple[Tok, Pos, str]


class Scanner:
    """Turns the reader's runes into (token, position, literal) triples."""

    def __init__(self, text: str) -> None:
        self.r = Reader(text)

    def scan(self) -> Token:  # noqa: C901 - one branch per character class, as 1.x's
        r = self.r
        ch0, pos = r.read()
        if is_whitespace(ch0):
            return self._scan_whitespace()
        if is_letter(ch0) or ch0 == "_":
            r.unread()
            return self._scan_ident(True)
        if is_digit(ch0):
            return self._scan_number()
        if ch0 == EOF_CH:
            return Tok.EOF, pos, ""
        if ch0 == '"':
            r.unread()
            return self._scan_ident(True)
        if ch0 == "'":
            return self._scan_string()
        if ch0 == ".":
            ch1, _ = r.read()
            r.unread()
            if is_digit(ch1):
                return self._scan_number()
            return Tok.DOT, pos, ""
        if ch0 == "$":
            tok, _, lit = self._scan_ident(False)
            return (tok if tok != Tok.IDENT else Tok.BOUNDPARAM), pos, "$" + lit
        if ch0 == "-":
            ch1, _ = r.read()
            if ch1 == "-":
                self._skip_until_newline()
                return Tok.COMMENT, pos, ""
            r.unread()
            return Tok.SUB, pos, ""
        if ch0 == "/":
            ch1, _ = r.read()
            if ch1 == "*":
                if not self._skip_until_end_comment():
                    return Tok.ILLEGAL, pos, ""
                return Tok.COMMENT, pos, ""
            r.unread()
            return Tok.DIV, pos, ""
        if ch0 in _TWO_CHAR:
            ch1, _ = r.read()
            for second, tok in _TWO_CHAR[ch0]:
                if ch1 == second:
                    return tok, pos, ""
            r.unread()
            if ch0 == "!":
                return Tok.ILLEGAL, pos, "!"
            return _TWO_CHAR_DEFAULT[ch0], pos, ""
        single = _SINGLE.get(ch0)
        if single is not None:
            return single, pos, ""
        return Tok.ILLEGAL, pos, ch0

    def _scan_whitespace(self) -> Token:
        r = self.r
        ch, pos = r.curr()
        buf = [ch]
        while True:
            ch, _ = r.read()
            if ch == EOF_CH:
                break
            if not is_whitespace(ch):
                r.unread()
                break
            buf.append(ch)
        return Tok.WS, pos, "".join(buf)

    def _skip_until_newline(self) -> None:
        while True:
            ch, _ = self.r.read()
            if ch in ("\n", EOF_CH):
                return

    def _skip_until_end_comment(self) -> bool:
        r = self.r
        while True:
            ch1, _ = r.read()
            if ch1 == "*":
                while True:
                    ch2, _ = r.read()
                    if ch2 == "/":
                        return True
                    if ch2 == EOF_CH:
                        return False
                    if ch2 != "*":
                        break
            elif ch1 == EOF_CH:
                return False

    def _scan_ident(self, lookup_keyword: bool) -> Token:
        r = self.r
        _, pos = r.read()
        r.unread()
        buf: list[str] = []
        while True:
            ch, _ = r.read()
            if ch == EOF_CH:
                break
            if ch == '"':
                tok0, pos0, lit0 = self._scan_string()
                if tok0 in (Tok.BADSTRING, Tok.BADESCAPE):
                    return tok0, pos0, lit0
                # 1.x drops any bare characters read before the quote: `ab"cd"` is `cd`.
                return Tok.IDENT, pos, lit0
            if is_ident_char(ch):
                r.unread()
                buf.append(self._scan_bare_ident())
            else:
                r.unread()
                break
        lit = "".join(buf)
        if lookup_keyword:
            tok = lookup(lit)
            if tok != Tok.IDENT:
                return tok, pos, ""
        return Tok.IDENT, pos, lit

    def _scan_bare_ident(self) -> str:
        buf: list[str] = []
        while True:
            ch, ok = self.r.read_rune()
            if not ok:
                break
            if not is_ident_char(ch):
                self.r.unread()
                break
            buf.append(ch)
        return "".join(buf)

    def _scan_string(self) -> Token:
        r = self.r
        r.unread()
        _, pos = r.curr()  # 1.x's quirk: the character *before* the opening quote
        lit, err = scan_quoted(r)
        if err == "bad string":
            return Tok.BADSTRING, pos, lit
        if err == "bad escape":
            _, pos = r.curr()
            return Tok.BADESCAPE, pos, lit
        return Tok.STRING, pos, lit

    def scan_regex(self) -> Token:
        r = self.r
        _, pos = r.curr()
        ch, ok = r.read_rune()
        if not ok or ch != "/":
            return Tok.BADREGEX, pos, ""
        buf: list[str] = []
        while True:
            ch0, ok = r.read_rune()
            if ch0 == "/":
                return Tok.REGEX, pos, "".join(buf)
            if not ok or ch0 == "\n":
                return Tok.BADREGEX, pos, ""
            if ch0 == "\\":
                ch1, ok = r.read_rune()
                if not ok:
                    return Tok.BADREGEX, pos, ""
                if ch1 == "/":
                    buf.append("/")
                else:
                    # Any other escape passes through; the next character is read afresh.
                    r.unread()
                    buf.append("\\")
            else:
                buf.append(ch0)

    def _scan_number(self) -> Token:
        r = self.r
        ch, pos = r.curr()
        if ch == ".":
            ch1, _ = r.read()
            r.unread()
            if not is_digit(ch1):
                return Tok.ILLEGAL, pos, "."
            r.unread()
        else:
            r.unread()
        buf = [self._scan_digits()]
        is_decimal = False
        ch0, _ = r.read()
        if ch0 == ".":
            # 1.x consumes the full stop even when no digit follows: `1.` is the float 1.
            is_decimal = True
            ch1, _ = r.read()
            if is_digit(ch1):
                buf += [ch0, ch1, self._scan_digits()]
            else:
                r.unread()
        else:
            r.unread()
        if is_decimal:
            return Tok.NUMBER, pos, "".join(buf)
        ch0, _ = r.read()
        if not (is_letter(ch0) or ch0 == "µ"):
            r.unread()
            return Tok.INTEGER, pos, "".join(buf)
        buf.append(ch0)
        while True:
            ch1, _ = r.read()
            if not (is_letter(ch1) or ch1 == "µ"):
                r.unread()
                break
            buf.append(ch1)
        while True:
            ch1, _ = r.read()
            if is_letter(ch1) or ch1 == "µ" or is_digit(ch1):
                buf.append(ch1)
            else:
                r.unread()
                break
        return Tok.DURATIONVAL, pos, "".join(buf)

    def _scan_digits(self) -> str:
        buf: list[str] = []
        while True:
            ch, _ = self.r.read()
            if not is_digit(ch):
                self.r.unread()
                break
            buf.append(ch)
        return "".join(buf)


_TWO_CHAR: dict[str, tuple[tuple[str, Tok], ...]] = {
    "=": (("~", Tok.EQREGEX),),
    "!": (("=", Tok.NEQ), ("~", Tok.NEQREGEX)),
    ">": (("=", Tok.GTE),),
    "<": (("=", Tok.LTE), (">", Tok.NEQ)),
    ":": ((":", Tok.DOUBLECOLON),),
}
_TWO_CHAR_DEFAULT = {"=": Tok.EQ, ">": Tok.GT, "<": Tok.LT, ":": Tok.COLON}
_SINGLE = {
    "+": Tok.ADD, "*": Tok.MUL, "%": Tok.MOD, "&": Tok.BITWISE_AND, "|": Tok.BITWISE_OR,
    "^": Tok.BITWISE_XOR, "(": Tok.LPAREN, ")": Tok.RPAREN, ",": Tok.COMMA, ";": Tok.SEMICOLON,
}


BoundValue = tuple[Tok, str]


class TokenStream:
    """1.x's buffered scanner plus the parser's scan helpers (a three-token unscan ring)."""

    def __init__(self, text: str, params: Mapping[str, BoundValue] | None = None) -> None:
        self.scanner = Scanner(text)
        self.params = params or {}
        self._buf: list[Token] = [(Tok.ILLEGAL, (0, 0), "")] * 3
        self._i = 0
        self._n = 0

    def _scan_with(self, fn: Callable[[], Token]) -> Token:
        if self._n > 0:
            self._n -= 1
            tok, pos, lit = self._curr()
        else:
            self._i = (self._i + 1) % 3
            tok, pos, lit = self._buf[self._i] = fn()
        if tok == Tok.BOUNDPARAM:
            key = lit[1:] if lit.startswith("$") else lit
            if key and key in self.params:
                tok, lit = self.params[key]
        return tok, pos, lit

    def _curr(self) -> Token:
        return self._buf[(self._i - self._n) % 3]

    def scan(self) -> Token:
        return self._scan_with(self.scanner.scan)

    def scan_regex(self) -> Token:
        return self._scan_with(self.scanner.scan_regex)

    def unscan(self) -> None:
        self._n += 1

    def scan_ws(self) -> Token:
        """The next token that is neither whitespace nor a comment."""
        while True:
            tok, pos, lit = self.scan()
            if tok not in (Tok.WS, Tok.COMMENT):
                return tok, pos, lit

    def consume_whitespace(self) -> None:
        if self.scan()[0] != Tok.WS:
            self.unscan()

    def peek_rune(self) -> str:
        """The next character of the text, past any unscanned tokens (as 1.x peeks)."""
        r = self.scanner.r
        ch, ok = r.read_rune()
        if ok:
            r.unread()
        return ch


__all__ = ["Tok", "tokstr"]
