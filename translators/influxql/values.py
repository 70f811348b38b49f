"""Typing columns of answered values (a subquery's rows, SELECT INTO's points): one field type
per column from the Python values, and each value made to fit it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

from translators.lineprotocol import FieldType

_TYPES: dict[type, FieldType] = {
    bool: FieldType.BOOLEAN, int: FieldType.INTEGER, float: FieldType.FLOAT,
    str: FieldType.STRING,
}


def column_type(values: Iterable[Any]) -> FieldType | None:
    """Integers read as floats when floats share the column, anything else mixed as strings;
    None for a column of nulls."""
    return type_of(value_types(values))


def value_types(values: Iterable[Any]) -> set[FieldType]:
    """The field types a column's Python values hold (`column_type` chooses among them)."""
    return {_TYPES.get(type(v), FieldType.STRING) for v in values if v is not None}


def array_types(values: pa.Array) -> set[FieldType]:
    """`value_types` of an Arrow column, from its type where that says it."""
    if values.null_count == len(values):
        return set()
    kind = values.type
    for test, ftype in ((pa.types.is_boolean, FieldType.BOOLEAN),
                        (pa.types.is_integer, FieldType.INTEGER),
                        (pa.types.is_floating, FieldType.FLOAT),
                        (pa.types.is_string, FieldType.STRING)):
        if test(kind):
            return {ftype}
    return value_types(values.to_pylist())


def type_of(found: set[FieldType]) -> FieldType | None:
    """The one type of a column holding values of the types `found` (`column_type`)."""
    found = set(found)
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
