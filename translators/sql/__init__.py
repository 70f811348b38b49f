"""InfluxDB 3 SQL (DataFusion's dialect) to DuckDB SQL, for one database, read-only."""

from .influxdb3 import SqlRejected, engine_message, translate_query

__all__ = ["SqlRejected", "engine_message", "translate_query"]
