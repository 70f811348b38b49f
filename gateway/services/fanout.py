"""Writes on routes with upstream targets: single, mirror (with durable replay) and shard.

The caller's answer is the primary's real answer. Mirrors get the same batch at the same
time; one that cannot take it now (down, timeout, 5xx, 429, or 401/403: see mirror_outcomes)
gets it appended to its own queue on disk, synced before the caller is answered, and replayed
in order later. While a mirror's queue is not empty, new batches for it join the queue instead
of overtaking it; statements changing data or schema queue behind them too
(mirror_statements). A mirror's other 4xx (and 1.x's 500 for a missing retention policy) is
logged and counted: sending the same bytes again would fail again. A replay goes with the
gateway's own credentials.

Points without a timestamp are stamped once with the time of receipt before a mirrored batch
leaves, so that a mirror replayed an hour later stores the same time as the primary.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from gateway.backends.replay import QueuedEntry, QueuedStatement, QueuedWrite, ReplayQueue
from gateway.backends.replayer import Delivery, Outcome, Replayer
from gateway.backends.upstream.base import (
    PassCredentials,
    Upstream,
    UpstreamFailure,
)
from gateway.compression import GZIP, inflate
from gateway.config import NATIVE, RouteConfig
from gateway.errors import GatewayError
from gateway.model import Namespace, WriteBatch, WriteOutcome
from gateway.services.mirror_outcomes import delivery_of, kept_for_later
from gateway.services.part_refusals import joined
from gateway.services.routing import RelayedError, ResolvedRoute, Router, failure_error
from gateway.services.split_answers import combine, numbered
from gateway.services.target_report import TargetCounters
from gateway.services.upstream_guard import GUARDED, Guard, split_guarded
from gateway.streams import BodyStream
from translators.lineprotocol import Precision
from translators.lineprotocol.hazards import may_hold_hazard
from translators.lineprotocol.precision import truncate_nanos
from translators.lineprotocol.rewrite import (
    Part,
    SplitKey,
    rescale_timestamps,
    resolve_auto,
    split_placed,
    stamp_missing,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
K = TypeVar("K")  # where the parts of a split batch go: a route, or a shard's target

NativeWrite = Callable[[WriteBatch], Awaitable[WriteOutcome]]
# Runs a queued statement on one target (statement_replay.StatementReplay.deliver).
DeliverStatement = Callable[[str, QueuedStatement], Awaitable[Delivery]]
# The coarsest precision every v2 and v3 upstream takes; 1.x's m and h are rescaled to it.
RESCALED = Precision.SECOND
# Bodies (as sent) past which inflating, stamping and the crash guard's read run in a worker
# thread rather than on the event loop: below them the hop to the thread costs about as much
# as the work (5,000 lines are 600 KB plain, 55 KB gzip: 0.15 ms to inflate, 0.7 ms to stamp).
OFF_LOOP_GZIP = 8 * 1024
OFF_LOOP_PLAIN = 64 * 1024
# What a mirror did with a batch (Fanout._mirror_one).
STORED, QUEUED, REFUSED = "stored", "queued", "refused"


@dataclass(frozen=True, slots=True)
class Forward:
    """One batch on its way to a target: plain or gzip bytes in the caller's terms."""

    namespace: Namespace
    body: bytes
    precision: Precision
    gzip: bool
    received_ns: int
    accept_partial: bool = True
    sync: bool = True
    # Read once for every target (a mirror's, or the parts' of a split): holds no `\\=`, so
    # the crash guard of each 1.x or 2.x target need not inflate and read it again.
    hazard_free: bool = False


