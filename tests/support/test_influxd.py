"""The private 1.6.7's admin set-up (`influxd.py`): a 200 with an error in the body is a failure."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.influxd import Influxd, InfluxdMissing, influxd
from tests.support.required import unavailable

pytestmark = pytest.mark.slow


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Influxd]:
    """A 1.6.7 with auth-enabled = true and no user yet."""
    try:
        started = influxd(tmp_path_factory.mktemp("influxd-admin"), auth=True).start()
    except InfluxdMissing as exc:
        unavailable(str(exc))
    yield started
    started.stop()


def test_the_admin_made_is_there_and_signs_in(server: Influxd) -> None:
    server.create_admin("root", "pw")
    assert server.query("SHOW DATABASES", "root", "pw")[0] == 200
    assert server.query("SHOW DATABASES", "root", "wrong")[0] == 401


def test_a_statement_error_answered_200_fails(influxdb1: Influxd) -> None:
    # auth off: a second CREATE USER with another password is answered 200 with the error
    # "user already exists" in the body, which a check of the status alone took for success
    name = f"dup_{os.getpid()}"
    influxdb1.create_admin(name, "first")
    status, body = influxdb1.query(f"CREATE USER \"{name}\" WITH PASSWORD 'other' "
                                    "WITH ALL PRIVILEGES")
    assert (status, "user already exists" in body) == (200, True)
    with pytest.raises(AssertionError, match="user already exists"):
        influxdb1.create_admin(name, "other", timeout=0.5)
