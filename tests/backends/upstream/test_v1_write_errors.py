"""Reading InfluxDB 1.x's 400 for a write, on the messages a real 1.6.7 sends."""

from __future__ import annotations

import time

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.backends.upstream.v1_write_errors import Unparsed, V1WriteError, read_write_error
from tests.support.influxd import Influxd

NOW = time.time_ns()


async def refusal(influxdb1: Influxd, body: bytes, rp: str | None = None) -> str:
    """1.6.7's error message for `body` written to database "v1errors"."""
    params = {"db": "v1errors", **({"rp": rp} if rp else {})}
    async with aiohttp.ClientSession() as session:
        for statement in ("CREATE DATABASE v1errors",
                          "CREATE RETENTION POLICY hour ON v1errors DURATION 1h REPLICATION 1"):
            async with session.post(f"{influxdb1.url}/query", params={"q": statement}) as made:
                assert made.status == 200
        async with session.post(f"{influxdb1.url}/write", params=params, data=body) as reply:
            assert reply.status == 400
            message = (await reply.json())["error"]
    assert isinstance(message, str)
    return message


@pytest.mark.parametrize(("body", "rp", "read"), [
    pytest.param(b"m v=x 1\n  m v=y 2\r", None, V1WriteError(
        (Unparsed("m v=x 1", "invalid boolean"), Unparsed("m v=y 2\r", "invalid boolean"))),
        id="nothing-parsed-blanks-and-carriage-return"),
    pytest.param(b'm v=1 1\nm s="a\nb",v=x 2\nm v=x 3', None, V1WriteError(
        (Unparsed('m s="a\nb",v=x 2', "invalid boolean"), Unparsed("m v=x 3", "invalid boolean")),
        partial=True), id="partial-a-point-over-two-lines"),
    pytest.param(b"m2 v=1 1\nm2 v=\"s\" 2\nm2 v=x 3", None, V1WriteError(
        partial=True, dropped=1, refusal='field type conflict: input field "v" on measurement '
                                         '"m2" is type string, already exists as type float'),
        id="type-conflict-hides-the-parse-error"),
    pytest.param(b"m3,time=1 v=1 1\nm3 v=1 2", None, V1WriteError(
        partial=True, dropped=1,
        refusal='invalid tag key: input tag "time" on measurement "m3" is invalid'),
        id="time-tag"),
    pytest.param(f"m v=1 1\nm v=1 2\nm v=1 {NOW}".encode(), "hour", V1WriteError(
        partial=True, dropped=2, refusal="points beyond retention policy"),
        id="beyond-retention"),
])
async def test_1x_write_errors_are_read_and_written_back_in_its_words(
        influxdb1: Influxd, body: bytes, rp: str | None, read: V1WriteError) -> None:
    message = await refusal(influxdb1, body, rp)
    assert read_write_error(message) == read
    assert read.message() == message


@pytest.mark.parametrize("message", [
    "database not found: \"nope\"",
    "partial write: unable to parse 'm v=x 1': invalid boolean",  # cut before dropped=
    "unable to parse 'm v=x 1 invalid boolean",
    "partial write:  dropped=1",
])
def test_other_answers_are_not_read_as_write_errors(message: str) -> None:
    assert read_write_error(message) is None


# A line's text may hold anything but the words that begin the next line's description;
# 1.x's reasons are its parser's fixed words, which never hold `': `.
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30).filter(
    lambda text: "\nunable to parse '" not in text)
reasons = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"),
                  min_size=1, max_size=20).filter(lambda reason: "': " not in reason)


@given(st.lists(st.builds(Unparsed, texts, reasons), min_size=1, max_size=5), st.booleans())
def test_lines_written_in_1xs_words_read_back_the_same(
        unparsed: list[Unparsed], partial: bool) -> None:
    said = V1WriteError(tuple(unparsed), partial)
    assert read_write_error(said.message()) == said
