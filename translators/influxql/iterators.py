"""1.x's iterators that refuse text or booleans, and when a statement meets one.

1.x builds one iterator per function call over the type its input has (a field's stored type,
or the type the inner call answers) and fails while building it when that type is one the
function has no iterator for: `unsupported mean iterator type: *query.stringInterruptIterator`.
It builds iterators only over the series its index holds for the measurement in the shard
groups the time range reaches (WHERE's tag comparisons applied), so the same statement over a
range no shard group of the measurement reaches, or with a tag condition no series meets,
answers an empty result instead. Over a subquery the iterators are always built.
"""

from __future__ import annotations

from translators.lineprotocol import FieldType

from . import holtwinters
from .schema import MeasurementSchema
from .select_plan import Math, Node, Op, Prim, PrimRef, SelectPlan, Transform, read_type

# Functions with no iterator for text or booleans (max and min take booleans, not text).
NUMBERS_ONLY = frozenset({"sum", "mean", "median", "spread", "stddev", "integral",
                          "percentile", "top", "bottom"})
_FLOAT_ANSWERS = frozenset({"mean", "median", "stddev", "integral", "derivative",
                            "non_negative_derivative", "moving_average"})
_REFUSED = (FieldType.STRING, FieldType.BOOLEAN)


class _Refused(Exception):
    """A call with no iterator for its input's type; the message is 1.x's."""


def refusal(plan: SelectPlan, schema: MeasurementSchema) -> str | None:
    """1.x's error for the first call of `plan` whose input over `schema` is text or
    booleans where that call takes none, or None when every call has an iterator."""
    try:
        for output in plan.outputs:
            _answers(output, plan.prims, schema)
    except _Refused as exc:
        return str(exc)
    return None


def answer_types(plan: SelectPlan, schema: MeasurementSchema) -> list[FieldType | None]:
    """The type each output of `plan` answers over `schema`, as 1.x types a subquery's
    columns before it reads a point (None: unknown). A call that refuses its input still
    types its column (`min(message)` text): when the subquery builds no iterator for it (no
    series), the parent's function meets that type."""
    return [_answers(output, plan.prims, schema, strict=False) for output in plan.outputs]


def _answers(node: Node, prims: list[Prim], schema: MeasurementSchema,
             strict: bool = True) -> FieldType | None:
    """The type `node` answers (None: unknown or numbers from math); raises _Refused when
    `strict`."""
    match node:
        case PrimRef(index):
            return _prim(prims[index], schema, strict)
        case Transform(name, arg):
            found = _answers(arg, prims, schema, strict)
            if found in _REFUSED and name != "elapsed" and strict:
                raise _Refused(message(name, found))
            if found is None or name == "elapsed":
                return FieldType.INTEGER if found is not None else None
            return FieldType.FLOAT if name in _FLOAT_ANSWERS else found
        case Op() | Math():
            for part in (node.lhs, node.rhs) if isinstance(node, Op) else node.args:
                _answers(part, prims, schema, strict)
            return None  # math answers numbers (or null); typecheck.py refuses the rest
    return None


def _prim(prim: Prim, schema: MeasurementSchema, strict: bool = True) -> FieldType | None:
    ftype = read_type(schema, prim) if prim.role == "field" else None
    func = prim.func
    if prim.role == "tag" and func is not None and prim.name not in schema.handed_tags:
        # a call reads tags only over a subquery (`rewrite`), whose GROUP BY tags and `::tag`
        # casts 1.x types as tags: text to its iterators (`max(host)` fails)
        ftype = FieldType.STRING
    if ftype is None or func is None:
        return ftype
    if not strict:
        return _typed(func, ftype)
    if func in ("top", "bottom") and len(prim.args) > 1 and ftype in _REFUSED:
        # with tag arguments 1.x reads max() (min()) per tag set first: text fails there,
        # booleans get through it and fail at top() over its reduce iterator
        if ftype is FieldType.STRING:
            raise _Refused(message("max" if func == "top" else "min", ftype))
        raise _Refused(message(func, ftype, "ReduceBoolean"))
    if (func in NUMBERS_ONLY and ftype in _REFUSED) or (
            func in ("max", "min") and ftype is FieldType.STRING):
        raise _Refused(message(func, ftype))
    return _typed(func, ftype)


def _typed(func: str, ftype: FieldType) -> FieldType:
    """The type 1.x gives a call's answer over a field of `ftype`."""
    if func == "count":
        return FieldType.INTEGER
    return FieldType.FLOAT if func in _FLOAT_ANSWERS else ftype


def message(func: str, ftype: FieldType, stage: str = "Interrupt") -> str:
    """1.x's error for `func` meeting text or booleans (`ftype`), named as 1.x names the
    iterator: `non_negative_` dropped, words spaced, holt_winters()'s input as `elapsed`;
    `stage` names the input iterator's kind (`Interrupt` for a field read)."""
    label = "elapsed" if func in holtwinters.NAMES else func
    label = label.removeprefix("non_negative_").replace("_", " ")
    kind = "string" if ftype is FieldType.STRING else "boolean"
    return f"unsupported {label} iterator type: *query.{kind}{stage}Iterator"
