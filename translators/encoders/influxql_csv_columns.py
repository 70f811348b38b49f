"""The CSV lines of series held as Arrow columns (`Series.arrays`), written by Arrow kernels.

The text is what `influxql_csv` writes from the rows, byte for byte:

* times are integers in `epoch` units (Arrow's integer division truncates toward zero, as Go's);
* Arrow's shortest float text is Go's 'f' form within [1e-6, 1e10) and for zeros; the few
  floats outside that range, NaN and ±Inf are written by `go_float_text`;
* integers, unsigned integers and booleans are Arrow's text (`-12`, `true`); nulls are empty;
* strings are quoted as `csv_field` quotes them, where Go's csv.Writer would.

A column of any other type leaves its series to the rows (None).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

from translators.influxql.results import Series

from .gojson import go_float_text
from .influxql_columns import column_groups, joined_rows
from .influxql_time import epoch_array
from .values import is_text

# unicode.IsSpace: a field starting with one of these is quoted.
GO_SPACES = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000"
                       + "".join(map(chr, range(0x2000, 0x200B))))
QUOTE_CHARACTERS = ('"', ",", "\r", "\n")


def _needs_quotes(field: str) -> bool:
    if not field:
        return False
    return (field == "\\." or field[0] in GO_SPACES
            or any(special in field for special in QUOTE_CHARACTERS))


def csv_field(field: str) -> str:
    """One field as Go's csv.Writer writes it."""
    return '"' + field.replace('"', '""') + '"' if _needs_quotes(field) else field


_ARROW_LOW, _ARROW_HIGH = 1e-6, 1e10
# Go's fieldNeedsQuotes: `"`, `,`, CR or LF anywhere, a unicode.IsSpace first rune, or `\.`.
_QUOTED = (r'[",\r\n]|^[\t\n\v\f\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}'
           r"\x{202F}\x{205F}\x{3000}]|^\\\.$")


def csv_lines(many: Sequence[Series], prefixes: Sequence[str],
              epoch: str | None) -> list[str | None]:
    """Each series' rows as CSV lines (newline-terminated), each line starting with the
    series' `prefixes` entry (its quoted name and tags, joined by a comma); None for a series
    holding a column this module does not write."""
    out: list[str | None] = [None] * len(many)
    for group in column_groups(many) or ():
        cells = [_time_cells(c, epoch) if p == 0 and group.has_time else _cells(c)
                 for p, c in enumerate(group.columns)]
        if any(c is None for c in cells):
            continue
        rows = pc.binary_join_element_wise(*cells, ",") if len(cells) > 1 else cells[0]
        heads = [prefixes[i] + "," for i in group.members]
        separators = pa.array(["\n" + h for h in heads], pa.string())
        texts = joined_rows(rows, group.counts, separators).to_pylist()
        for index, head, text in zip(group.members, heads, texts, strict=True):
            out[index] = head + text + "\n"
    return out


def _time_cells(times: pa.Array, epoch: str | None) -> pa.Array | None:
    if not pa.types.is_integer(times.type):
        return None
    return pc.fill_null(pc.cast(epoch_array(times, epoch), pa.string()), "")


def _cells(column: pa.Array) -> pa.Array | None:
    kind = column.type
    if pa.types.is_float64(kind):
        text = _float_cells(column)
    elif pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_null(kind):
        text = pc.cast(column, pa.string())  # Arrow writes `true`, `-12`... as 1.x does
    elif is_text(kind):
        text = quoted_where(pc.cast(column, pa.string()), _QUOTED)
    else:
        return None
    return pc.fill_null(text, "")


def _float_cells(column: pa.Array) -> pa.Array:
    text = pc.cast(column, pa.string())
    magnitude = pc.abs(column)
    elsewhere = pc.fill_null(pc.or_(pc.invert(pc.is_finite(column)), pc.or_(
        pc.greater_equal(magnitude, _ARROW_HIGH),
        pc.and_(pc.less(magnitude, _ARROW_LOW), pc.not_equal(column, 0.0)))), False)
    if pc.any(elsewhere).as_py():
        fixed = [go_float_text(v) for v in pc.filter(column, elsewhere).to_pylist()]
        text = pc.replace_with_mask(text, elsewhere, pa.array(fixed, pa.string()))
    return text


def quoted_where(column: pa.Array, pattern: str) -> pa.Array:
    """The texts, those matching `pattern` quoted as CSV quotes them (`"` doubled)."""
    quoted = pc.fill_null(pc.match_substring_regex(column, pattern), False)
    if not pc.any(quoted).as_py():
        return column
    doubled = pc.replace_substring(column, '"', '""')
    return pc.if_else(quoted, pc.binary_join_element_wise('"', doubled, '"', ""), column)
