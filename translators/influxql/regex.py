"""Checks a regex literal the way Go's regexp/syntax parser does, for 1.x's error texts.

1.x compiles every `/regex/` while parsing and reports Go's error (`error parsing regexp:
missing closing ): `(``). This module walks the pattern with the same rules (Perl flags, as
regexp.Compile sets them) and returns that text, or None for a pattern Go accepts. It checks
syntax only; `matcher` builds the matcher, with RE2, whose syntax is Go's (Python's `re` has
no `\\p{Greek}` or `[[:alpha:]]` and reads some escapes otherwise). Unicode script names in
`\\p{...}` are not checked here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, SupportsIndex

import re2

from .errors import QueryError

_CATEGORIES = {
    "Any", "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me",
    "Mn", "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc",
    "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
}
_POSIX = {
    "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct",
    "space", "upper", "word", "xdigit",
}
_MAX_RUNE = 0x10FFFF
_OPEN, _BAR, _ATOM = "(", "|", "atom"


class _Rest:
    """The rest of a pattern from `pos` on, read as a str: `rest[k:]` moves the start without
    copying (a walk that sliced the str was quadratic: a 3 MB pattern took minutes). Other
    slices and str() copy out a str."""

    __slots__ = ("text", "pos")

    def __init__(self, text: str, pos: int = 0) -> None:
        self.text, self.pos = text, min(pos, len(text))

    def __len__(self) -> int:
        return len(self.text) - self.pos

    def __str__(self) -> str:
        return self.text[self.pos:]

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, int):
            if not 0 <= key < len(self):
                raise IndexError(key)
            return self.text[self.pos + key]
        start = 0 if key.start is None else key.start
        if key.stop is None:
            return _Rest(self.text, self.pos + start)
        return self.text[self.pos + start:self.pos + key.stop]

    def startswith(self, prefix: str) -> bool:
        return self.text.startswith(prefix, self.pos)

    def find(self, sub: str, start: int = 0) -> int:
        found = self.text.find(sub, self.pos + start)
        return found - self.pos if found >= 0 else -1


class _Stack(list[str]):
    """The parser's stack, with adjacent atoms kept as one (only the top one matters) and a
    count of open groups, so that neither a long run of atoms nor `_OPEN in stack` at each
    `)` makes the walk quadratic."""

    opens = 0

    def append(self, item: str) -> None:
        if item == _ATOM and self and self[-1] == _ATOM:
            return
        if item == _OPEN:
            self.opens += 1
        super().append(item)

    def pop(self, index: SupportsIndex = -1) -> str:
        item = super().pop(index)
        if item == _OPEN:
            self.opens -= 1
        return item

    def __contains__(self, item: object) -> bool:
        return self.opens > 0 if item == _OPEN else super().__contains__(item)


class _RegexSyntaxError(Exception):
    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"error parsing regexp: {code}: `{expr}`")


def regex_error(pattern: str) -> str | None:
    """Go's `regexp.Compile(pattern)` error text, or None if Go accepts the pattern."""
    try:
        _check(pattern)
    except _RegexSyntaxError as exc:
        return str(exc)
    return None


@lru_cache(maxsize=512)
def matcher(pattern: str) -> re2._Regexp:
    """A `/regex/` compiled as Go compiles it, to match names (measurements, fields, tag keys
    and values) in Python; in SQL, DuckDB's regexp functions are RE2 too. A pattern Go would
    accept and RE2 refuses (none known) is the statement's error, never a failed request."""
    try:
        return re2.compile(pattern)
    except re2.error as exc:
        raise QueryError(f"error parsing regexp: {exc}: `{pattern}`") from None


