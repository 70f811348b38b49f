"""The SELECT list read against the schema: wildcards and regexes expanded into the fields
they match, and the column names 1.x gives the fields (its checks are `field_checks.py`'s).

Pure functions over the syntax tree and the resolved sources; `rewrite.py` calls them before
it builds each field's evaluation tree.
"""

from __future__ import annotations

from collections.abc import Sequence

from translators.lineprotocol import FieldType

from . import ast
from .functions import AGGREGATES, MATH, SELECTORS, TRANSFORMS
from .regex import matcher
from .select_plan import Source

# -- helpers -----------------------------------------------------------------------------------


def strip_parens(expr: ast.Expr) -> ast.Expr:
    while isinstance(expr, ast.ParenExpr):
        expr = expr.expr
    return expr


def has_aggregate(expr: ast.Expr) -> bool:
    match expr:
        case ast.Call(name, args):
            if name in AGGREGATES or name in SELECTORS:
                return True
            return any(has_aggregate(a) for a in args)
        case ast.Distinct():
            return True
        case ast.BinaryExpr(_, lhs, rhs):
            return has_aggregate(lhs) or has_aggregate(rhs)
        case ast.ParenExpr(inner):
            return has_aggregate(inner)
    return False


# -- wildcards ----------------------------------------------------------------------------------


def schema_union(sources: list[Source]) -> tuple[dict[str, FieldType], set[str]]:
    """Every source's fields (a name's first type wins) and tags."""
    fields: dict[str, FieldType] = {}
    tags: set[str] = set()
    for source in sources:
        for name, ftype in source.schema.fields.items():
            fields.setdefault(name, ftype)
        tags.update(source.schema.tags)
    return fields, tags


def expand_fields(statement: ast.SelectStatement, sources: list[Source]) -> list[ast.Field]:
    fields, tags = schema_union(sources)
    # only the statement's own GROUP BY: a tag a parent handed down stays among the columns
    grouped = {d.expr.name for d in statement.dimensions
               if isinstance(d.expr, ast.VarRef)} - set(statement.handed)
    # 1.x: GROUP BY * or any regex leaves no tag among a wildcard's columns (even a tag the
    # regex does not match)
    group_all = any(isinstance(d.expr, ast.Wildcard | ast.RegexLiteral)
                    for d in statement.dimensions)
    visible_tags = set() if group_all else tags - grouped
    # 1.x lists a subquery's tag beside a field of its name (host, host_1); a stored
    # measurement's wildcard lists the name once, as the field.
    shadowed = {t for s in sources for t in s.schema.tag_columns}
    out: list[ast.Field] = []
    for item in statement.fields:
        expr = strip_parens(item.expr)
        if isinstance(expr, ast.Wildcard):
            out.extend(ast.Field(ref) for ref in _wildcard_refs(expr.type, fields, visible_tags,
                                                                shadowed))
        elif isinstance(expr, ast.RegexLiteral):
            pattern = matcher(expr.pattern)
            refs = _wildcard_refs(None, fields, visible_tags, shadowed)
            out.extend(ast.Field(r) for r in refs if pattern.search(r.name))
        elif isinstance(expr, ast.Call) and wild_innermost(expr) is not None:
            skipped = {n for s in sources for n in s.schema.tag_fields}
            out.extend(_expand_call(expr, {n: t for n, t in fields.items() if n not in skipped},
                                    item.alias))
        else:
            out.append(item)
            if isinstance(expr, ast.Call) and expr.name in ("top", "bottom"):
                # top(x, tag..., N) answers the tags as columns after its own
                out.extend(ast.Field(ast.VarRef(a.name, ast.DataType.TAG))
                           for a in map(strip_parens, expr.args[1:-1])
                           if isinstance(a, ast.VarRef))
    return out


def _wildcard_refs(kind: ast.DataType | None, fields: dict[str, FieldType],
                   tags: set[str], shadowed: set[str]) -> list[ast.VarRef]:
    refs: list[ast.VarRef] = []
    if kind in (None, ast.DataType.FIELD):
        refs.extend(ast.VarRef(n, ast.DataType(fields[n].value)) for n in fields)
    if kind in (None, ast.DataType.TAG):
        refs.extend(ast.VarRef(n, ast.DataType.TAG) for n in tags
                    if n not in fields or n in shadowed)
    return sorted(refs, key=lambda r: r.name)


