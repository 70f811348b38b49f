"""to_char (and its alias date_format) with DataFusion's chrono strftime formats, in DuckDB.

sqlglot reads to_char's format as a PostgreSQL pattern (`%Y-%m-%d` became `2023-11-%u`);
DataFusion formats with chrono. The format is kept as written and rendered here: specifiers
DuckDB's strftime prints alike go to strftime, the rest (fractions to the nanosecond, offsets,
epoch seconds, unpadded numbers, which DuckDB prints otherwise) are built as SQL, and any other
specifier is a 400 that names it.
"""

from __future__ import annotations

from sqlglot import exp

from .datafusion import Unsupported
from .gapfill_limit import GUARD
from .intervals import epoch_nanos

#: marks a TimeToStr built from to_char/date_format, whose format is chrono's, as written
CHRONO = "chrono_format"
_NS = 1_000_000_000
# chrono specifiers DuckDB's strftime prints the same way, and chrono's shorthands
_SAME = frozenset("YmdHMSjaAbByIpwUW")
_SHORTHANDS = {"h": "%b", "F": "%Y-%m-%d", "T": "%H:%M:%S", "R": "%H:%M", "D": "%m/%d/%y",
               "x": "%m/%d/%y", "X": "%H:%M:%S"}
_UNPADDED = {"d": "day", "m": "month", "H": "hour", "M": "minute", "S": "second",
             "j": "dayofyear"}
_FRACTIONS = {".3f": (3, True), ".6f": (6, True), ".9f": (9, True), "3f": (3, False),
              "6f": (6, False), "9f": (9, False), "f": (9, False)}


def build_to_char(args: list[exp.Expression]) -> exp.Expression:
    """The parser's builder for to_char(value, format) and date_format(value, format)."""
    if len(args) != 2:
        return exp.Anonymous(this="to_char", expressions=args)  # refused as unsupported
    node = exp.TimeToStr(this=args[0], format=args[1])
    node.meta[CHRONO] = True
    return node


def _call(name: str, *args: exp.Expression) -> exp.Expression:
    node = exp.Anonymous(this=name, expressions=list(args))
    node.meta[GUARD] = True  # built here, not asked for: let through the function check
    return node


def _text(value: exp.Expression) -> exp.Expression:
    return exp.Cast(this=value, to=exp.DataType.build("VARCHAR"))


def _digits(value: exp.Expression, width: int) -> exp.Expression:
    return _call("printf", exp.Literal.string(f"%0{width}d"), value)


def _join(parts: list[exp.Expression]) -> exp.Expression:
    result = parts[0] if parts else exp.Literal.string("")
    for part in parts[1:]:
        result = exp.DPipe(this=result, expression=part)  # null in, null out, as DataFusion
    return result


class _Renderer:
    def __init__(self, value: exp.Expression, instant: exp.Expression, zone: str | None):
        self.value, self.instant, self.zone = value, instant, zone

    def nanos(self) -> exp.Expression:
        """The nanoseconds within the second, 0 to 999,999,999, before the epoch too."""
        size = exp.Literal.number(_NS)
        epoch = epoch_nanos(self.value.copy())
        return exp.paren(exp.Mod(this=exp.paren(exp.Add(this=exp.paren(exp.Mod(
            this=epoch, expression=size)), expression=size.copy())), expression=size.copy()))

    def fraction(self, digits: int, dot: bool) -> exp.Expression:
        scaled = exp.IntDiv(this=self.nanos(), expression=exp.Literal.number(10 ** (9 - digits)))
        text = _digits(scaled, digits)
        return exp.DPipe(this=exp.Literal.string("."), expression=text) if dot else text

    def auto_fraction(self) -> exp.Expression:
        """chrono's %.f: nothing for a whole second, else 3, 6 or 9 digits as needed."""
        def divides(unit: int) -> exp.Expression:
            return exp.EQ(this=exp.Mod(this=self.nanos(), expression=exp.Literal.number(unit)),
                          expression=exp.Literal.number(0))
        return exp.Case(ifs=[
            exp.If(this=divides(_NS), true=exp.Literal.string("")),
            exp.If(this=divides(1_000_000), true=self.fraction(3, True)),
            exp.If(this=divides(1_000), true=self.fraction(6, True))],
            default=self.fraction(9, True))

    def offset(self, spec: str) -> exp.Expression:
        if self.zone is None:  # chrono cannot print an offset of a time without a zone
            raise Unsupported(f"to_char: %{spec} needs a value with a time zone")
        minutes = exp.IntDiv(this=exp.paren(exp.Sub(
            this=epoch_nanos(self.value.copy()),
            expression=epoch_nanos(self.instant.copy()))),
            expression=exp.Literal.number(60 * _NS))
        size = exp.Abs(this=minutes.copy())
        sign = exp.Case(ifs=[exp.If(this=exp.LT(this=minutes, expression=exp.Literal.number(0)),
                                    true=exp.Literal.string("-"))],
                        default=exp.Literal.string("+"))
        hours = _digits(exp.IntDiv(this=size, expression=exp.Literal.number(60)), 2)
        rest = _digits(exp.Mod(this=size.copy(), expression=exp.Literal.number(60)), 2)
        # arrow prints a zone (%Z) as its offset, +HH:MM
        colon = [exp.Literal.string(":")] if spec != "z" else []
        return _join([sign, hours, *colon, rest])

    def seconds(self) -> exp.Expression:
        whole = exp.Sub(this=epoch_nanos(self.instant.copy()), expression=self.nanos())
        return _text(exp.IntDiv(this=exp.paren(whole), expression=exp.Literal.number(_NS)))

    def special(self, spec: str) -> exp.Expression | None:
        if spec in _FRACTIONS:
            return self.fraction(*_FRACTIONS[spec])
        if spec == ".f":
            return self.auto_fraction()
        if spec in ("z", ":z", "Z"):
            return self.offset(spec)
        if spec == "s":
            return self.seconds()
        if spec == "e":
            return _call("lpad", _text(_call("day", self.value.copy())), exp.Literal.number(2),
                         exp.Literal.string(" "))
        if spec == "u":
            return _text(_call("isodow", self.value.copy()))
        if spec.startswith("-") and spec[1:] in _UNPADDED:
            return _text(_call(_UNPADDED[spec[1:]], self.value.copy()))
        return None


