"""1.x's Nelder-Mead simplex, as holt_winters() fits with it, step for step and bit for bit.

1.x's search (after M. F. Hutt's) starts from a regular simplex of unit scale, stops after 1000
iterations or when the standard deviation of the vertices' errors falls below 1e-4, and on a
shrink re-evaluates only its worst and second-worst vertices. Its objective may change the
vertex it evaluates (holt_winters' does), so the search's state is its vertices and their
errors, nothing else: an iteration is a function of that state alone. Many seasonal fits never
converge and fall into a cycle of a few states long before the 1000th iteration; once a state
repeats bit for bit, every later iteration is known, so the search jumps to the state the
1000th would leave instead of walking the cycle out. `check`, called before each iteration,
may stop the search by raising (its caller gave up on the answer).
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable
from functools import reduce
from itertools import chain
from operator import add

EPSILON = 1.0e-4  # convergence: standard deviation of the vertices' errors
MAX_ITERATIONS = 1000
_REFLECT, _CONTRACT, _EXPAND = 1.0, 0.5, 2.0

Objective = Callable[[list[float]], float]


def minimise(objective: Objective, start: list[float],
             check: Callable[[], None] | None = None) -> tuple[float, list[float]]:
    """The best vertex's error (evaluated once more, as 1.x does) and that vertex."""
    v, f = search(objective, start, check)
    best = 0
    for i in range(len(f)):
        if f[i] < f[best]:
            best = i
    fitted = list(v[best])
    return objective(v[best]), fitted


def search(objective: Objective, start: list[float],
           check: Callable[[], None] | None = None) -> tuple[list[list[float]], list[float]]:
    """The simplex's vertices and their errors once the search stops."""
    n = len(start)
    p = (math.sqrt(float(n + 1)) - 1 + float(n)) / (float(n) * math.sqrt(2))
    q = (math.sqrt(float(n + 1)) - 1) / (float(n) * math.sqrt(2))
    v = [list(start)]
    for i in range(n):
        v.append([start[j] + (p if i == j else q) for j in range(n)])
    f = [objective(vertex) for vertex in v]
    history = _History(v)
    for iteration in range(MAX_ITERATIONS):
        if check is not None:
            check()
        repeated = history.repeat(iteration, f)
        if repeated is not None:
            return repeated
        worst, changed = _iterate(objective, v, f, n)
        history.changed(v, worst if changed is None else changed)
        if _converged(f, n):
            break
    return v, f


def _iterate(objective: Objective, v: list[list[float]], f: list[float],
             n: int) -> tuple[int, list[int] | None]:
    """One iteration, in place; the worst vertex's index and, after a shrink, every index
    (None when only the worst vertex can have changed)."""
    worst = best = 0
    for i in range(n + 1):
        if f[i] > f[worst]:
            worst = i
        if f[i] < f[best]:
            best = i
    second = best
    f_worst = f[worst]
    for i in range(n + 1):
        if f[second] < f[i] < f_worst:
            second = i
    # Each coordinate summed over the other vertices in index order, as 1.x's loop adds them
    # (Python's sum() may compensate; reduce adds plainly).
    others = [v[k] for k in range(n + 1) if k != worst]
    centroid = [reduce(add, column, 0.0) / float(n) for column in zip(*others, strict=True)]
    w = v[worst]
    reflected = [c + _REFLECT * (c - x) for c, x in zip(centroid, w, strict=True)]
    fr = objective(reflected)
    if f[best] <= fr < f[second]:
        v[worst] = list(reflected)
        f[worst] = fr
    if fr < f[best]:
        expanded = [c + _EXPAND * (r - c) for c, r in zip(centroid, reflected, strict=True)]
        fe = objective(expanded)
        if fe < fr:
            v[worst] = list(expanded)
            f[worst] = fe
        else:
            v[worst] = list(reflected)
            f[worst] = fr
    if fr >= f[second]:
        if f[second] <= fr < f[worst]:
            contracted = [c + _CONTRACT * (r - c) for c, r in zip(centroid, reflected, strict=True)]
        else:
            contracted = [c - _CONTRACT * (c - x) for c, x in zip(centroid, v[worst], strict=True)]
        fc = objective(contracted)
        if fc < f[worst]:
            v[worst] = list(contracted)
            f[worst] = fc
        else:
            b = v[best]
            for k in range(n + 1):
                if k != best:
                    v[k] = [y + (x - y) / 2.0 for y, x in zip(b, v[k], strict=True)]
            f[worst] = objective(v[worst])
            f[second] = objective(v[second])
            return worst, list(range(n + 1))  # with every error equal, worst is best
    return worst, None


def _converged(f: list[float], n: int) -> bool:
    mean = reduce(add, f, 0.0) / float(n + 1)
    spread = 0.0
    for value in f:
        spread += (value - mean) * (value - mean) / float(n)
    return math.sqrt(spread) < EPSILON


class _History:
    """The states the search has been in, to notice the first one it comes back to.

    States are compared bit for bit (0.0 and -0.0, or two NaNs, are not taken for each other).
    A state is keyed by its errors' bytes and a sum of its vertices' hashes, kept up to date
    as vertices change; the vertices are kept as tuples, only the changed ones copied anew.
    """

    def __init__(self, v: list[list[float]]) -> None:
        n = len(v) - 1
        self._errors = struct.Struct(f"<{n + 1}d")
        self._all = struct.Struct(f"<{(n + 1) * n}d")
        self._by_key: dict[tuple[bytes, int], list[int]] = {}
        self._states: list[tuple[bytes, tuple[tuple[float, ...], ...]]] = []
        self._vertices = [tuple(x) for x in v]
        self._hashes = [hash((k, x)) for k, x in enumerate(self._vertices)]
        self._hash = sum(self._hashes)

    def changed(self, v: list[list[float]], moved: int | list[int]) -> None:
        for k in [moved] if isinstance(moved, int) else moved:
            self._vertices[k] = vertex = tuple(v[k])
            new = hash((k, vertex))
            self._hash += new - self._hashes[k]
            self._hashes[k] = new

    def repeat(self, iteration: int,
               f: list[float]) -> tuple[list[list[float]], list[float]] | None:
        """None, remembering the state; or, if the search was in this state before, the state
        the last iteration would leave it in."""
        errors = self._errors.pack(*f)
        vertices = tuple(self._vertices)
        seen = self._by_key.get((errors, self._hash))
        if seen is None:
            self._by_key[errors, self._hash] = [iteration]
        else:
            for first in seen:
                if self._same(self._states[first], (errors, vertices)):
                    period = iteration - first
                    errors, vertices = self._states[first + (MAX_ITERATIONS - first) % period]
                    return [list(x) for x in vertices], list(self._errors.unpack(errors))
            seen.append(iteration)
        self._states.append((errors, vertices))
        return None

    def _same(self, a: tuple[bytes, tuple[tuple[float, ...], ...]],
              b: tuple[bytes, tuple[tuple[float, ...], ...]]) -> bool:
        return a[0] == b[0] and self._all.pack(*chain(*a[1])) == self._all.pack(*chain(*b[1]))
