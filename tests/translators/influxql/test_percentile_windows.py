"""How a parent's reduce iterators read a subquery's cursor scans (`_reduced`), and the scans
themselves (`_scans`); the answers they lead to are pinned against 1.6.7 by the oracle's
`percentile-low-rank-subquery-*` cases."""

from __future__ import annotations

import pytest

from translators.influxql.percentile_windows import _reduced, _scan, _scans

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
    assert _reduced(scans, keys.__getitem__, layers) == windows


def test_scans_go_on_past_the_cursor_end() -> None:
    # one call: windows 0, 1 select, 2 and 3 do not, 4 does
    windows = [[(0, True), (1, True), (2, False), (3, False), (4, True)]]
    assert _scans(windows) == [0, 1, N, N, 4]
    # the cursor's own rule: the second scan in a row that finds nothing ends the read
    assert _scan(windows) == ({0, 1}, {1})
