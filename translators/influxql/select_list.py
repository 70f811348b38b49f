"""The SELECT list read against the schema: 1.x's checks on it, wildcards and regexes expanded
into the fields they match, and the column names 1.x gives the fields.

Pure functions over the syntax tree and the resolved sources; `rewrite.py` calls them before
it builds each field's evaluation tree. Errors are 1.x's, in its words.
"""

from __future__ import annotations

from collections.abc import Sequence

from translators.lineprotocol import FieldType

from . import ast, holtwinters, indicators
from .errors import QueryError
from .functions import AGGREGATES, MATH, PREDICTORS, SELECTORS, TRANSFORMS
from .regex import matcher
from .select_plan import Source
from .validate import ARITY, arity_error, check_call

# -- checks -------------------------------------------------------------------------------------


def _calls(expr: ast.Expr) -> list[str]:
    expr = strip_parens(expr)
    if isinstance(expr, ast.Call):
        if expr.name == "count" and len(expr.args) == 1 and _is_distinct(expr.args[0]):
            return ["count"]  # 1.x: count(distinct(x)) is one call, free to stand beside others
        return [expr.name, *(n for a in expr.args for n in _calls(a))]
    if isinstance(expr, ast.Distinct):
        return ["distinct"]
    if isinstance(expr, ast.BinaryExpr):
        return _calls(expr.lhs) + _calls(expr.rhs)
    return []


def written_calls(statement: ast.SelectStatement) -> int:
    """The function calls the SELECT list writes, math aside, each counted as often as it is
    written (1.x's compiler lists every one: `first(v) - first(v)` is two selectors)."""
    return sum(1 for f in statement.fields for name in _calls(f.expr) if name not in MATH)


def wild_calls(statement: ast.SelectStatement) -> bool:
    """Whether a call reads a wildcard or regex (`first(*)`), which 1.x's compiler takes for
    an aggregate even when the function is a selector."""
    return any(_wild_call(f.expr) for f in statement.fields)


def _wild_call(expr: ast.Expr) -> bool:
    expr = strip_parens(expr)
    if isinstance(expr, ast.Call):
        return any(isinstance(strip_parens(a), ast.Wildcard | ast.RegexLiteral)
                   or _wild_call(a) for a in expr.args)
    if isinstance(expr, ast.BinaryExpr):
        return _wild_call(expr.lhs) or _wild_call(expr.rhs)
    return False


def _is_distinct(expr: ast.Expr) -> bool:
    expr = strip_parens(expr)
    return isinstance(expr, ast.Distinct) or (isinstance(expr, ast.Call)
                                              and expr.name == "distinct")


def _variables(expr: ast.Expr) -> bool:
    expr = strip_parens(expr)
    if isinstance(expr, ast.VarRef | ast.Wildcard | ast.RegexLiteral | ast.Distinct):
        return True
    if isinstance(expr, ast.Call):
        # a call without arguments fails later on its argument count, as in 1.x
        return not expr.args or any(_variables(a) for a in expr.args)
    if isinstance(expr, ast.BinaryExpr):
        return _variables(expr.lhs) or _variables(expr.rhs)
    return False


_NUMBERS = (ast.NumberLiteral, ast.IntegerLiteral, ast.UnsignedLiteral, ast.DurationLiteral)
_OTHER_LITERALS = (ast.StringLiteral, ast.BooleanLiteral, ast.RegexLiteral, ast.NilLiteral,
                   ast.TimeLiteral)


def _reduced(expr: ast.Expr) -> str | None:
    """What 1.x's reduce, run on each field before it is compiled, makes of `expr`: a number
    (`"number"`), another literal (`"literal"`: math of a regex, text or a boolean is nil, so
    `abs(/u/)` has no variable left), or not a literal (None). Math with the wrong number of
    arguments is left for the compiler to refuse."""
    expr = strip_parens(expr)
    if isinstance(expr, _NUMBERS):
        return "number"
    if isinstance(expr, _OTHER_LITERALS):
        return "literal"
    if (isinstance(expr, ast.Call) and expr.name in MATH
            and arity_error(expr.name, len(expr.args)) is None):
        kinds = [_reduced(a) for a in expr.args]
        if all(kinds):
            return "number" if all(k == "number" for k in kinds) else "literal"
    if (isinstance(expr, ast.BinaryExpr)
            and _reduced(expr.lhs) == _reduced(expr.rhs) == "number"):
        return "number"
    return None