def _check(whole: str) -> None:  # noqa: C901 - mirrors the cases of Go's parser loop
    stack = _Stack()
    t: Any = _Rest(whole)
    last_repeat = ""
    while t:
        repeat = ""
        c = t[0]
        if c == "(":
            if len(t) >= 2 and t[1] == "?":
                t = _perl_flags(t, stack)
            else:
                stack.append(_OPEN)
                t = t[1:]
        elif c == "|":
            stack.append(_BAR)
            t = t[1:]
        elif c == ")":
            if _OPEN not in stack:
                raise _RegexSyntaxError("unexpected )", whole)
            while stack.pop() != _OPEN:
                pass
            stack.append(_ATOM)
            t = t[1:]
        elif c in "*+?":
            before = t
            t = _repeat(t[1:], before, last_repeat, stack)
            repeat = before
        elif c == "{":
            before = t
            parsed = _parse_repeat(t)
            if parsed is None:
                stack.append(_ATOM)  # not a repeat: a literal `{`
                t = t[1:]
            else:
                low, high, after = parsed
                if low < 0 or low > 1000 or high > 1000 or (high >= 0 and low > high):
                    raise _RegexSyntaxError("invalid repeat count",
                                            before[:len(before) - len(after)])
                t = _repeat(after, before, last_repeat, stack)
                repeat = before
        elif c == "[":
            t = _parse_class(t)
            stack.append(_ATOM)
        elif c == "\\":
            t = _top_escape(t, stack)
        else:
            stack.append(_ATOM)
            t = t[1:]
        last_repeat = repeat
    if _OPEN in stack:
        raise _RegexSyntaxError("missing closing )", whole)


def _repeat(after: str, before: str, last_repeat: str, stack: list[str]) -> str:
    if after.startswith("?"):
        after = after[1:]
    if last_repeat:
        raise _RegexSyntaxError("invalid nested repetition operator",
                                last_repeat[:len(last_repeat) - len(after)])
    if not stack or stack[-1] != _ATOM:
        raise _RegexSyntaxError("missing argument to repetition operator",
                                before[:len(before) - len(after)])
    return after


def _parse_repeat(s: str) -> tuple[int, int, str] | None:
    """`{n}`, `{n,}` or `{n,m}` at the start of s: (min, max, rest); max -1 is open."""
    s = s[1:]
    low, s = _parse_int(s)
    if low is None:
        return None
    if not s:
        return None
    if s[0] == ",":
        s = s[1:]
        if not s:
            return None
        if s[0] == "}":
            high = -1
        else:
            high, s = _parse_int(s)
            if high is None:
                return None
    else:
        high = low
    if not s or s[0] != "}":
        return None
    return low, high, s[1:]


def _parse_int(s: str) -> tuple[int | None, str]:
    if not s or not s[0].isascii() or not s[0].isdigit():
        return None, s
    if len(s) >= 2 and s[0] == "0" and s[1].isascii() and s[1].isdigit():
        return None, s  # Go refuses leading zeros
    i = 0
    while i < len(s) and s[i].isascii() and s[i].isdigit():
        i += 1
    value = int(s[:i])
    return (value if value <= 100_000_000 else -1), s[i:]


def _perl_flags(t: str, stack: list[str]) -> str:
    whole = t
    if len(t) > 4 and t[2] == "P" and t[3] == "<":
        end = t.find(">")
        if end < 0:
            raise _RegexSyntaxError("invalid named capture", whole)
        name = t[4:end]
        if not name or not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in name):
            raise _RegexSyntaxError("invalid named capture", t[:end + 1])
        stack.append(_OPEN)
        return t[end + 1:]
    t = t[2:]
    negated = False
    saw_flag = False
    while t:
        c, t = t[0], t[1:]
        if c in "imsU":
            saw_flag = True
        elif c == "-":
            if negated:
                break
            negated = True
            saw_flag = False
        elif c in ":)":
            if negated and not saw_flag:
                break
            if c == ":":
                stack.append(_OPEN)
            return t
        else:
            break
    raise _RegexSyntaxError("invalid or unsupported Perl syntax", whole[:len(whole) - len(t)])


