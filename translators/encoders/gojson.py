"""Go's text for single values of 1.6.7's answers: float64 numbers and JSON strings.

1.6.7 is built with Go 1.19: strconv writes a float's shortest digits without an exponent, and
encoding/json writes floats as ES6 does (an exponent below 1e-6 and from 1e21) and escapes
`<`, `>`, `&`, U+2028 and U+2029, and backspace and form feed as `\\u0008` and `\\u000c`.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal

_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
               "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SHORT_ESCAPE = re.compile(r"\\([\\bf])")
_LONG_ESCAPES = {"\\": "\\\\", "b": "\\u0008", "f": "\\u000c"}


def go_float_text(value: float) -> str:
    """strconv.FormatFloat(value, 'f', -1, 64): shortest digits, never an exponent."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    text = repr(value)
    if "e" in text:
        return format(Decimal(text), "f")
    return text[:-2] if text.endswith(".0") else text


def go_json_float_text(value: float) -> str:
    """Go's encoding/json float64: 'f' form within [1e-6, 1e21), else 'e' with a short exponent."""
    magnitude = abs(value)
    if magnitude < 1e21 and (magnitude >= 1e-6 or magnitude == 0):
        return go_float_text(value)
    mantissa, _, exponent = repr(value).partition("e")
    sign, digits = exponent[0], exponent[1:].lstrip("0")
    return f"{mantissa}e{sign}{digits:0>2}" if sign == "+" else f"{mantissa}e-{digits}"


def _unescape_short(match: re.Match[str]) -> str:
    return _LONG_ESCAPES[match.group(1)]


def go_escapes(text: str) -> str:
    """JSON text from Python's `json` (ensure_ascii off) with Go's escapes instead."""
    if "\\b" in text or "\\f" in text:
        text = _SHORT_ESCAPE.sub(_unescape_short, text)
    for char, escape in _GO_ESCAPES.items():
        if char in text:
            text = text.replace(char, escape)
    return text


def go_json_string(value: str) -> str:
    """One string as encoding/json writes it, quotes included."""
    return go_escapes(json.dumps(value, ensure_ascii=False))
