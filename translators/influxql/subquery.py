"""SELECT ... FROM (SELECT ...): the outer statement evaluated over the inner one's series.

Not yet implemented: subqueries answer a clear error until they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import ast
from .results import Series
from .rewrite import QueryError
from .schema import SchemaProvider

if TYPE_CHECKING:
    from .engine import Limits, Runner


def select_from_subqueries(statement: ast.SelectStatement, database: str | None,
                           schema: SchemaProvider, run: Runner, now: int,
                           limits: Limits) -> list[Series]:
    raise QueryError("subqueries are not supported yet by influx-gateway")