def _top_escape(t: str, stack: list[str]) -> str:
    if len(t) >= 2:
        if t[1] in "AbBz":
            stack.append(_ATOM)
            return t[2:]
        if t[1] == "C":
            raise _RegexSyntaxError("invalid escape sequence", t[:2])
        if t[1] == "Q":
            end = t.find("\\E")
            literal, rest = (t[2:], "") if end < 0 else (t[2:end], t[end + 2:])
            if literal:
                stack.append(_ATOM)
            return rest
    stack.append(_ATOM)
    if len(t) >= 2 and t[1] in "pP":
        return _unicode_class(t)
    if len(t) >= 2 and t[1] in "dDsSwW":
        return t[2:]
    return _escape(t)[1]


def _unicode_class(s: str) -> str:
    rest = s[2:]
    if not rest:
        raise _RegexSyntaxError("invalid character class range", s)
    if rest[0] != "{":
        seq, name, rest = s[:3], s[2:3], rest[1:]
    else:
        end = s.find("}")
        if end < 0:
            raise _RegexSyntaxError("invalid character class range", s)
        seq, name, rest = s[:end + 1], s[3:end], s[end + 1:]
    if name.startswith("^"):
        name = name[1:]
    if name not in _CATEGORIES and not (name[:1].isupper() and name.isalpha()):
        raise _RegexSyntaxError("invalid character class range", seq)
    return rest


def _escape(s: str) -> tuple[int, str]:
    """One escape at the start of s (`\\n`, `\\x41`, `\\101`, `\\.`): (rune, rest)."""
    t = s[1:]
    if not t:
        raise _RegexSyntaxError("trailing backslash at end of expression", "")
    c, t = t[0], t[1:]
    if c.isascii() and not c.isalnum():
        return ord(c), t
    if c in "1234567" and t and "0" <= t[0] <= "7" or c == "0":
        value = int(c)
        for _ in range(2):
            if t and "0" <= t[0] <= "7":
                value, t = value * 8 + int(t[0]), t[1:]
        return value, t
    if c == "x" and t:
        c, t = t[0], t[1:]
        if c == "{":
            value, digits = 0, 0
            while t:
                c, t = t[0], t[1:]
                if c == "}":
                    if digits:
                        return value, t
                    break
                if c not in "0123456789abcdefABCDEF":
                    break
                value = value * 16 + int(c, 16)
                if value > _MAX_RUNE:
                    break
                digits += 1
        elif t and c in "0123456789abcdefABCDEF" and t[0] in "0123456789abcdefABCDEF":
            return int(c + t[0], 16), t[1:]
        elif t:
            t = t[1:]
    elif c in "afnrtv":
        return {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}[c], t
    raise _RegexSyntaxError("invalid escape sequence", s[:len(s) - len(t)])


def _parse_class(s: str) -> str:
    whole = s
    t = s[1:]
    if t.startswith("^"):
        t = t[1:]
    first = True
    while not t or t[0] != "]" or first:
        first = False
        if len(t) > 2 and t[0] == "[" and t[1] == ":":
            end = t.find(":]", 2)
            if end >= 0:
                name = t[:end + 2]
                if name[2:-2].removeprefix("^") not in _POSIX:
                    raise _RegexSyntaxError("invalid character class range", name)
                t = t[end + 2:]
                continue
        if len(t) >= 2 and t[0] == "\\" and t[1] in "pP":
            t = _unicode_class(t)
            continue
        if len(t) >= 2 and t[0] == "\\" and t[1] in "dDsSwW":
            t = t[2:]
            continue
        rng = t
        low, t = _class_char(t, whole)
        if len(t) >= 2 and t[0] == "-" and t[1] != "]":
            high, t = _class_char(t[1:], whole)
            if high < low:
                raise _RegexSyntaxError("invalid character class range", rng[:len(rng) - len(t)])
    return t[1:]


def _class_char(s: str, whole: str) -> tuple[int, str]:
    if not s:
        raise _RegexSyntaxError("missing closing ]", whole)
    if s[0] == "\\":
        return _escape(s)
    return ord(s[0]), s[1:]
