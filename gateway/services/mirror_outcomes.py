"""What a mirror's failure means for its replay queue, one rule for writes and statements,
sent live or replayed: kept for later (no answer, timeout, 5xx, 429, and 401 or 403), or
refused for good (any other 4xx, and 1.x's 500 for a missing retention policy).

A 401 or 403 is kept rather than refused because it refuses credentials, not the data: on a
passthrough route the caller's, which the mirror may not know; on replay the gateway's own.
Either way the batch waits until credentials that work are given (bounded by the queue's
byte and age limits), instead of being dropped silently.
"""

from __future__ import annotations

from gateway.backends.replayer import Delivery, Outcome
from gateway.backends.upstream.base import Generation, UpstreamFailure, UpstreamReply
from gateway.errors import Category, GatewayError
from gateway.services.routing import RelayedError, failure_error

__all__ = ["delivery_of", "kept_for_later", "retryable"]

_RETRYABLE = (Category.UNAVAILABLE, Category.GATEWAY_TIMEOUT, Category.BAD_GATEWAY,
              Category.TOO_MANY_REQUESTS, Category.INTERNAL)


def retryable(error: GatewayError) -> bool:
    """The mirror cannot take it now but may later: down, slow, failing or overloaded."""
    if isinstance(error, RelayedError):
        return error.reply.retryable and not _missing_retention_policy(error.reply)
    return error.category in _RETRYABLE


def credentials_refused(error: GatewayError) -> bool:
    return isinstance(error, RelayedError) and error.status in (401, 403)


def kept_for_later(error: BaseException) -> bool:
    """Whether a mirror's failure queues (or keeps queued) what it was sent."""
    if isinstance(error, UpstreamFailure):
        return True
    return isinstance(error, GatewayError) and (retryable(error) or credentials_refused(error))


def delivery_of(error: BaseException) -> Delivery:
    """A replay attempt that raised `error`: RETRY when kept for later, else REJECTED."""
    if isinstance(error, UpstreamFailure):
        error = failure_error(error)
    if not isinstance(error, GatewayError):
        raise error
    if kept_for_later(error):
        return Delivery(Outcome.RETRY, error.retry_after, error.message)
    return Delivery(Outcome.REJECTED, detail=error.message)


def _missing_retention_policy(reply: UpstreamReply) -> bool:
    # InfluxDB 1.x answers a write to a retention policy it lacks with a 500 (a missing
    # database is a 404): the same batch fails until someone creates it, so it is refused,
    # not retried at the head of the queue, where it would hold back every later batch.
    return (reply.generation is Generation.V1 and reply.status == 500
            and reply.error_message().startswith("retention policy not found"))