# elapsed() only reads times, so elapsed(*) covers string and boolean fields too
_NUMERIC_ONLY = (frozenset({
    "mean", "median", "spread", "stddev", "sum", "integral", "percentile", "top", "bottom",
}) | TRANSFORMS | MATH) - {"elapsed"}
# 1.x expands max(*)/min(*) over booleans too, but not over text
_NO_TEXT = frozenset({"max", "min"})


def wild_innermost(call: ast.Call) -> ast.Call | None:
    """The call whose first argument is a wildcard or regex, found as 1.x finds it: through
    the first argument of each call while that is a call (`abs(count(*))`, `derivative(
    mean(/u/))`, parentheses dropped as 1.x's reduce drops them; not `pow(2, count(*))`'s
    second argument)."""
    while call.args and isinstance(first := strip_parens(call.args[0]), ast.Call):
        call = first
    if call.args and isinstance(strip_parens(call.args[0]), ast.Wildcard | ast.RegexLiteral):
        return call
    return None


def _replace_innermost(call: ast.Call, ref: ast.VarRef) -> ast.Call:
    first = strip_parens(call.args[0])
    if isinstance(first, ast.Call):
        return ast.Call(call.name, (_replace_innermost(first, ref),) + call.args[1:])
    return ast.Call(call.name, (ref,) + call.args[1:])


def _expand_call(call: ast.Call, fields: dict[str, FieldType],
                 alias: str | None) -> list[ast.Field]:
    """One field per field the wildcard or regex matches, the whole expression around the
    call repeated (1.x names each `<outer name>_<field>`); the kinds kept are the innermost
    call's (`abs(count(*))` keeps text, `abs(*)` does not)."""
    inner = wild_innermost(call)
    assert inner is not None
    selector = strip_parens(inner.args[0])
    names = sorted(fields)
    if isinstance(selector, ast.RegexLiteral):
        pattern = matcher(selector.pattern)
        names = [n for n in names if pattern.search(n)]
    out = []
    for name in names:
        ftype = fields[name]
        if inner.name in _NUMERIC_ONLY and ftype not in (FieldType.FLOAT, FieldType.INTEGER,
                                                         FieldType.UNSIGNED):
            continue
        if inner.name in _NO_TEXT and ftype is FieldType.STRING:
            continue
        ref = ast.VarRef(name, ast.DataType(ftype.value))
        prefix = alias or call.name
        out.append(ast.Field(_replace_innermost(call, ref), f"{prefix}_{name}"))
    return out


# -- naming -------------------------------------------------------------------------------------


def field_name(expr: ast.Expr) -> str:
    """1.x's column name for an unaliased field: the call or variable, binary parts joined."""
    expr = strip_parens(expr)
    if isinstance(expr, ast.Call):
        return expr.name
    if isinstance(expr, ast.Distinct):
        return "distinct"
    if isinstance(expr, ast.VarRef):
        return expr.name
    if isinstance(expr, ast.BinaryExpr):
        parts = _binary_names(expr)
        return "_".join(parts)
    return ""


def _binary_names(expr: ast.Expr) -> list[str]:
    expr = strip_parens(expr)
    if isinstance(expr, ast.BinaryExpr):
        return _binary_names(expr.lhs) + _binary_names(expr.rhs)
    if isinstance(expr, ast.Call):
        return [expr.name]
    if isinstance(expr, ast.VarRef):
        return [expr.name]
    return []


#: The start of the name of a subquery's column its parent cannot read (`parent_columns`).
UNREAD = "\x00"


def parent_columns(names: Sequence[str]) -> list[str]:
    """A subquery's columns as its parent reads them: by alias or generated name, never
    suffixed; of several columns of one name the parent reads the first (1.x maps a name to
    the first field that has it), so the others are named `UNREAD...` and left out."""
    seen: set[str] = set()
    out = []
    for index, name in enumerate(names):
        out.append(name if name not in seen else f"{UNREAD}{index}")
        seen.add(name)
    return out


def column_names(fields: Sequence[tuple[str | None, str]]) -> list[str]:
    """1.x's column names from (alias, generated name) pairs: aliases are placed first, then
    each generated name already taken gets the first free `_1`, `_2`... suffix."""
    names = [alias or "" for alias, _ in fields]
    taken = {name: 1 for name in names if name}
    for index, (alias, generated) in enumerate(fields):
        if alias:
            continue
        name = generated
        count = taken.get(name)
        if count is not None:
            while f"{name}_{count}" in taken:
                count += 1
            taken[name] = count + 1
            name = f"{name}_{count}"
        taken[name] = taken.get(name, 0) + 1
        names[index] = name
    return names
