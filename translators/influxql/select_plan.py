"""What a planned SELECT is: the storage query's per-row values and the trees over them.

A SelectPlan says what the storage query must compute per row (`prims`: raw columns, or
aggregates per bucket) and how each output column is derived from them (`outputs`, small
evaluation trees of Prim references, literals, operators, math and transformations), with the
resolved sources and the clauses that shape the answer. `rewrite.py` builds it; the storage
query, the shaping of rows into series and the columnar path read it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from translators.cancel import CancelFlag
from translators.lineprotocol import FieldType

from . import ast
from .regex import matcher
from .schema import MeasurementSchema
from .sqlnames import VIRTUAL_DB
from .timerange import TimeRange

# -- evaluation trees --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prim:
    """A value the storage query yields per row: a raw column, or an aggregate of one.

    func None: the stored field or tag itself. Otherwise an aggregate or selector name, with
    `args` its literal arguments (percentile's rank, top's count and tag names...).
    `reads_back`: how many buckets before the range (after it, under ORDER BY time DESC) the
    call reads: one per transformation that looks back over GROUP BY time (derivative...) on
    its way to the output, as each one of 1.x's moves its argument's range one bucket
    (`readrange.moved_bounds`); 1.x moves the range for that call alone, and the same
    aggregate elsewhere in the SELECT is another iterator.
    """

    name: str
    role: str  # "field" | "tag"
    func: str | None = None
    args: tuple[Any, ...] = ()
    distinct: bool = False
    reads_back: int = 0
    # A call's argument cast to the other number kind (`top(latency::integer, 2)`): 1.x
    # reads the field converted, a float truncated (`read_type`)
    cast: str | None = None


#: The stored kind each cast of `Prim.cast` converts, and the kind it reads it as.
#: `SelectPlan.rows_end` for OFFSET without LIMIT where every row after the offset answers.
NO_END = sys.maxsize

CASTS = {"integer": (FieldType.FLOAT, FieldType.INTEGER),
         "float": (FieldType.INTEGER, FieldType.FLOAT)}


def read_type(schema: MeasurementSchema, prim: Prim) -> FieldType | None:
    """The type `prim` reads its field as in `schema`: stored, or as its cast converts it."""
    stored = schema.fields.get(prim.name)
    if prim.cast is not None and stored is CASTS[prim.cast][0]:
        return CASTS[prim.cast][1]
    return stored


@dataclass(frozen=True, slots=True)
class PrimRef:
    index: int


@dataclass(frozen=True, slots=True)
class Lit:
    value: Any


@dataclass(frozen=True, slots=True)
class Op:
    op: ast.BinaryOp
    lhs: Node
    rhs: Node


@dataclass(frozen=True, slots=True)
class Math:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Transform:
    """A function over a series' rows in time order (derivative, moving_average...)."""

    name: str
    arg: Node
    params: tuple[Any, ...] = ()


Node = PrimRef | Lit | Op | Math | Transform


def transforms_in(node: Node) -> list[Transform]:
    """The transformations an output is computed from, outermost first: the node itself, or
    those inside its math (`non_negative_derivative(max(x), 1s) * 8`)."""
    return outermost(node, (Transform,))  # type: ignore[return-value]


def outermost(node: Node, kinds: tuple[type, ...]) -> list[Node]:
    """The nodes of `kinds` an output is computed from, outermost first: the node itself,
    or those inside its operators and math (not inside a node of `kinds`)."""
    if isinstance(node, kinds):
        return [node]
    if isinstance(node, Op):
        return outermost(node.lhs, kinds) + outermost(node.rhs, kinds)
    if isinstance(node, Math):
        return [n for arg in node.args for n in outermost(arg, kinds)]
    return []


