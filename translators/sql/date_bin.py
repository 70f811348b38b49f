"""DATE_BIN as InfluxDB 3 reads it: arguments by position, and DataFusion's errors.

sqlglot's own DATE_BIN builder takes the third argument for a unit word (a quoted origin comes
back upper-cased) and answers a short call with its "Required keyword" error. Reading the
arguments by position keeps the origin as the user wrote it, so a bad one can be refused in
DataFusion's words, on the native path and in the translation to InfluxQL alike. The origins
of date_bin_gapfill, date_bin_wallclock and date_bin_wallclock_gapfill are checked the same way.
"""

from __future__ import annotations

from sqlglot import exp

from .datafusion import Unsupported
from .text_times import UnreadableTime, checked_nanos

#: DataFusion's date_bin refuses any other count of arguments.
_ARITY = "Execution error: DATE_BIN expected two or three arguments"
# InfluxDB 3's binning functions whose third argument is an origin, read as date_bin's is
_ORIGIN_THIRD = ("date_bin_gapfill", "date_bin_wallclock", "date_bin_wallclock_gapfill")


def build_date_bin(args: list[exp.Expression]) -> exp.Expression:
    """The parser's builder for DATE_BIN(stride, source[, origin])."""
    if len(args) not in (2, 3):
        # kept as a call of that name, refused with DataFusion's wording by check_date_bins
        return exp.Anonymous(this="date_bin", expressions=args)
    origin = args[2] if len(args) == 3 else None
    return exp.DateBin(this=args[0], expression=args[1], origin=origin)


def check_date_bins(tree: exp.Expression) -> None:
    """Refuse DATE_BIN calls, and origins of the other binning functions, that DataFusion
    refuses (raises Unsupported)."""
    for node in tree.walk():
        origin = None
        if isinstance(node, exp.Anonymous):
            name = node.name.lower()
            if name == "date_bin":
                raise Unsupported(_ARITY)
            if name in _ORIGIN_THIRD and len(node.expressions) == 3:
                origin = node.expressions[2]
        elif isinstance(node, exp.DateBin):
            origin = node.args.get("origin")
        if origin is not None:
            _check_origin(origin)


def _check_origin(origin: exp.Expression) -> None:
    """An origin written as text must be a time Arrow's parser reads."""
    if isinstance(origin, exp.Cast) and origin.this.is_string:
        origin = origin.this  # TIMESTAMP '...' is read by the same parser
    if isinstance(origin, exp.Literal) and origin.is_string:
        try:
            checked_nanos(origin.this)
        except UnreadableTime as problem:
            raise Unsupported(str(problem)) from None
