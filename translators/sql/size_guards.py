"""Bounds on the values a user's SQL asks DuckDB to make: a few bytes of query text must not
make gigabytes of one value.

`repeat('x', 2000000000)` costs no rows, so the row limit does not see it, and DuckDB's memory
limit does not count a string being built: it took about 8 GB of the process to answer 2 GB.
Each call whose result length is one of its arguments is guarded with DuckDB's error() instead,
as the gap-filling guard does: over the limit, the query stops with words naming it before the
value is made. `repeat` makes its first argument's length times its count; `space` its count
(DuckDB's SQL writes it as `repeat(' ', n)`); `lpad` and `rpad` make their length argument's
worth (sqlglot reads both as `exp.Pad`). `generate_series` used as a value (a list, or rows
under UNNEST) is built whole before the row limit applies: its element count, from its bounds
and step read the same way whether they are integers or times (through their text, so the
guard binds for either type), is held to `query.max_bytes` over eight bytes. DuckDB's
`format` takes its widths from the format text (`'{:>2000000000}'`), which no guard can read
before it runs; DataFusion has no such function, so it is refused.

What this leaves: values grown by nesting calls that each stay under the limit (a chain of
`replace` or `||`). They stop at DuckDB's own allocation failures or the query timeout, and an
answer over `query.max_bytes` is refused before it is encoded (the native reader checks it).
"""

from __future__ import annotations

from sqlglot import exp

from .gapfill_limit import refused_over

SIZE_WORDS = "the query would make a value of more than "  # the error's start: engine_message
UNBOUNDED = frozenset({"format"})  # widths in its format text: unguardable; not DataFusion's


def guard_sizes(tree: exp.Expression, limit: int | None) -> exp.Expression:
    """`tree` with every repeat/space/lpad/rpad call's length argument guarded by `limit`
    characters, and every generate_series call's end by `limit` / 8 elements. The argument,
    not the call: DuckDB folds a call on constants while planning, so a guard around
    `repeat('x', 2000000000)` would come after the value was made; error() is not folded, so
    a guarded argument keeps the call from running first."""
    if limit is None:
        return tree
    for node in tree.find_all(exp.Repeat, exp.Space, exp.Pad, exp.GenerateSeries):
        if isinstance(node, exp.GenerateSeries):
            end = node.args["end"]
            node.set("end", _guarded(end, _elements(node), "generate_series", limit // 8,
                                     "elements"))
        elif isinstance(node, exp.Space):
            node.set("this", _guarded(node.this, _wide(node.this.copy()), "space", limit))
        elif isinstance(node, exp.Repeat):
            count = node.args["times"]
            size = exp.Mul(this=_wide(exp.Length(this=node.this.copy())),
                           expression=count.copy())
            node.set("times", _guarded(count, size, "repeat", limit))
        else:
            length = node.expression
            node.set("expression", _guarded(length, _wide(length.copy()),
                                            "lpad" if node.args.get("is_left") else "rpad",
                                            limit))
    return tree


def _wide(value: exp.Expression) -> exp.Expression:
    # HUGEINT: a length times a count near 2^63 must compare, not overflow
    return exp.Cast(this=value, to=exp.DataType.build("HUGEINT"))


def _elements(node: exp.GenerateSeries) -> exp.Expression:
    """How many elements generate_series(start, end, step) makes: |end - start| / step for
    integers, the same in microseconds for times (a month's step counted as 31 days)."""
    start, end = node.args["start"], node.args["end"]
    step = node.args.get("step") or exp.Literal.number(1)

    def read(value: exp.Expression, to: str) -> exp.Expression:
        text = exp.Cast(this=value.copy(), to=exp.DataType.build("VARCHAR"))
        return exp.TryCast(this=text, to=exp.DataType.build(to))

    def micros(value: exp.Expression) -> exp.Expression:
        return exp.Anonymous(this="epoch_us", expressions=[value])

    numbers = exp.Div(this=exp.paren(exp.Sub(this=read(end, "HUGEINT"),
                                             expression=read(start, "HUGEINT"))),
                      expression=exp.Nullif(this=read(step, "HUGEINT"),
                                            expression=exp.Literal.number(0)))
    epoch = exp.Cast(this=exp.Literal.string("1970-01-01"),
                     to=exp.DataType.build("TIMESTAMPTZ"))
    times = exp.Div(this=exp.paren(exp.Sub(this=micros(read(end, "TIMESTAMPTZ")),
                                           expression=micros(read(start, "TIMESTAMPTZ")))),
                    expression=exp.Nullif(this=micros(exp.Add(
                        this=epoch, expression=read(step, "INTERVAL"))),
                        expression=exp.Literal.number(0)))
    return exp.Abs(this=exp.Coalesce(this=numbers, expressions=[times,
                                                                exp.Literal.number(0)]))


def _guarded(value: exp.Expression, size: exp.Expression, name: str,
             limit: int, unit: str = "characters") -> exp.Expression:
    """`value`, or DuckDB's error() when `size` passes `limit`."""
    words = exp.Literal.string(
        f"{SIZE_WORDS}{limit} {unit} ({name}; query.max_bytes); make it smaller")
    return refused_over(size, limit, words, value.copy())