@dataclass(slots=True)
class Source:
    database: str
    schema: MeasurementSchema
    copies: int = 1  # `FROM cpu, cpu`: 1.x reads the measurement once per mention
    # `FROM "db1".."m", "db2".."m"`: 1.x reads one measurement `m` holding both databases'
    # series; the other databases, once per mention (schema: the union of theirs)
    extra: list[str] = field(default_factory=list)
    own: dict[str, MeasurementSchema] = field(default_factory=dict)  # each database's schema
    # the database of each mention in FROM order (`FROM "a".."m", "b".."m", "a".."m"`: a, b,
    # a), each an input of its own to 1.x's merge; empty when FROM names it once
    mentions: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SelectPlan:
    sources: list[Source]
    columns: list[str]
    outputs: list[Node]
    prims: list[Prim]
    condition: ast.Expr | None
    time_range: TimeRange
    # GROUP BY tags as written: names, or a wildcard/regex resolved per measurement.
    dimension_names: list[str] = field(default_factory=list)
    dimension_all: bool = False
    dimension_regexes: list[str] = field(default_factory=list)
    interval: int | None = None
    interval_offset: int = 0
    aggregate: bool = False
    # One selector alone: other columns may ride along, read from the selected point.
    selector: bool = False
    # The answered time is the selected point's rather than the bucket's.
    selector_time: bool = False
    # Transformations over GROUP BY time span buckets before the range: as many as the
    # longest chain of those that look back (readrange.moved_bounds)...
    extra_buckets: int = 0
    # ...but read points no further back than 1.x maps shards for (readrange.read_bounds)
    mapped_buckets: int = 0
    fill: ast.FillOption = ast.FillOption.NULL
    fill_value: float | int | None = None
    limit: int = 0
    offset: int = 0
    slimit: int = 0
    soffset: int = 0
    descending: bool = False
    timezone: str | None = None
    # SLIMIT/SOFFSET: per measurement, the tag-set keys the index leaves (`paging.py`)
    paged: dict[str, set[bytes]] | None = None
    # A subquery's page is keyed by its parent's GROUP BY, not its own (None: its own)
    paged_by: tuple[ast.Dimension, ...] | None = None
    # Calls typed by an argument no source knows (`max(nosuch)`): fill() never reaches them
    untyped: set[Prim] = field(default_factory=set)
    # Integer means computed from their points, where a series' sum may wrap (`int64.py`)
    exact_means: set[Prim] = field(default_factory=set)
    # 1.x's type error for the SELECT list (`typecheck.py`), raised only where 1.x knows the
    # fields' types: when the range reaches a shard group of a measurement (`engine.py`)
    type_error: str | None = None
    # A subquery's answer keeps NaN (stddev() of one point, what is computed from it) as a
    # value: 1.x's parent reads it as a point. The answer to the client has it as null.
    keep_nan: bool = False
    # A subquery read by its parent's transformations (`cumulative_sum(a)` without GROUP BY
    # time): 1.x's merge iterator drops its input at the first nil, so the first cursor scan
    # where every percentile() finds nothing ends the read, with no second scan
    # (`percentile_windows.read_rows`)
    read_once: bool = False
    # A subquery read by its parent's aggregates without GROUP BY time, through that many
    # reduce iterators (1: median(), spread()...; 2: count(), sum()... over each one's
    # partials), whose windows a nil closes: their windows decide the read and its
    # batches (`subquery_batches.py`, `Series.batches`); 0: not so read
    reduce_layers: int = 0
    # A subquery read by a raw parent, whose LIMIT, OFFSET and condition meet the nils
    # between its batches (`subquery_batches.read_raw`): its rows carry their batch numbers
    # (`Series.batches`) also where its windows span several series
    batched_read: bool = False
    # The aggregates of a statement whose raw transformations 1.x's cursor reads beside them
    # (`beside.py`): their points keep every scan going, so a percentile() window selecting
    # nothing ends no read (`percentile_windows.read_rows`)
    beside_transforms: bool = False
    # Each column's name before `_1`, `_2` suffixes (alias or generated), which a subquery's
    # parent reads it by (`select_list.parent_columns`)
    read_names: list[str] = field(default_factory=list)
    # Raised by the statement's caller once it answered without it (the query timed out):
    # the loops that run long over the storage rows check it (`translators/cancel.py`)
    cancel: CancelFlag = field(default_factory=CancelFlag)
    # What `_sources_facts` found over `sources`, with the list it was found over (held, so
    # its identity cannot pass to another list) and its length: asked once per source, so
    # over thousands of measurements (`FROM /.*/`) finding it afresh each time made the
    # statement quadratic in them
    _facts: tuple[list[Source], int, bool, list[str]] | None = field(
        default=None, init=False, repr=False, compare=False)

    def _sources_facts(self) -> tuple[bool, list[str]]:
        """Whether a source is a subquery's rows, and every source's tags, sorted."""
        facts = self._facts
        if facts is None or facts[0] is not self.sources or facts[1] != len(self.sources):
            facts = self._facts = (
                self.sources, len(self.sources),
                any(s.database == VIRTUAL_DB for s in self.sources),
                sorted({t for s in self.sources for t in s.schema.tags}))
        return facts[2], facts[3]

    @property
    def reads_subquery(self) -> bool:
        """Whether a source is a subquery's rows (`subquery.py`), not the storage engine."""
        return self._sources_facts()[0]

    @property
    def rows_end(self) -> int | None:
        """Where a series' answered rows stop (None: no cut; `NO_END`: OFFSET alone cuts).
        OFFSET without LIMIT answers every row after the offset: of raw fields (math over
        them too) those left by a storage read that stops after OFFSET + 1 points in each
        shard group (`shard_cut`), so over one shard group the one row at the offset;
        elsewhere every row: functions reading the whole range (aggregates, DISTINCT,
        transformations), top() and bottom() reading their own cut (`topread.py`), and the
        rows of a subquery."""
        if not (self.limit or self.offset):
            return None
        if self.limit:
            return self.offset + self.limit
        return NO_END

    @property
    def shard_cut(self) -> int | None:
        """How many rows of each group 1.x's storage read hands on from each 7-day shard
        group, before OFFSET skips the first of the merged rows: OFFSET + 1 for raw fields
        under OFFSET without LIMIT (its limit, OFFSET + LIMIT + 1, read with LIMIT 0), so
        over several shard groups every row after the offset is one of a shard group's
        first rows. None: no such cut."""
        if self.limit or not self.offset or self.reads_subquery:
            return None
        if all(p.func is None for p in self.prims) \
                and not any(transforms_in(node) for node in self.outputs):
            return self.offset + 1
        return None

    def dimensions(self, schema: MeasurementSchema) -> list[str]:
        """The tag keys the series are grouped by, sorted as 1.x sorts them. `*` and regexes
        range over every source's tags (a measurement without one answers it as "")."""
        tags = self._sources_facts()[1]
        if self.dimension_all:
            return list(tags)
        names = set(self.dimension_names)
        for pattern in self.dimension_regexes:
            names.update(t for t in tags if matcher(pattern).search(t))
        return sorted(names)


def stream_keys(plan: SelectPlan) -> frozenset[str] | None:
    """For a raw statement run as a subquery over subqueries, the tags that key its read:
    1.x hands it the outermost statement's GROUP BY as the dimensions it orders by, so it
    reads its subqueries' rows as they come (runs that go back in time too), its own GROUP
    BY tags only kept on the rows; a series ends where their values change. None otherwise."""
    if plan.paged_by is None or plan.aggregate or not plan.reads_subquery:
        return None
    return frozenset(d.expr.name for d in plan.paged_by if isinstance(d.expr, ast.VarRef))