class Fanout:
    """Sends writes to the targets of their route."""

    def __init__(self, router: Router, native: NativeWrite,
                 queue_factory: Callable[[str], ReplayQueue], statements: DeliverStatement, *,
                 max_body_bytes: int, backoff_initial_seconds: float,
                 backoff_max_seconds: float) -> None:
        self._router = router
        self._native = native
        self._statements = statements
        self._limit = max_body_bytes
        self._queue_factory = queue_factory
        self._backoff = (backoff_initial_seconds, backoff_max_seconds)
        self.queues: dict[str, ReplayQueue] = {}
        self.replayers: dict[str, Replayer] = {}
        self.counters: dict[str, TargetCounters] = {}
        self._opening = asyncio.Lock()

    async def open_queue(self, target: str) -> ReplayQueue:
        """The target's replay queue, opened (and its replayer started) on first use."""
        if target in self.queues:  # every mirrored write asks: no lock once it is open
            return self.queues[target]
        async with self._opening:
            if target not in self.queues:
                queue = self._queue_factory(target)
                await asyncio.to_thread(queue.open)
                replayer = Replayer(queue, self._delivery(target),
                                    backoff_initial_seconds=self._backoff[0],
                                    backoff_max_seconds=self._backoff[1])
                self.queues[target], self.replayers[target] = queue, replayer
                replayer.start()
            return self.queues[target]

    async def close(self) -> None:
        await asyncio.gather(*(r.stop() for r in self.replayers.values()))
        for queue in self.queues.values():
            await queue.close()

    def _count(self, target: str) -> TargetCounters:
        return self.counters.setdefault(target, TargetCounters())

    async def write(self, batch: WriteBatch) -> WriteOutcome:
        if batch.stream is not None:
            route = self._streamed_route(batch)
            if route is not None:
                return await self._send_upstream(
                    route.targets[0], batch.namespace, batch.stream, batch.precision,
                    batch.encoding == GZIP, batch.credentials if route.passthrough else None,
                    accept_partial=batch.accept_partial)
            batch = await batch.buffered()
        if not self._router.active:
            return await self._native(batch)
        credentials = batch.credentials
        database = batch.namespace.database
        resolved = self._router.resolve(database)
        if resolved.route.targets == (NATIVE,) and not self._router.by_measurement(database):
            return await self._native(batch)
        forward = Forward(batch.namespace, batch.body, batch.precision,
                          batch.encoding == GZIP, batch.received_ns, batch.accept_partial,
                          batch.sync)
        if not self._router.by_measurement(database):
            return await self._route(resolved, forward, credentials)
        # Some route names a measurement: split the batch and send each part its own way.
        resolve = self._router.resolver(database)
        guarded = self._guarded()
        split = await _sized(forward.body, forward.gzip, _split, forward, self._limit,
                             "measurement",
                             # Measurement keys come unescaped: the name as queries spell it.
                             lambda name: resolve(name.decode("utf-8", "replace")),
                             lambda routes: any(t in guarded for r in routes
                                                for t in r.route.targets))
        results = await asyncio.gather(
            *(numbered(self._route(route, replace(split.plain, body=body), credentials),
                       parts, split.plain.precision)
              for route, parts, body in split.parts),
            return_exceptions=True)
        return combine(results, split.guard, [route.route.targets for route, _, _ in split.parts])

    def _guarded(self) -> frozenset[str]:
        """The upstreams (by name) whose writes pass the crash guard: 1.x and 2.x."""
        return frozenset(name for name, upstream in self._router.upstreams.items()
                         if upstream.generation in GUARDED)

    def _streamed_route(self, batch: WriteBatch) -> RouteConfig | None:
        """The route of a batch that can be passed on as it arrives: `single` to an upstream
        that takes the caller's precision, so nothing is rewritten (mirrors and shards need
        the whole body: for the replay queue, to split it)."""
        if not self._router.active:
            return None
        database = batch.namespace.database
        route = self._router.resolve(database).route
        if route.mode != "single" or self._router.by_measurement(database):
            return None
        upstream = self._router.upstreams.get(route.targets[0])
        return route if upstream is not None and upstream.accepts(batch.precision) else None

    async def _route(self, resolved: ResolvedRoute, forward: Forward,
                     credentials: PassCredentials | None) -> WriteOutcome:
        route = resolved.route
        creds = credentials if route.passthrough else None
        if route.mode == "single":
            return await self._send(route.targets[0], forward, creds)
        if route.mode == "shard":
            return await self._shard(resolved, forward, creds)
        return await self._mirror(route.targets[0], route.targets[1:], forward, creds)

    async def _shard(self, resolved: ResolvedRoute, forward: Forward,
                     credentials: PassCredentials | None) -> WriteOutcome:
        ring = resolved.ring
        assert ring is not None
        guarded = not self._guarded().isdisjoint(resolved.route.targets)
        # Measurement keys come unescaped, so reads find a measurement's shard by its name.
        split = await _sized(forward.body, forward.gzip, _split, forward, self._limit,
                             resolved.route.shard_by, ring.target, lambda _: guarded)
        results = await asyncio.gather(
            *(numbered(self._send(target, replace(split.plain, body=body), credentials),
                       chunks, split.plain.precision)
              for target, chunks, body in split.parts),
            return_exceptions=True)
        return combine(results, split.guard, [(target,) for target, _, _ in split.parts])

    async def _mirror(self, primary: str, mirrors: tuple[str, ...], forward: Forward,
                      credentials: PassCredentials | None) -> WriteOutcome:
        forward = await _sized(forward.body, forward.gzip, self._stamped, forward)
        for mirror in mirrors:
            # A backlogged mirror whose queue is full refuses the write before the primary
            # stores it, so that a 503 means nothing was written anywhere.
            queue = await self.open_queue(mirror)
            if self.replayers[mirror].backlogged:
                queue.check_room(_queued(forward))
        first = asyncio.ensure_future(self._send(primary, forward, credentials))
        others = [asyncio.ensure_future(self._mirror_one(m, forward, credentials))
                  for m in mirrors]
        # Every mirror must hold the batch (written or durably queued) before the answer.
        await asyncio.gather(first, *others, return_exceptions=True)
        held = [task.result() for task in others]  # a queue that is full refuses the write
        outcome = first.result()
        # What each mirror did, for a split write's answer naming the targets that stored.
        outcome.queued.extend(m for m, how in zip(mirrors, held, strict=True) if how == QUEUED)
        outcome.refused_by.extend(m for m, how in zip(mirrors, held, strict=True)
                                  if how == REFUSED)
        return outcome

    async def _mirror_one(self, target: str, forward: Forward,
                          credentials: PassCredentials | None) -> str:
        """Send to one mirror, or queue for it: STORED, QUEUED or REFUSED (for good)."""
        queue = self.queues[target]
        if self.replayers[target].backlogged:
            await self._enqueue(target, queue, forward)
            return QUEUED
        try:
            await self._send(target, forward, credentials)
        except GatewayError as exc:
            if kept_for_later(exc):
                await self._enqueue(target, queue, forward)
                return QUEUED
            self._count(target).rejected += 1
            log.warning("mirror %s refused a batch for %s: %s", target,
                        forward.namespace.database, exc.message)
            return REFUSED
        return STORED

    async def _enqueue(self, target: str, queue: ReplayQueue, forward: Forward) -> None:
        await queue.append(_queued(forward))
        self._count(target).queued += 1

    async def enqueue_statement(self, target: str, entry: QueuedStatement) -> None:
        """Queue a statement for a mirror, behind its batches; on disk when this returns."""
        await (await self.open_queue(target)).append(entry)
        self._count(target).queued_statements += 1

    def _delivery(self, target: str) -> Callable[[QueuedEntry], Awaitable[Delivery]]:
        async def deliver(entry: QueuedEntry) -> Delivery:
            if target != NATIVE and target not in self._router.upstreams:
                # Left by an earlier configuration: kept until the upstream is back.
                return Delivery(Outcome.RETRY, None, f"upstream {target} is not configured")
            if isinstance(entry, QueuedStatement):
                delivery = await self._statements(target, entry)
            else:
                forward = Forward(Namespace(entry.database, entry.retention_policy),
                                  entry.body, Precision(entry.precision), entry.gzip,
                                  entry.enqueued_ns)
                try:
                    await self._send(target, forward, None)
                except GatewayError as exc:
                    delivery = delivery_of(exc)
                else:
                    delivery = Delivery(Outcome.DELIVERED)
            if delivery.outcome is Outcome.REJECTED:
                self._count(target).rejected += 1
            return delivery
        return deliver

    async def _send(self, target: str, forward: Forward,
                    credentials: PassCredentials | None) -> WriteOutcome:
        """Write to one target; an error answer raises in the caller's terms."""
        counters = self._count(target)
        if target == NATIVE:
            try:
                outcome = await self._native(WriteBatch(
                    forward.namespace, forward.body, forward.precision, forward.received_ns,
                    GZIP if forward.gzip else None, forward.accept_partial, forward.sync))
            except GatewayError as exc:
                counters.failed[exc.category.value] += 1
                raise
            counters.written += 1
            return outcome
        upstream = self._router.upstreams[target]
        if upstream.accepts(forward.precision):  # sent as it is: no work
            body, precision, gzip = forward.body, forward.precision, forward.gzip
        else:
            body, precision, gzip = await _sized(forward.body, forward.gzip,
                                                 self._for_upstream, upstream, forward)
        return await self._send_upstream(target, forward.namespace, body, precision, gzip,
                                         credentials, accept_partial=forward.accept_partial,
                                         hazard_free=forward.hazard_free)

    async def _send_upstream(self, target: str, namespace: Namespace,
                             body: bytes | BodyStream, precision: Precision, gzip: bool,
                             credentials: PassCredentials | None, *,
                             accept_partial: bool = True,
                             hazard_free: bool = False) -> WriteOutcome:
        """Write to one upstream (in a precision it takes); an error answer raises in the
        caller's terms. A streamed body that failed on the caller's side (past the size limit,
        the caller gone) raises that failure: the upstream request was abandoned before the
        body's end, so the upstream stored none of it. A 1.x or 2.x upstream is never sent
        the points that crash 1.x (upstream_guard): they are named in a partial write, unless
        the body is known to be `hazard_free`. A large body is checked in a worker thread."""
        counters = self._count(target)
        upstream = self._router.upstreams[target]
        stream = body if isinstance(body, BodyStream) else None
        guard = Guard() if upstream.generation in GUARDED else None
        if guard is not None and stream is not None:
            body, gzip = await guard.stream(stream, gzip, self._limit,
                                            accept_partial=accept_partial)
        elif guard is not None and not hazard_free:
            assert isinstance(body, bytes)
            body, gzip = await _sized(body, gzip, guard.check, body, gzip, self._limit,
                                      accept_partial=accept_partial)
        try:
            reply = await upstream.write(self._router.namespace_for(target, namespace), body,
                                         precision, gzip=gzip, credentials=credentials)
        except UpstreamFailure as exc:
            if guard is not None and guard.failure is not None:
                raise guard.failure from None
            if stream is not None and stream.failure is not None:
                raise stream.failure from None
            counters.failed[exc.kind.value] += 1
            raise failure_error(exc) from None
        if stream is not None and stream.failure is not None:
            raise stream.failure  # answered before the body's end: not what the caller sent
        if guard is not None:
            reply = guard.answer(reply)
        if not reply.ok:
            counters.failed[str(reply.status)] += 1
            raise RelayedError(target, reply)
        counters.written += 1
        if guard is not None:
            guard.finish()
        return WriteOutcome()

    def _for_upstream(self, upstream: Upstream, forward: Forward
                      ) -> tuple[bytes, Precision, bool]:
        """The bytes of a batch in a precision the upstream does not take, inflated and
        rescaled once to one it takes. Pure, so it can run in a worker thread."""
        plain = self._resolved(forward)
        if upstream.accepts(plain.precision):
            return plain.body, plain.precision, False
        return rescale_timestamps(plain.body, plain.precision, RESCALED), RESCALED, False

    def _resolved(self, forward: Forward) -> Forward:
        """A batch in v3's `auto` precision in one fixed unit (others are returned as they
        are): the times the native store would guess, for upstreams that cannot guess."""
        if forward.precision is not Precision.AUTO:
            return self._plain(forward)
        plain = self._plain(forward)
        body, unit = resolve_auto(plain.body)
        return replace(plain, body=body, precision=unit)

    def _plain(self, forward: Forward) -> Forward:
        return _plain(forward, self._limit)

    def _stamped(self, forward: Forward) -> Forward:
        """A mirrored batch as every target gets it: times stamped, and read once for the
        crash guard (timestamps added or rescaled cannot make a `\\\\=`). Pure, so it can
        run in a worker thread."""
        if forward.precision is Precision.AUTO:
            # Resolved once here, so that every target stores the times guessed here.
            forward = self._resolved(forward)
        plain = self._plain(forward)
        stamp = truncate_nanos(forward.received_ns, forward.precision) // forward.precision.nanos
        body = stamp_missing(plain.body, stamp)
        hazard_free = not may_hold_hazard(body)
        if body is plain.body:  # nothing to stamp: the caller's bytes go out as sent
            return replace(forward, hazard_free=hazard_free)
        return replace(plain, body=body, hazard_free=hazard_free)


