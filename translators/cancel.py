"""A query's cancel flag: its caller raises it, the loops that run long check it.

The caller of a translation (the gateway's read pool) keeps the flag and raises it from
another thread once nobody waits for the result (the query timed out, its client left, the
server is stopping). The Python loops that can run for seconds after storage answered
(holt_winters' simplex searches; computing, filling and transforming series one by one in
`influxql/shape.py`) call `check()` every so often and stop with `Cancelled`, so abandoned
work does not hold a CPU. A flag nobody raises costs one attribute read per check.
"""

from __future__ import annotations


class Cancelled(Exception):
    """The query was cancelled; its caller has answered already, with `reason`."""


class CancelFlag:
    """Raised once, from any thread; checked by the query's own thread."""

    __slots__ = ("reason",)

    def __init__(self) -> None:
        self.reason: str | None = None

    def cancel(self, reason: str) -> None:
        self.reason = reason

    def check(self) -> None:
        """Raise Cancelled if the flag was raised."""
        if self.reason is not None:
            raise Cancelled(self.reason)
