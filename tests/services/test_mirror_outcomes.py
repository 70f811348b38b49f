"""What a mirror's answer means for its replay queue (mirror_outcomes.delivery_of), the one
rule for writes and statements."""

from __future__ import annotations

import json

import pytest

from gateway.backends.replayer import Delivery, Outcome
from gateway.backends.upstream.base import FailureKind, Generation, UpstreamFailure, UpstreamReply
from gateway.errors import invalid
from gateway.services.mirror_outcomes import delivery_of
from gateway.services.routing import RelayedError


def answered(status: int, message: str, *, retry_after: str = "",
             generation: Generation = Generation.V1) -> RelayedError:
    headers = {"retry-after": retry_after} if retry_after else {}
    return RelayedError("m", UpstreamReply(status, json.dumps({"error": message}).encode(),
                                           headers, generation))


@pytest.mark.parametrize(("error", "expected"), [
    pytest.param(answered(429, "slow down", retry_after="5"),
                 Delivery(Outcome.RETRY, 5.0, "slow down"), id="429"),
    pytest.param(answered(503, "down"), Delivery(Outcome.RETRY, None, "down"), id="503"),
    # Credentials refused, not the entry: kept until they are fixed.
    pytest.param(answered(401, "authorization failed"),
                 Delivery(Outcome.RETRY, None, "authorization failed"), id="401"),
    pytest.param(answered(403, "forbidden", generation=Generation.V2),
                 Delivery(Outcome.RETRY, None, "forbidden"), id="403"),
    pytest.param(answered(400, "bad line", retry_after="5"),
                 Delivery(Outcome.REJECTED, None, "bad line"), id="400"),
    pytest.param(answered(404, "database not found: x"),
                 Delivery(Outcome.REJECTED, None, "database not found: x"), id="404"),
    pytest.param(answered(500, "retention policy not found: rp"),
                 Delivery(Outcome.REJECTED, None, "retention policy not found: rp"),
                 id="1.x-500-missing-policy"),
    pytest.param(answered(500, "retention policy not found: rp", generation=Generation.V3),
                 Delivery(Outcome.RETRY, None, "retention policy not found: rp"),
                 id="3-500"),
    pytest.param(invalid("no such table"), Delivery(Outcome.REJECTED, None, "no such table"),
                 id="gateway-400"),
])
def test_an_answer_is_kept_or_refused(error: Exception, expected: Delivery) -> None:
    assert delivery_of(error) == expected


def test_no_answer_is_kept() -> None:
    delivery = delivery_of(UpstreamFailure("m", FailureKind.REFUSED, "connection refused"))
    assert delivery.outcome is Outcome.RETRY
    assert "upstream m is unavailable: connection refused" in delivery.detail
