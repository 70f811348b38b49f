"""A parent over subqueries answered in parts, each part a statement of its own, then joined.

Two shapes split off before the parent runs over its subqueries' rows: transformations of
calls whose calls read the rows in batches (`subquery_transforms.py`), and math over calls
that 1.x windows apart (`subquery_calls.py`). Each part runs through the caller's
`select_from_subqueries`, handed in, since that one in turn tries these first.
"""

from __future__ import annotations

from typing import Protocol

from . import ast
from .results import Series
from .subquery_calls import calls_apart, evaluate_apart
from .subquery_transforms import evaluate_transforms, transforms_apart


class SelectPart(Protocol):
    """`select_from_subqueries` over one part, with the caller's database, runner and limits."""

    def __call__(self, statement: ast.SelectStatement, *, plain_transforms: bool = False,
                 seen_batches: list[bool] | None = None) -> list[Series]: ...


def select_apart(statement: ast.SelectStatement, select_part: SelectPart, now: int,
                 plain_transforms: bool, nested: bool) -> list[Series] | None:
    """The parent's series answered in parts, or None where it is answered in one piece.
    `plain_transforms`: its transformations of calls are computed as usual; `nested`: it is
    itself a subquery (its NaN stay)."""
    transforms = None if plain_transforms else transforms_apart(statement)
    if transforms is not None:
        # transformations of calls over batches: the calls, then the transformations; as
        # usual where the calls read no batches
        seen: list[bool] = []
        found = [select_part(one, seen_batches=seen) for one in transforms.statements]
        if any(seen):
            return evaluate_transforms(found, transforms, statement, now, nested=nested)
        return select_part(statement, plain_transforms=True)
    apart = calls_apart(statement)
    if apart is not None:  # math over calls windowed apart: the calls, then the math
        return evaluate_apart(select_part(apart.statement), apart, nested=nested)
    return None