# Functions 1.x knows; any other name is `undefined function`. The plain ones read one field
# (its compileFunction and compileSymbol); the transformations with a fixed argument list also
# read a field, or under GROUP BY time a call.
_KNOWN = AGGREGATES | SELECTORS | TRANSFORMS | PREDICTORS | MATH
_PLAIN = frozenset({"count", "sum", "mean", "median", "mode", "stddev", "spread", "max", "min",
                    "first", "last", "percentile", "sample"})
_CHECKED_TRANSFORMS = TRANSFORMS & frozenset(ARITY)


def _compile_error(expr: ast.Expr, interval: bool, in_binary: bool = False) -> str | None:
    """The first of these errors 1.x's compiler meets walking a reduced field: two literals
    on a binary expression's sides (`abs(/u/) + 1`), an undefined function, argument counts
    and kinds (a literal where a field belongs, `mean(1)`, `cumulative_sum(abs(/u/))`: 1.x's
    reduce makes math of literals a literal), a distinct() of anything but a field
    (`distinct(*)`, `count(distinct(/u/))`: 1.x never expands its argument). 1.x compiles
    field after field, so the first field's error wins over a later one's (the
    technical-analysis functions and holt_winters() by their own modules' checks). top()'s
    and integral()'s arguments are checked as the rewrite builds them. `interval`: the
    statement groups by a time interval; `in_binary`: `expr` is inside math, where 1.x
    expands no wildcard (`count(*) + 1`)."""
    expr = strip_parens(expr)
    if isinstance(expr, ast.Wildcard) and in_binary:
        return "unable to use wildcard in a binary expression"
    if isinstance(expr, ast.BinaryExpr):
        lhs, rhs = _reduced(expr.lhs), _reduced(expr.rhs)
        if lhs and rhs:
            return None if lhs == rhs == "number" else (
                "cannot perform a binary expression on two literals")
        if lhs:
            return _compile_error(expr.rhs, interval, True)
        if rhs:
            return _compile_error(expr.lhs, interval, True)
        return (_compile_error(expr.lhs, interval, True)
                or _compile_error(expr.rhs, interval, True))
    if not isinstance(expr, ast.Call):
        return None
    if expr.name not in _KNOWN:
        return f"undefined function {expr.name}()"
    if expr.name == "distinct":
        if not expr.args:
            return "distinct function requires at least one argument"
        if len(expr.args) > 1:
            return "distinct function can only have one argument"
        if not isinstance(strip_parens(expr.args[0]), ast.VarRef):
            return "expected field argument in distinct()"
        return None
    if expr.name == "count" and expr.args and _is_distinct(expr.args[0]):
        wrong = arity_error(expr.name, len(expr.args))  # count's own count comes first
        return str(wrong) if wrong is not None else _compile_error(expr.args[0], interval,
                                                                   in_binary)
    if expr.name in MATH:
        wrong = arity_error(expr.name, len(expr.args))
        if wrong is not None:
            return str(wrong)  # checked before the arguments (`sin(1.3, 2)`)
        for arg in expr.args:
            found = None if _reduced(arg) else _compile_error(arg, interval, in_binary)
            if found:
                return found
        return None
    if expr.name in _PLAIN or expr.name in _CHECKED_TRANSFORMS:
        return _call_error(expr, interval, in_binary)
    hooks = {**dict.fromkeys(indicators.NAMES, indicators.validate),
             **dict.fromkeys(holtwinters.NAMES, holtwinters.validate)}
    if expr.name in hooks:  # their own modules check their arguments in 1.x's order
        try:
            hooks[expr.name](expr, 0 if interval else None)
        except QueryError as exc:
            return str(exc)
        first = strip_parens(expr.args[0])
        return _compile_error(first, interval, in_binary) if isinstance(first, ast.Call) \
            else None
    return None