@dataclass(frozen=True, slots=True)
class _Split(Generic[K]):
    """A batch split among targets: the plain body split (its crashing points blanked out
    when a part goes to a 1.x or 2.x upstream), the guard that answers for them, and each
    place's part (`split_placed`: its lines in body order)."""

    plain: Forward
    guard: Guard | None
    parts: list[tuple[K, list[Part], bytes]]


def _split(forward: Forward, limit: int, key: SplitKey, place: Callable[[bytes], K],
           guarded: Callable[[Collection[K]], bool]) -> _Split[K]:
    """`forward`'s points grouped by `key` and each group placed (`place`: its route, or
    its shard). When `guarded` says some place sends to a 1.x or 2.x upstream, the body's
    crashing points are blanked out before the split (`split_guarded`), so that the partial
    write names them by their line in the caller's body. Pure, so it can run in a worker
    thread; the body is read whole (the crash guard's check of its parts is spared when it
    holds no `\\\\=`)."""
    plain = _plain(forward, limit)
    groups = _placed(plain.body, key, place)
    guard = None
    if guarded(groups):
        body, guard = split_guarded(plain.body, limit, accept_partial=plain.accept_partial)
        if guard is not None:
            groups = _placed(body, key, place)
        plain = replace(plain, body=body, hazard_free=not may_hold_hazard(body))
    return _Split(plain, guard, [(at, parts, joined(parts)) for at, parts in groups.items()])


def _placed(body: bytes, key: SplitKey, place: Callable[[bytes], K]) -> dict[K, list[Part]]:
    return {at: [part] for at, part in split_placed(body, key, place).items()}


def _plain(forward: Forward, limit: int) -> Forward:
    if not forward.gzip:
        return forward
    return replace(forward, body=inflate(forward.body, limit), gzip=False)


async def _sized(body: bytes, gzip: bool, work: Callable[..., T], *args: Any,
                 **kwargs: Any) -> T:
    """`work(*args, **kwargs)`, work on `body`: in a worker thread when the body is large
    (`OFF_LOOP_GZIP`, `OFF_LOOP_PLAIN`), so that other requests are served meanwhile; on the
    event loop otherwise."""
    if len(body) > (OFF_LOOP_GZIP if gzip else OFF_LOOP_PLAIN):
        return await asyncio.to_thread(work, *args, **kwargs)
    return work(*args, **kwargs)


def _queued(forward: Forward) -> QueuedWrite:
    return QueuedWrite(
        database=forward.namespace.database,
        retention_policy=forward.namespace.retention_policy,
        precision=forward.precision.value, body=forward.body, gzip=forward.gzip,
        enqueued_ns=forward.received_ns)
