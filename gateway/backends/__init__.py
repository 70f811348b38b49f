"""Back ends: the native store and (later) upstream InfluxDB servers."""
