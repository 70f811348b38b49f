"""influx-gateway: one endpoint for InfluxDB v1, v2 and v3 clients."""

__version__ = "0.1.0"
