"""How 1.x types a subquery's columns for its parent, and which it leaves without a type.

1.x types a parent's name through each subquery in FROM: the first of the subquery's fields of
that name (its alias, or the name 1.x gives it), typed over the subquery's own sources as any
field expression is (`typecheck.expr_type`); a name among the subquery's GROUP BY tags is a
tag. A field the subquery's sources do not know (`nosuch AS v`), and a call typed by such an
argument (`max(nosuch) AS v`), have no type: the parent's calls of that column are untyped, and
no fill() reaches them, as with a field no measurement holds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from translators.lineprotocol import FieldType

from . import ast, paging
from .errors import QueryError
from .iterators import answer_types
from .regex import matcher
from .rewrite import plan_select
from .schema import StaticSchema
from .select_list import UNREAD, field_name, parent_columns, strip_parens
from .select_plan import SelectPlan, Source
from .sqlnames import VIRTUAL_DB
from .subquery_range import parent_condition
from .subquery_rows import Virtual
from .subquery_rows import schema as schema_of
from .typecheck import Types, expr_type

if TYPE_CHECKING:
    from .engine import Runner

#: Resolves a statement's measurement sources (`rewrite.resolve_sources` for one database).
Resolve = Callable[[tuple[ast.Source, ...]], list[Source]]


def untyped_columns(subqueries: list[ast.SelectStatement], names: Iterable[str],
                    resolve: Resolve) -> set[str]:
    """Of `names` (the columns the subqueries answer), those no subquery types: 1.x types a
    name by every source of the parent, so one subquery that types it is enough."""
    return {name for name in names
            if not any(_type_of(name, statement, resolve) for statement in subqueries)}


def tag_columns_typed(subqueries: list[ast.SelectStatement], names: Iterable[str],
                      resolve: Resolve) -> set[str]:
    """Of `names`, those a subquery types as a tag: `nosuch::tag AS v`, or an untyped field
    named like one of its GROUP BY tags (`nosuch AS v ... GROUP BY v`); 1.x's calls read
    them as text (`max(v)` fails)."""
    return {name for name in names
            if any(_type_of(name, statement, resolve) == "tag" for statement in subqueries)}


def _type_of(name: str, statement: ast.SelectStatement, resolve: Resolve) -> str | None:
    """1.x's type of the parent's `name` through the subquery `statement` (None: none)."""
    expr = _field_expr(statement, name)
    if expr is not None:
        try:
            found = expr_type(expr, _SourceTypes(statement.sources, resolve))
        except QueryError:
            return "error"  # the statement's own type error is answered elsewhere
        if found is not None:
            return found
    grouped = {d.expr.name for d in statement.dimensions if isinstance(d.expr, ast.VarRef)}
    return "tag" if name in grouped else None


def _field_expr(statement: ast.SelectStatement, name: str) -> ast.Expr | None:
    """The expression 1.x reads `name` from (`FieldExprByName`): the first field of that
    name, or a tag argument of top()/bottom(); a wildcard or regex stands for the name itself,
    read from the statement's sources. A call over a wildcard names its columns otherwise:
    none of them is reported untyped."""
    expanding = False
    for item in statement.fields:
        expr = strip_parens(item.expr)
        if isinstance(expr, ast.Wildcard):
            return ast.VarRef(name)
        if isinstance(expr, ast.RegexLiteral):
            if matcher(expr.pattern).search(name):
                return ast.VarRef(name)
            continue
        if isinstance(expr, ast.Call) and any(
                isinstance(strip_parens(a), ast.Wildcard | ast.RegexLiteral)
                for call in ast.calls(expr) if isinstance(call, ast.Call) for a in call.args):
            expanding = True  # its columns are the known fields it expands to
            continue
        if (item.alias or field_name(expr)) == name:
            return expr
        if isinstance(expr, ast.Call) and expr.name in ("top", "bottom"):
            for arg in map(strip_parens, expr.args[1:-1]):
                if isinstance(arg, ast.VarRef) and arg.name == name:
                    return arg
    return ast.NumberLiteral(0.0) if expanding else None


class _SourceTypes(Types):
    """The types of names over a statement's sources, its subqueries' columns among them."""

    def __init__(self, sources: tuple[ast.Source, ...], resolve: Resolve) -> None:
        super().__init__(resolve(tuple(s for s in sources if not isinstance(s, ast.SubQuery))))
        self.subqueries = [s.statement for s in sources if isinstance(s, ast.SubQuery)]
        self.resolve = resolve

    def of(self, ref: ast.VarRef) -> str | None:
        found = super().of(ref)
        if found is None and ref.type in (None, ast.DataType.FIELD):
            found = next((kind for statement in self.subqueries
                          if (kind := _type_of(ref.name, statement, self.resolve))), None)
        return found


# -- the columns typed by the subquery's plan ---------------------------------------------------


# Per measurement of a subquery, its columns with the type its statement gives each.
ColumnTypes = list[tuple[str, list[tuple[str, FieldType | None]]]]


def column_types(plan: SelectPlan | None, now: int, run: Runner,
                 mapped: tuple[int, int]) -> ColumnTypes:
    """The subquery's columns typed as its statement types them, per measurement: 1.x types
    them before it reads a point, so a parent's `mean(a)` of text fails even when the subquery
    answers nothing (a measurement without series is a virtual one without rows). It types
    them by the shard groups it maps (`mapped`, the outermost statement's range): none of the
    measurement's, no type. Without a stored plan (`subquery._stored_plan`), the columns are
    typed by the values the subquery answers."""
    if plan is None:
        return []
    out: ColumnTypes = []
    for source in plan.sources:
        # 1.x types by the shard groups it maps for the outermost statement's range
        typed = paging.holds_series(plan, source, now, run, tagged=False, mapped=mapped)
        out.append((source.schema.name, [
            (column, ftype if typed else None)
            for column, ftype in zip(parent_columns(plan.read_names),
                                     answer_types(plan, source.schema), strict=True)
            if not column.startswith(UNREAD)]))
    return out


def add_types(virtual: dict[str, Virtual], types: ColumnTypes) -> None:
    for name, columns in types:
        rows = virtual.setdefault(name, Virtual())
        for column, ftype in columns:
            if column not in rows.fields:
                rows.fields.append(column)
            if ftype is not None:
                rows.typed.setdefault(column, ftype)


def check_parent_types(statement: ast.SelectStatement, types: list[ColumnTypes],
                       now: int, untyped: Callable[[dict[str, Virtual]], None]) -> None:
    """1.x type-checks the parent against the columns its subqueries' statements type before
    it builds an iterator: the parent's type error (`a::string * a::string`) wins over a
    subquery function's refusal of its input (`unsupported percentile iterator type`)."""
    virtual: dict[str, Virtual] = {}
    for inner_types in types:
        add_types(virtual, inner_types)
    untyped(virtual)
    schemas = {name: schema_of(name, rows) for name, rows in virtual.items()}
    outer = dataclasses.replace(
        statement, sources=tuple(ast.Measurement(n, database=VIRTUAL_DB) for n in schemas),
        condition=parent_condition(statement, now), slimit=0, soffset=0)
    rows = StaticSchema({VIRTUAL_DB: schemas})
    # aggregates beside transformations are planned half by half, their calls' wildcards
    # expanded over the rows' columns (`count(*), difference(*)`), as `engine.select` runs them
    from .engine import beside_halves  # engine imports this module lazily

    halves = beside_halves(outer, VIRTUAL_DB, rows)
    parts = [outer] if halves is None else [
        dataclasses.replace(outer, fields=tuple(ast.Field(e) for e in half))
        for half in (halves.aggregates, halves.transforms)]
    for part in parts:
        plan = plan_select(part, VIRTUAL_DB, rows, now)
        if plan is not None and plan.type_error is not None:
            raise QueryError(plan.type_error)