def _call_error(call: ast.Call, interval: bool, in_binary: bool) -> str | None:
    """A plain function's or a transformation's own checks (`validate.check_call`), its
    first argument read as 1.x's reduce leaves it, then that argument: a field, wildcard or
    regex (a call too for a transformation, which is compiled in turn)."""
    first = strip_parens(call.args[0]) if call.args else None
    if first is not None and _reduced(first) and not isinstance(first, ast.RegexLiteral):
        first = ast.NilLiteral()  # `abs(1)` and `abs(/u/)` are literals to 1.x's compiler
    try:
        check_call(ast.Call(call.name, call.args if first is None else (first, *call.args[1:])),
                   0 if interval else None)
    except QueryError as exc:
        return str(exc)
    if in_binary and isinstance(first, ast.Wildcard):
        return f"unsupported expression with wildcard: {call.name}()"
    if in_binary and isinstance(first, ast.RegexLiteral):
        return f"unsupported expression with regex field: {call.name}()"
    if isinstance(first, ast.VarRef | ast.Wildcard | ast.RegexLiteral | ast.Distinct):
        return None
    if call.name in TRANSFORMS and isinstance(first, ast.Call):
        return _compile_error(first, interval, in_binary)
    return f"expected field argument in {call.name}()"


def nil_operand(expr: ast.Expr) -> bool:
    """Whether math in the field (outside other calls' arguments) has an operand that 1.x's
    reduce turns into nil, math of a regex or text (`abs(/u/) + u`, `abs('a') * u`), beside
    one that is not a literal: 1.x's engine panics there (`unreachable`)."""
    expr = strip_parens(expr)
    if isinstance(expr, ast.BinaryExpr):
        sides = (strip_parens(expr.lhs), strip_parens(expr.rhs))
        kinds = [_reduced(side) for side in sides]
        if None in kinds and any(isinstance(side, ast.Call) and kind == "literal"
                                 for side, kind in zip(sides, kinds, strict=True)):
            return True
        return any(nil_operand(side) for side in sides)
    if isinstance(expr, ast.Call) and expr.name in MATH:
        return any(nil_operand(arg) for arg in expr.args)
    return False


def check_fields(statement: ast.SelectStatement) -> None:
    """1.x's statement-level checks on the SELECT list, in its words: each field's, in
    order, then the list's."""
    per_field = [_calls(f.expr) for f in statement.fields]
    # time(0s) is no interval to 1.x
    interval = any(isinstance(d.expr, ast.Call) and d.expr.name == "time" and d.expr.args
                   and isinstance(d.expr.args[0], ast.DurationLiteral)
                   and d.expr.args[0].nanoseconds > 0 for d in statement.dimensions)
    for item in statement.fields:
        # a regex alone is a field list to 1.x's compiler, a constant only to math
        alone = isinstance(strip_parens(item.expr), ast.RegexLiteral)
        if _reduced(item.expr) and not alone:
            raise QueryError("field must contain at least one variable")
        error = _compile_error(item.expr, interval)
        if error:
            raise QueryError(error)
        if not _variables(item.expr):
            raise QueryError("field must contain at least one variable")
    names = [n for calls in per_field for n in calls]
    if "distinct" in names and not (len(statement.fields) == 1 and names[0] == "distinct"):
        raise QueryError("aggregate function distinct() cannot be combined with other "
                         "functions or fields")
    # 1.x counts transformations as calls here, even one reading top() itself
    calls = [n for n in names if n in AGGREGATES or n in SELECTORS or n in TRANSFORMS]
    for name in ("top", "bottom"):
        if name in names and len(calls) > 1:
            raise QueryError(f"selector function {name}() cannot be combined with other "
                             "functions")


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
                           for a in expr.args[1:-1] if isinstance(a, ast.VarRef))
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
