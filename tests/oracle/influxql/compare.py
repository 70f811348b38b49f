"""Compare two decoded answers and name the first place where they differ.

Objects compare by key (order ignored), lists element by element, numbers numerically: two
integers must be equal; if either side is a float the two must agree to a relative tolerance of
1e-9 (an absolute 1e-12 near zero), because InfluxDB's JSON writes a whole float as `12`, which
decodes as an int. Booleans are never numbers. Everything else compares with ==.
"""

from __future__ import annotations

import math
from typing import Any

RELATIVE = 1e-9
ABSOLUTE = 1e-12


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _numbers_differ(expected: int | float, actual: int | float) -> bool:
    if isinstance(expected, int) and isinstance(actual, int):
        return expected != actual
    if math.isnan(expected) or math.isnan(actual):
        return not (math.isnan(expected) and math.isnan(actual))
    return not math.isclose(expected, actual, rel_tol=RELATIVE, abs_tol=ABSOLUTE)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def first_difference(expected: Any, actual: Any, path: str = "") -> str | None:
    """`None` if the two agree, else `path: expected != actual` for the first difference.

    `expected` is InfluxDB's answer, `actual` the gateway's; paths look like
    `results[0].series[2].values[13][1]`.
    """
    where = path or "<root>"
    if _is_number(expected) and _is_number(actual):
        if _numbers_differ(expected, actual):
            return f"{where}: {_show(expected)} != {_show(actual)}"
        return None
    if isinstance(expected, dict) and isinstance(actual, dict):
        missing = [key for key in expected if key not in actual]
        if missing:
            return f"{where}: key {missing[0]!r} missing (expected {_show(expected[missing[0]])})"
        extra = [key for key in actual if key not in expected]
        if extra:
            return f"{where}: unexpected key {extra[0]!r} = {_show(actual[extra[0]])}"
        for key in expected:
            found = first_difference(expected[key], actual[key], f"{path}.{key}" if path else key)
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
            found = first_difference(left, right, f"{path}[{index}]")
            if found:
                return found
        if len(expected) != len(actual):
            return f"{where}: {len(expected)} items != {len(actual)} items"
        return None
    if type(expected) is not type(actual) or expected != actual:
        return f"{where}: {_show(expected)} != {_show(actual)}"
    return None
