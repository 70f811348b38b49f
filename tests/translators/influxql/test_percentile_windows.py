"""How a parent's reduce iterators read a subquery's cursor scans (`reduced`), and the scans
themselves (`_scans`); the answers they lead to are pinned against 1.6.7 by the oracle's
`percentile-low-rank-subquery-*` cases."""

from __future__ import annotations

import pytest

from translators.influxql import ast
from translators.influxql.percentile_windows import (
    _scan,
    _scans,
    after_nils,
    kept_rows,
    reduced,
)
from translators.influxql.select_plan import Prim, PrimRef, SelectPlan
from translators.influxql.series_rows import SeriesRows
from translators.influxql.timerange import TimeRange

N = None  # a scan that finds nothing (every call's window selects nothing)


@pytest.mark.parametrize(("scans", "keys", "layers", "windows"), [
    # one reduce: each nil closes a window and is used up
    pytest.param([0, N, 1, N, 2], "aaa", 1, [[0], [1], [2]], id="one-layer-nil-closes"),
    # ...a nil read first is a scan that finds nothing: a second in a row ends the read
    pytest.param([0, 1, N, N, 2, N], "aaa", 1, [[0, 1], [2]], id="one-layer-two-nils-read-on"),
    pytest.param([0, N, N, N, 1], "aa", 1, [[0]], id="one-layer-three-nils-end"),
    pytest.param([N, 0, 1], "aa", 1, [], id="one-layer-nil-first-ends"),
    # another group's point closes a window and is put back
    pytest.param([0, 1, 2, N, 3], "aabb", 1, [[0, 1], [2], [3]], id="one-layer-groups"),
    # two reduces: the second reads the first's windows, closed only by a nil read first
    pytest.param([0, N, 1, N, 2], "aaa", 2, [[0, 1, 2]], id="two-layers-whole-read"),
    pytest.param([0, 1, N, N, 2, N], "aaa", 2, [[0, 1], [2]], id="two-layers-two-nils"),
    pytest.param([0, N, 1, 2], "abb", 2, [[0], [1, 2]], id="two-layers-groups"),
])
def test_reduced_windows(scans: list[int | None], keys: str, layers: int,
                         windows: list[list[int]]) -> None:
    assert reduced(scans, keys.__getitem__, layers) == windows


@pytest.mark.parametrize(("scans", "found"), [
    pytest.param([0, 1, 2], [[0, 1, 2]], id="no-nil"),
    pytest.param([0, N, 1, N], [[0], [1]], id="trailing-nil-opens-nothing"),
    # the read goes on past two nils in a row: the parent's reducers decide where it ends
    pytest.param([N, 0, N, N, 1], [[], [0], [], [1]], id="every-nil-counted"),
])
def test_after_nils_numbers_every_row(scans: list[int | None], found: list[list[int]]) -> None:
    assert after_nils(scans) == found


def test_scans_go_on_past_the_cursor_end() -> None:
    # one call: windows 0, 1 select, 2 and 3 do not, 4 does
    windows = [[(0, True), (1, True), (2, False), (3, False), (4, True)]]
    assert list(_scans(windows)) == [0, 1, N, N, 4]
    # the cursor's own rule: the second scan in a row that finds nothing ends the read
    assert _scan(windows) == ({0, 1}, {1})


class _Unread(list[tuple[int, bool]]):
    """A call's windows of which those from `stop` on must not be read."""

    def __init__(self, windows: list[tuple[int, bool]], stop: int) -> None:
        super().__init__(windows)
        self.stop = stop

    def __getitem__(self, index):  # type: ignore[no-untyped-def, override]
        assert not isinstance(index, int) or index < self.stop, f"window {index} read"
        return super().__getitem__(index)


def test_scan_reads_no_window_past_the_end_of_the_read() -> None:
    # the windows after the scan that ends the read are not read: a parent's transformations
    # end it at the first scan that finds nothing, the cursor at the second in a row
    many = [(p, p not in (1, 3, 4)) for p in range(10_000)]
    assert _scan([_Unread(many, 2)], once=True) == ({0}, set())
    assert _scan([_Unread(many, 5)]) == ({0, 2}, {0, 2})


def _plan(descending: bool = False, limit: int = 0) -> SelectPlan:
    """A percentile() over one field, grouped by time."""
    return SelectPlan(sources=[], columns=["percentile"], outputs=[PrimRef(0)],
                      prims=[Prim("v", "field", "percentile", (5,))], condition=None,
                      time_range=TimeRange(lower=0, upper=100), interval=1, aggregate=True,
                      fill=ast.FillOption.NONE, descending=descending, limit=limit)


@pytest.mark.parametrize(("descending", "kept", "ends", "breaks"), [
    # rows 1 and 4 dropped: the batches ending at rows 3 and 5 end after 3 and 4 rows kept
    pytest.param(False, {0, 2, 3, 5}, {3, 5}, (3, 4), id="ascending"),
    # in the answer's (newest first) order: 5, 3, 2, 0
    pytest.param(True, {0, 2, 3, 5}, {3, 0}, (2, 4), id="descending"),
    # an end on a row not kept marks nothing
    pytest.param(False, {0, 2, 3}, {1, 3}, (3,), id="end-on-a-dropped-row"),
])
def test_kept_rows_breaks(descending: bool, kept: set[int], ends: set[int],
                          breaks: tuple[int, ...]) -> None:
    group = SeriesRows("m", (), [(t, [float(t)]) for t in range(6)])
    out, found, numbers = kept_rows(_plan(descending), [group], [kept], [ends], [{}])
    assert [t for t, _ in out[0].rows] == sorted(kept)
    assert found == {id(out[0]): breaks}
    assert numbers == {}


def test_kept_rows_breaks_of_a_long_series() -> None:
    # a batch end every other row of 20,000: each end's place is its index in the answer
    size = 20_000
    group = SeriesRows("m", (), [(t, [float(t)]) for t in range(size)])
    ends = set(range(1, size, 2))
    batches = {r: r // 2 for r in range(size)}
    out, found, numbers = kept_rows(_plan(), [group], [set(range(size))], [ends], [batches])
    assert found[id(out[0])] == tuple(range(2, size + 1, 2))
    assert numbers[id(out[0])] == [r // 2 for r in range(size)]


def test_kept_rows_cut_by_limit_has_no_breaks() -> None:
    group = SeriesRows("m", (), [(t, [float(t)]) for t in range(4)])
    out, found, numbers = kept_rows(_plan(limit=2), [group], [{0, 1, 2, 3}], [{1}], [{0: 0}])
    assert len(out) == 1 and found == {} and numbers == {}
