"""Pure, synchronous translations between InfluxDB wire formats (no I/O, no asyncio)."""
