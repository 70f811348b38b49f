"""The fatal state's bookkeeping: what counts as fatal, and when the writer reopens."""

from __future__ import annotations

import duckdb
import pytest

from gateway.backends.native.outage import MAX_DELAY, Outage, describe, is_fatal
from gateway.errors import Category, GatewayError, StoreDown

INVALIDATED = ("FATAL Error: Failed: database has been invalidated because of a previous fatal "
               'error. The database must be restarted prior to being used again.\nOriginal '
               'error: "Failed to create checkpoint because of error: disk full"')


def raised_from(cause: BaseException) -> GatewayError:
    try:
        raise GatewayError(Category.INVALID, "query error") from cause
    except GatewayError as exc:
        return exc


@pytest.mark.parametrize(("error", "fatal"), [
    pytest.param(duckdb.FatalException("FATAL Error: x"), True, id="fatal"),
    pytest.param(duckdb.Error(INVALIDATED), True, id="invalidated"),
    pytest.param(raised_from(duckdb.FatalException("x")), True, id="raised-from-fatal"),
    pytest.param(duckdb.TransactionException("Failed to commit: disk full"), False,
                 id="commit-failed"),
    pytest.param(duckdb.OutOfMemoryException("x"), False, id="out-of-memory"),
    pytest.param(ValueError(INVALIDATED), False, id="not-duckdb"),
])
def test_what_is_fatal(error: BaseException, fatal: bool) -> None:
    assert is_fatal(error) is fatal


def test_an_invalidated_database_is_described_by_its_original_error() -> None:
    assert describe(duckdb.Error(INVALIDATED)) == (
        "Failed to create checkpoint because of error: disk full")


def test_reopen_attempts_back_off_and_a_new_outage_soon_after_goes_on() -> None:
    now = [100.0]
    outage = Outage(clock=lambda: now[0])
    assert outage.wait() is None
    assert outage.mark(duckdb.FatalException("disk full")) is True
    assert outage.mark(duckdb.FatalException("again")) is False  # one outage, counted once
    assert outage.fatal_errors == 1 and outage.reason == "disk full"
    assert outage.wait() == 0  # the first attempt at once
    delays = [outage.attempt_failed() for _ in range(9)]
    assert delays == [1, 2, 4, 8, 16, 32, MAX_DELAY, MAX_DELAY, MAX_DELAY]
    assert outage.wait() == MAX_DELAY
    refusal = outage.refusal()
    assert isinstance(refusal, StoreDown) and refusal.category is Category.UNAVAILABLE
    assert refusal.retry_after == MAX_DELAY and "disk full" in refusal.message
    outage.attempt_recovered()
    assert outage.wait() is None and outage.status(running=True).up
    now[0] += 5  # down again soon after: the backoff goes on where it stopped
    outage.mark(duckdb.FatalException("disk full"))
    assert outage.wait() == MAX_DELAY
    outage.attempt_recovered()
    now[0] += 3600  # down again long after: at once
    outage.mark(duckdb.FatalException("disk full"))
    assert outage.wait() == 0
    status = outage.status(running=True)
    assert (status.up, status.fatal_errors, status.recovered, status.failed) == (
        False, 3, 2, 9)
    assert not outage.status(running=False).up


def test_the_status_gives_the_latest_failed_reopens_reason() -> None:
    outage = Outage(clock=lambda: 0.0)
    outage.mark(duckdb.Error(INVALIDATED))
    assert outage.status(running=True).reason == (
        "Failed to create checkpoint because of error: disk full")
    outage.attempt_failed(duckdb.IOException("Could not write file: first"))
    outage.attempt_failed(duckdb.IOException("Could not write file: File too large"))
    assert outage.status(running=True).reason == (
        "Failed to create checkpoint because of error: disk full; the latest attempt to "
        "reopen it failed: Could not write file: File too large")
    outage.attempt_recovered()
    assert outage.status(running=True).reason == ""
    outage.mark(duckdb.FatalException("again"))  # a new outage: no attempt of it failed yet
    assert outage.status(running=True).reason == "again"