def _specifiers(text: str) -> list[tuple[bool, str]]:
    """`text` split into (is a specifier, text) pieces; raises Unsupported at a lone `%`."""
    pieces: list[tuple[bool, str]] = []
    pos = 0
    while pos < len(text):
        cut = text.find("%", pos)
        if cut < 0:
            pieces.append((False, text[pos:]))
            break
        if cut > pos:
            pieces.append((False, text[pos:cut]))
        for size in (3, 2, 1):  # %.3f, %:z, %-d, then single letters
            spec = text[cut + 1:cut + 1 + size]
            if len(spec) == size and (size == 1 or spec in _FRACTIONS or spec in (
                    ".f", ":z") or (spec[0] == "-" and spec[1:] in _UNPADDED)):
                break
        else:
            raise Unsupported("to_char: the format ends with a lone '%'")
        pieces.append((True, spec))
        pos = cut + 1 + len(spec)
    return pieces


def render_to_char(node: exp.TimeToStr) -> exp.Expression:
    """to_char(value, format) with chrono's format as DuckDB SQL (raises Unsupported).

    A zoned value arrives as its local time, with meta `zone` and `instant` (zones.py)."""
    form = node.args.get("format")
    if not isinstance(form, exp.Literal) or not form.is_string:
        raise Unsupported("to_char: the format must be a string literal on the native store")
    value = node.this
    if value.is_string:
        value = exp.Cast(this=value, to=exp.DataType(this=exp.DataType.Type.TIMESTAMP_NS))
    renderer = _Renderer(value, node.meta.get("instant", value), node.meta.get("zone"))
    parts: list[exp.Expression] = []
    pattern, plain = "", ""  # DuckDB's strftime pattern, and the same text if it has no field

    def add(text: str, field: str | None = None) -> None:
        nonlocal pattern, plain
        pattern += text.replace("%", "%%") if field is None else field
        plain = None if field is not None or plain is None else plain + text

    def flush() -> None:
        nonlocal pattern, plain
        if pattern:
            parts.append(exp.Literal.string(plain) if plain is not None else
                         _call("strftime", value.copy(), exp.Literal.string(pattern)))
        pattern, plain = "", ""

    for is_spec, text in _specifiers(form.name):
        if not is_spec:
            add(text)
        elif text in ("%", "t", "n"):
            add({"%": "%", "t": "\t", "n": "\n"}[text])
        elif text in _SAME:
            add("", "%" + text)
        elif text in _SHORTHANDS:
            add("", _SHORTHANDS[text])
        else:
            special = renderer.special(text)
            if special is None:
                raise Unsupported(f"to_char: the format specifier '%{text}' is not supported "
                                  "on the native store")
            flush()
            parts.append(special)
    flush()
    return _join(parts)
