"""holt_winters() and holt_winters_with_fit(): 1.x's forecast over a GROUP BY time series.

Not yet implemented: both answer a clear error until they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import ast
from .rewrite import QueryError

NAMES = frozenset({"holt_winters", "holt_winters_with_fit"})

Point = tuple[int, Any]


def validate(call: ast.Call, interval: int | None) -> None:
    """Raise QueryError with 1.x's words when the call's arguments are wrong."""


def compute(name: str, points: Sequence[Point], params: tuple[Any, ...],
            interval: int | None) -> list[Point]:
    """Forecast (and with _with_fit, the fitted values) for one series' bucket values."""
    raise QueryError(f"{name}() is not supported yet by influx-gateway")
