"""Several InfluxQL statements read from a 1.x upstream under the query timeout, for a 1.x
caller asking for JSON: relayed as 1.x's own bytes, yet read as each statement finishes.

The upstream is asked for the caller's request chunked (1.x then sends each statement's
results as it finishes them), and its bytes are kept as they arrive. Answered in time, the
chunked lines are what a chunked caller gets, and an unchunked caller gets them spliced into
1.x's unchunked answer (`unchunk_v1_json`), neither decoded nor re-encoded; a shape the
splice does not cover is decoded. Cut short by the timeout, the lines of the statements that
had finished are decoded (`finished_v1_json`) and answered with the rest cut short, as the
native store answers. Before this, such requests were read as MessagePack and every value
decoded and re-encoded: about ten times the gateway's CPU for a 10,000-row answer.
"""

from __future__ import annotations

import dataclasses

from gateway.backends.upstream.base import InfluxQLCall, Upstream, UpstreamReply
from gateway.errors import Category, GatewayError, invalid
from gateway.services.influxql import InfluxQLAnswer, InfluxQLRequest, parse_request
from gateway.services.routing import RelayedError
from translators.encoders.influxql_chunks import Chunking
from translators.encoders.influxql_format import V1Format, negotiate_v1_format
from translators.influxql import ast
from translators.influxql.decode import MalformedAnswer, RequestFailed, decode_v1_chunks
from translators.influxql.results import StatementResult
from translators.influxql.v1_json_chunks import finished_v1_json, unchunk_v1_json


def relays_json(request: InfluxQLRequest) -> bool:
    """Whether a 1.x caller's answer can be 1.x's JSON bytes (not pretty-printed: the splice
    reads single-line results)."""
    return not request.pretty and negotiate_v1_format(request.accept) is V1Format.JSON


async def json_statements(upstream: Upstream, call: InfluxQLCall,
                          statements: list[ast.Statement], request: InfluxQLRequest,
                          received: bytearray) -> InfluxQLAnswer:
    """The answer of `statements` (`call`, in the caller's form) asked of 1.x chunked, its
    bytes put in `received` as they arrive."""
    reply = await upstream.influxql(dataclasses.replace(call, chunked=True),
                                    credentials=request.credentials, received=received)
    if reply.retryable:
        raise RelayedError(upstream.name, reply)
    if not reply.ok or request.chunked:
        return InfluxQLAnswer(relay=reply)  # what 1.x answers the caller's own request
    body = unchunk_v1_json(reply.body)
    if body is not None:
        return InfluxQLAnswer(relay=UpstreamReply(reply.status, body, reply.headers,
                                                  reply.generation))
    try:
        results = decode_v1_chunks(reply.body, epoch=request.epoch)
    except RequestFailed as exc:
        raise invalid(str(exc)) from None
    except MalformedAnswer as exc:
        raise GatewayError(Category.BAD_GATEWAY,
                           f"upstream {upstream.name} answered something unusable: {exc}"
                           ) from None
    return InfluxQLAnswer.of(results, statements)


def finished_json(received: bytearray, request: InfluxQLRequest) -> list[StatementResult]:
    """The statements that had finished when `json_statements` was cut short."""
    try:
        return finished_v1_json(bytes(received), epoch=request.epoch)
    except (RequestFailed, MalformedAnswer):
        return []


async def chunking_of(request: InfluxQLRequest) -> dict[int, Chunking]:
    """How 1.x chunks each statement of a request relayed unparsed, for an answer that had
    to be decoded (cut short by the timeout, or a shape not spliced): the parse that tells
    it is left to these rare answers. None known when the text does not parse here (the
    encoders then guess from each result)."""
    try:
        statements = await parse_request(request.text, request.params)
    except GatewayError:
        return {}
    return InfluxQLAnswer.of([], statements).chunking
