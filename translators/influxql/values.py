"""Typing columns of answered values (a subquery's rows, SELECT INTO's points): one field type
per column from the Python values, and each value made to fit it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from translators.lineprotocol import FieldType

_TYPES: dict[type, FieldType] = {
    bool: FieldType.BOOLEAN, int: FieldType.INTEGER, float: FieldType.FLOAT,
    str: FieldType.STRING,
}


def column_type(values: Iterable[Any]) -> FieldType | None:
    """Integers read as floats when floats share the column, anything else mixed as strings;
    None for a column of nulls."""
    found = {_TYPES.get(type(v), FieldType.STRING) for v in values if v is not None}
    if len(found) == 1:
        return found.pop()
    if found == {FieldType.INTEGER, FieldType.FLOAT}:
        return FieldType.FLOAT
    return FieldType.STRING if found else None


def coerce(value: Any, ftype: FieldType) -> Any:
    """The value as the column's type (booleans written as Go writes them, `true`)."""
    if value is None:
        return None
    if ftype is FieldType.FLOAT:
        return float(value)
    if ftype is FieldType.STRING and not isinstance(value, str):
        return str(value).lower() if isinstance(value, bool) else str(value)
    return value
