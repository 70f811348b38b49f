"""The write service: parse a batch off the event loop, store it, report rejected lines."""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from dataclasses import replace

from gateway.backends.base import Backend
from gateway.compression import GZIP, inflate
from gateway.errors import PartialWrite
from gateway.model import WriteBatch, WriteOutcome
from translators.lineprotocol import (
    LineError,
    ParsedBatch,
    line_text,
    parse_lines,
    split_points,
)
from translators.lineprotocol.precision import truncate_nanos


class WriteService:
    def __init__(self, backend: Backend, parse_pool: Executor, max_body_bytes: int,
                 inflate_pool: Executor) -> None:
        self._backend = backend
        self._parse_pool = parse_pool
        self._inflate_pool = inflate_pool
        self._limit = max_body_bytes

    async def write(self, batch: WriteBatch) -> WriteOutcome:
        """Store what parses; raise PartialWrite naming every rejected line.

        Parsing runs in a worker thread so that the event loop and the store's writer thread
        keep going (Arrow's parser releases the GIL).
        """
        batch = await batch.buffered()
        default_time = truncate_nanos(batch.received_ns, batch.precision)
        loop = asyncio.get_running_loop()
        if batch.encoding == GZIP:
            # a stage of its own: while one body inflates, the parse worker parses another
            body = await loop.run_in_executor(self._inflate_pool, inflate, batch.body,
                                              self._limit)
            batch = replace(batch, body=body, encoding=None)
        parsed, prepared = await loop.run_in_executor(
            self._parse_pool, self._parse, batch, default_time
        )
        refused = parsed.refused_count  # 1.x counts these as dropped
        omitted = parsed.error_count - len(parsed.errors)
        if parsed.error_count and not batch.accept_partial:
            raise PartialWrite(parsed.errors, written=0, dropped=refused, omitted=omitted)
        if parsed.points == 0:
            if parsed.error_count:
                raise PartialWrite(parsed.errors, written=0, dropped=refused, omitted=omitted)
            return WriteOutcome()
        outcome = await self._backend.write(
            batch.namespace, prepared, sync=batch.sync, all_or_nothing=not batch.accept_partial
        )
        if outcome.errors:
            lines = split_points(batch.body)
            stored = [
                LineError(e.line_number, line_text(lines, e.line_number), e.reason, parsed=True)
                for e in outcome.errors
            ]
            errors = sorted(parsed.errors + stored, key=lambda e: e.line_number)
            omitted += outcome.dropped - len(stored)
            raise PartialWrite(errors, written=outcome.written,
                               dropped=outcome.dropped + refused, omitted=omitted,
                               beyond_retention=outcome.beyond_retention)
        if parsed.error_count:
            raise PartialWrite(parsed.errors, written=outcome.written, dropped=refused,
                               omitted=omitted)
        return outcome


    def _parse(self, batch: WriteBatch, default_time: int) -> tuple[ParsedBatch, object]:
        """Parse and prepare an inflated body, in a worker thread."""
        parsed = parse_lines(batch.body, batch.precision, default_time)
        return parsed, self._backend.prepare(parsed) if parsed.points else None


