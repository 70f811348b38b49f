"""Upstream InfluxDB servers (1.x, 2.x, 3.x) reached over HTTP."""

from .factory import build_upstream

__all__ = ["build_upstream"]
