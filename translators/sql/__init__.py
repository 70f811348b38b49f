"""InfluxDB 3 SQL (DataFusion's dialect) to DuckDB SQL, for one database, read-only."""

from .engine_messages import engine_message
from .influxdb3 import SqlRejected, Translation, translate, translate_query
from .zones import apply_zones

__all__ = ["SqlRejected", "Translation", "apply_zones", "engine_message", "translate",
           "translate_query"]
