"""Which 1.x callers' InfluxQL requests a route sends on without parsing them, and where.

A parse costs far more than relaying a small answer, and the upstream parses the text anyway,
so a request is relayed unparsed when nothing the gateway does needs its statements: its
route is decided by the request's own database, no statement names another or changes what
several targets hold, and its statements, counted from a scan of the text, need no splitting.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.backends.upstream.base import Generation
from gateway.config import NATIVE, RouteConfig
from gateway.services.influxql import InfluxQLRequest
from gateway.services.routing import Router
from gateway.services.upstream_watch import relays_json
from translators.encoders.influxql_format import V1Format, negotiate_v1_format
from translators.influxql.screen import (
    may_change,
    may_read_elsewhere,
    names_databases,
    statement_count,
)


@dataclass(frozen=True, slots=True)
class Unparsed:
    targets: list[str]  # the read targets, in failover order
    route: RouteConfig
    count: int  # the statements, as a scan of the text counts them


def unparsed_route(router: Router, request: InfluxQLRequest, timeout: float | None
                   ) -> Unparsed | None:
    """The read targets (and their route, and the count of statements) of a 1.x caller's
    request that needs no parse to be routed or rewritten, else None. That is a request
    whose every statement reads the request's database (or one whose route serves every
    database), whose route sends all of that database to the same targets (no shards, no
    measurement routes), and which creates, drops or lists no database (those are
    answered from every target)."""
    if request.caller is not Generation.V1 or names_databases(request.text):
        return None
    fixed = router.fixed_read_targets()
    if fixed is not None:
        targets, route = fixed, router.routes[0].route
    elif request.database and not router.by_measurement(request.database):
        route = router.resolve(request.database).route
        if route.mode == "shard" and not route.read:
            return None
        targets = router.read_targets(request.database)
    else:
        return None
    if route.mode in ("mirror", "shard") and may_change(request.text):
        return None  # may change what the mirrors or shards hold too: parsed, sent to each
    generations = {router.generation(t) for t in targets if t != NATIVE}
    if None in generations:
        return None  # an upstream no longer configured: the parsed path reports it
    # Statements are counted from a scan of the text (a parse costs far more), and
    # only when a `;` may part them.
    count = statement_count(request.text) if ";" in request.text else 1
    if (count is None or count > 1) and (
            timeout is not None or Generation.V3 in generations) and not (
            count and generations == {Generation.V1} and relays_json(request)):
        # Several statements are read as 1.x finishes each, JSON callers' unparsed, the
        # others' parsed; 2.x and 3 are sent them one at a time (`upstream_query._upstream`).
        return None
    if generations - {Generation.V1} and (
            not request.database  # answered by the native store when parsed
            or may_read_elsewhere(request.text)  # 2.x and 3 need qualified names rewritten
            or negotiate_v1_format(request.accept) is V1Format.MSGPACK):  # re-encoded
        return None
    if fixed is None and may_read_elsewhere(request.text):
        return None  # a statement may read a database that another route serves
    if Generation.V3 in generations and may_change(request.text):
        return None  # a DROP goes through InfluxDB 3's configure API (influxdb3_drops)
    return Unparsed(targets, route, count or 0)
