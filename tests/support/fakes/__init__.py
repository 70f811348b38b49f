"""Test doubles for upstream servers, one module a kind: InfluxDB 2 and 3 as their API
references document them (influxdb2, influxdb3, on what base shares), servers that break HTTP
on purpose (faults), and TLS for them (tls). Tests import them from tests.support.fake_upstreams.
"""
