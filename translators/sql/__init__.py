"""InfluxDB 3 SQL (DataFusion's dialect) to DuckDB SQL, for one database, read-only."""

from .influxdb3 import SqlRejected, translate_query

__all__ = ["SqlRejected", "translate_query"]
