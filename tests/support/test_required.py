"""A test needing a real server or tool fails in CI when it is missing, and is skipped
elsewhere: run here with neither influxd nor openssl on the PATH, every module's own way of
starting one must end in a failure under CI=true."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# One test per fixture that starts an InfluxDB 1.6.7 (or needs the openssl CLI).
NEEDING = [
    "tests/support/test_influxd.py::test_the_admin_made_is_there_and_signs_in",
    "tests/support/test_influxd.py::test_a_statement_error_answered_200_fails",  # conftest's
    "tests/support/test_ports.py::test_an_influxd_whose_port_was_taken_starts_on_another",
    "tests/upstream/test_upstream_cancel.py::test_a_caller_that_leaves_cancels_the_upstream_query",
    "tests/upstream/test_sharded_reads.py::test_delete_reaches_every_shard",
    "tests/upstream/test_influxd_start.py::test_a_server_on_the_chosen_port_is_not_taken_for_"
    "influxd",
    "tests/upstream/test_crash_guard.py::test_other_bad_lines_are_named_with_the_crashing_ones",
    "tests/oracle/influxql/test_influxql.py::test_reference_is_influxdb_167_with_the_dataset",
    "tests/oracle/influxql/test_grafana.py::test_route_reaches_the_upstream",
    "tests/oracle/test_crash_rule.py::test_harmless_lines_leave_it_up",
    "tests/backends/upstream/test_influxdb1.py::test_the_gateways_credentials_sign_in",
    "tests/backends/upstream/test_http.py::test_tls_verified_with_the_configured_ca",
]


def run(ci: bool) -> str:
    """The summary line of a pytest run of NEEDING on a PATH holding only Python."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("CI", "INFLUXD_BIN")}
    env["PATH"] = str(Path(sys.executable).parent)
    if ci:
        env["CI"] = "true"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--tb=no", "-o", "addopts=", *NEEDING], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    return done.stdout.strip().splitlines()[-1]


def counts(summary: str) -> dict[str, int]:
    return {word.rstrip("s"): int(number)
            for number, word in re.findall(r"(\d+) (\w+)", summary)}


def test_missing_servers_fail_in_ci() -> None:
    found = counts(run(ci=True))
    assert set(found) <= {"failed", "error"}, found
    assert sum(found.values()) >= len(NEEDING), found


def test_missing_servers_are_skipped_elsewhere() -> None:
    found = counts(run(ci=False))
    assert set(found) == {"skipped"}, found
    assert found["skipped"] >= len(NEEDING), found
