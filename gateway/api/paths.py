"""Every HTTP path the gateway serves, in one place."""

PING = "/ping"
HEALTH = "/health"
HEALTH_V1 = "/api/v1/health"
READY = "/ready"

V1_WRITE = "/write"
V1_QUERY = "/query"

V2_WRITE = "/api/v2/write"
V2_SOURCES = "/api/v2/sources"
V2_SOURCE = "/api/v2/sources/{sourceID}"
V2_SOURCE_BUCKETS = "/api/v2/sources/{sourceID}/buckets"
V2_SOURCE_HEALTH = "/api/v2/sources/{sourceID}/health"
V2_SOURCE_QUERY = "/api/v2/sources/{sourceID}/query"  # linked as OSS links it; not served

V3_WRITE_LP = "/api/v3/write_lp"
V3_QUERY_SQL = "/api/v3/query_sql"
V3_QUERY_INFLUXQL = "/api/v3/query_influxql"
V3_DATABASE = "/api/v3/configure/database"
V3_TABLE = "/api/v3/configure/table"

METRICS = "/metrics"
ADMIN_REPLAY = "/admin/replay"  # the gateway's own: mirrors and their replay queues
ADMIN_ROUTES = "/admin/routes"  # the route list in force; PUT replaces it, DELETE resets it

# Paths that answer without credentials, as in InfluxDB.
OPEN = frozenset({PING, HEALTH, HEALTH_V1, READY})


def generation(path: str) -> str:
    """Which API generation's error format a path speaks."""
    if path.startswith("/api/v3/"):
        return "v3"
    if path.startswith("/api/v2/") or path in (HEALTH, READY):
        return "v2"
    return "v1"
