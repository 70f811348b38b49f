"""DROP DATABASE and DROP MEASUREMENT for an InfluxDB 3 target, sent through its configure API.

InfluxDB 3 documents no DROP statement in its InfluxQL (its /query reads), so wherever the
gateway would send it one (a route's /query, live on a single, shard or mirror route; the v3
configure deletes; a mirror's replay of a queued statement) it sends
DELETE /api/v3/configure/database or /api/v3/configure/table instead, through this one
function. Only a statement alone has that form: a request holding one among other
statements is refused for an InfluxDB 3 target, before any target runs it.

DELETE and DROP SERIES have no form there at all: InfluxDB 3 documents its /query for reads
and its API deletes whole databases and tables, never points. A request holding either is
refused for a route that reaches an InfluxDB 3, before any target runs it, rather than leave
that target holding what the others deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gateway.errors import invalid
from gateway.model import Namespace, PassCredentials
from gateway.services.routing import RelayedError, Router
from translators.influxql import ast

__all__ = ["api_drop", "drop_on_influxdb3", "refuse_on_influxdb3"]

_DROPS = (ast.DropDatabase, ast.DropMeasurement)
_POINT_DELETES = (ast.Delete, ast.DropSeries)


def api_drop(statements: Sequence[ast.Statement]
             ) -> ast.DropDatabase | ast.DropMeasurement | None:
    """The request's statement when it is a DROP DATABASE or DROP MEASUREMENT alone (what an
    InfluxDB 3 target is sent through its API), else None."""
    if len(statements) == 1 and isinstance(statements[0], _DROPS):
        return statements[0]
    return None


def refuse_on_influxdb3(statements: Sequence[ast.Statement],
                        influxdb3_targets: Iterable[str]) -> None:
    """A 400 for a request that a route reaching an InfluxDB 3 (`influxdb3_targets`) cannot
    run there: a DELETE or DROP SERIES, which it has no way to run, or a DROP DATABASE or DROP
    MEASUREMENT with other statements (its API takes each alone, and its /query none)."""
    named = ", ".join(f"upstream {t}" for t in influxdb3_targets)
    if not named:
        return
    if any(isinstance(s, _POINT_DELETES) for s in statements):
        raise invalid(f"DELETE and DROP SERIES cannot reach {named} (InfluxDB 3): it has no "
                      "API that deletes points, only whole tables and databases (DROP "
                      "MEASUREMENT, DROP DATABASE); nothing was deleted")
    if len(statements) > 1 and any(isinstance(s, _DROPS) for s in statements):
        raise invalid(f"DROP DATABASE and DROP MEASUREMENT reach {named} (InfluxDB 3) through "
                      "its configure API, one at a time: send each in a request of its own")


async def drop_on_influxdb3(router: Router, target: str, database: str | None,
                            statement: ast.DropDatabase | ast.DropMeasurement, *,
                            credentials: PassCredentials | None = None,
                            gone_ok: bool = True) -> bool:
    """Drop on one InfluxDB 3 target what `statement` drops: the database it names, or its
    table of `database` (the request's; both the gateway's names, mapped for the target).

    True when dropped. With `gone_ok` a 404 (nothing to drop) is False, not an error, as
    1.x's DROP DATABASE succeeds for a database missing, its DROP MEASUREMENT for a
    measurement missing, and a replay may deliver an entry twice (target_statements then
    tells a DROP MEASUREMENT's missing database, 1.x's `database not found`, from its missing
    table); without it (v3 configure, whose caller is owed InfluxDB 3's own 404) it is
    relayed."""
    upstream = router.upstreams[target]
    if isinstance(statement, ast.DropDatabase):
        name = router.namespace_for(target, Namespace(statement.name)).database
        reply = await upstream.drop_database(name, credentials=credentials)
    else:
        if not database:
            raise invalid("database name required")
        name = router.namespace_for(target, Namespace(database)).database
        reply = await upstream.drop_table(name, statement.name, credentials=credentials)
    if not reply.ok and not (gone_ok and reply.status == 404):
        raise RelayedError(target, reply)
    return reply.ok
