"""Bound parameters: request `params` values to the tokens 1.x substitutes for `$name`.

1.6.7 binds at scan time: a `$name` token becomes the token its value stands for (a string
becomes a STRING, `{"identifier": "cpu"}` an IDENT...), so a parameter can stand wherever
that token may. A value that cannot be bound stays a BOUNDPARAM carrying 1.x's message,
reported only if the parser reaches it (as `missing parameter: <message>`, 1.x's wording).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .durations import INT64_MAX, format_duration
from .lexer import BoundValue, Tok


def bind_params(params: Mapping[str, object] | None) -> dict[str, BoundValue]:
    return {name: bind_value(value) for name, value in (params or {}).items()}


def _error(message: str) -> BoundValue:
    return Tok.BOUNDPARAM, message


def _int64(value: int) -> BoundValue | None:
    if -INT64_MAX - 1 <= value <= INT64_MAX:
        return None
    return _error(f'strconv.ParseInt: parsing "{value}": value out of range')


def format_float(value: float) -> str:
    """Go's strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    return format(Decimal(repr(value)).normalize(), "f")


def bind_value(value: object) -> BoundValue:
    """1.x's influxql.BindValue for a JSON-decoded value."""
    if isinstance(value, bool):
        return (Tok.TRUE if value else Tok.FALSE), ""
    if isinstance(value, int):
        return _int64(value) or (Tok.INTEGER, str(value))
    if isinstance(value, float):
        return Tok.NUMBER, format_float(value)
    if isinstance(value, str):
        return Tok.STRING, value
    if isinstance(value, Mapping):
        return _bind_object(value)
    return _error(f"unable to bind parameter with type {_go_type(value)}")


def _go_type(value: object) -> str:
    if value is None:
        return "<nil>"
    if isinstance(value, list | tuple):
        return "[]interface {}"
    return type(value).__name__


def _bind_object(obj: Mapping[object, object]) -> BoundValue:
    if len(obj) != 1:
        return _error("bound object parameter value must have exactly one entry")
    ((kind, value),) = obj.items()
    if isinstance(value, int) and not isinstance(value, bool):
        bad = _int64(value)
        if bad:
            return bad
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if kind in ("ident", "identifier"):
        return (Tok.IDENT, value) if isinstance(value, str) else \
            _error("identifier must be a string value")
    if kind == "regex":
        return (Tok.REGEX, value) if isinstance(value, str) else \
            _error("regex literal must be a string value")
    if kind == "string":
        return (Tok.STRING, value) if isinstance(value, str) else \
            _error("string literal must be a string value")
    if kind in ("float", "number"):
        if is_int or isinstance(value, float):
            return Tok.NUMBER, format_float(float(value))  # type: ignore[arg-type]
        return _error("number literal must be a float value")
    if kind in ("int", "integer"):
        return (Tok.INTEGER, str(value)) if is_int else \
            _error("integer literal must be an integer value")
    if kind == "duration":
        if isinstance(value, str):
            return Tok.DURATIONVAL, value
        if is_int:
            return Tok.DURATIONVAL, format_duration(value)  # type: ignore[arg-type]
        return _error("duration literal must be a string or integer value")
    return _error(f"unknown bind object type: {kind}")
