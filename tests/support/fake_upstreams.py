"""Test doubles for upstream servers, under the names the tests import: the fakes of
InfluxDB 2 and 3, the fault servers and TLS helpers live in tests/support/fakes/ (see its
base module for how to start one and make it fail)."""

from tests.support.fakes.base import (
    BODY,
    BackgroundLoop,
    FakeServer,
    Handler,
    Received,
    Trouble,
    bearer_or_token,
    line_problem,
    split_lines,
    v1_credentials_hold,
)
from tests.support.fakes.faults import FaultServer, unaccepting_port
from tests.support.fakes.influxdb2 import Bucket, FakeInfluxDB2
from tests.support.fakes.influxdb3 import FakeInfluxDB3
from tests.support.fakes.tls import self_signed_certificate, server_tls

__all__ = ["BODY", "BackgroundLoop", "Bucket", "FakeInfluxDB2", "FakeInfluxDB3", "FakeServer",
           "FaultServer", "Handler", "Received", "Trouble", "bearer_or_token", "line_problem",
           "self_signed_certificate", "server_tls", "split_lines", "unaccepting_port",
           "v1_credentials_hold"]
