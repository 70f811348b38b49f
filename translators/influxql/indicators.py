"""InfluxQL's technical-analysis transformations, computed as 1.x computes them.

Not yet implemented: every name here answers a clear error until it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import ast
from .rewrite import QueryError

NAMES = frozenset({
    "chande_momentum_oscillator", "exponential_moving_average",
    "double_exponential_moving_average", "kaufmans_efficiency_ratio",
    "kaufmans_adaptive_moving_average", "triple_exponential_moving_average",
    "triple_exponential_derivative", "relative_strength_index",
})

Point = tuple[int, Any]


def validate(call: ast.Call, interval: int | None) -> None:
    """Raise QueryError with 1.x's words when the call's arguments are wrong."""


def compute(name: str, points: Sequence[Point], params: tuple[Any, ...]) -> list[Point]:
    """The transformation of one series' (time, value) rows, in time order."""
    raise QueryError(f"{name}() is not supported yet by influx-gateway")
