"""The crash rule (translators/lineprotocol/hazards.py) against a real InfluxDB 1.6.7.

Each line is written straight to a 1.6.7 of this module's own, restarted whenever one kills
it: a line the rule calls hazardous must kill it or draw a 500, and a line it calls harmless
must be answered 204 or 400 with the server still up. The tables are test_hazards.py's; more
lines are generated from a seed (`CRASHFUZZ_SEED`, `CRASHFUZZ_CASES` to explore further).
Lines the rule takes out though 1.6.7 refuses them anyway (a bad timestamp, an unsigned
value) are left out of the generated ones.
"""

from __future__ import annotations

import os
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest

from tests.support.influxd import Influxd, InfluxdMissing, influxd
from tests.support.required import unavailable
from tests.translators.lineprotocol.test_hazards import CRASHING, FAILING, HARMLESS
from translators.lineprotocol.hazards import hazardous

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("CRASHFUZZ_SEED", "67"))
CASES = int(os.environ.get("CRASHFUZZ_CASES", "40"))
_databases = count()


class Server:
    """A 1.6.7 started again, in a new directory, after a line kills it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.started = 0
        self.current: Influxd | None = None
        self.last: bytes | None = None  # the line last judged on `current`, if it is still up

    def up(self) -> Influxd:
        current = self.current
        if current is None or current.process is None or current.process.poll() is not None:
            # a line judged to leave it up must not have killed it since (a panic later than
            # the wait): this line fails for it, once, naming it
            late, self.last = self.last, None
            assert late is None, f"1.6.7 died after {late!r} was judged to leave it up"
            if current is not None:
                current.process = None  # already gone
            self.started += 1
            self.current = influxd(self.root / f"run{self.started}").start()
        assert self.current is not None
        return self.current

    def stop(self) -> None:
        if self.current is not None:
            self.current.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    keeper = Server(tmp_path_factory.mktemp("crash-rule"))
    try:
        keeper.up()
    except InfluxdMissing as exc:
        unavailable(str(exc))
    yield keeper
    keeper.stop()


def _request(url: str, body: bytes) -> tuple[int | None, str]:
    """POST; the status and body (None: the connection closed with no answer)."""
    try:
        with urllib.request.urlopen(url, data=body, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(errors="replace")
    except (urllib.error.URLError, ConnectionError):
        return None, ""


def _ping(url: str) -> int | None:
    try:
        with urllib.request.urlopen(f"{url}/ping", timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, ConnectionError):
        return None


def _write(current: Influxd, line: bytes) -> int | None:
    """Write `line` to a database made for it alone; the write's status.

    1.x answers a failed statement 200 with the error in the body, and a write to a database
    it lacks 404 before it reads the body (seen under load right after CREATE DATABASE): both
    are retried a few times, never taken for the line's outcome."""
    answers: list[tuple[str, int | None, str]] = []
    for _ in range(3):
        database = f"crash{next(_databases)}"
        form = urllib.parse.urlencode({"q": f'CREATE DATABASE "{database}"'}).encode()
        status, body = _request(f"{current.url}/query", form)
        answers.append(("create", status, body))
        if status == 200 and '"error"' not in body:
            status, body = _request(f"{current.url}/write?db={database}", line)
            answers.append(("write", status, body))
            if not (status == 404 and "database not found" in body):
                return status
        if status is None:  # no answer: it is going down
            return None
        time.sleep(0.2)
    raise AssertionError(f"{line!r} never reached a database of its own: {answers}")


def outcome(server: Server, line: bytes) -> str:
    """"crash", "500", or the status it answered below 500 (and is still up)."""
    current = server.up()
    server.last = None
    status = _write(current, line)
    assert current.process is not None
    if status is None:  # the connection closed with no answer: the process is going down
        current.process.wait(60)
        return "crash"
    if status != 400:  # stored: its store may panic in a goroutine of its own a moment later
        # longer for a line the rule calls hazardous; a later death after a line it calls
        # harmless fails the next line's `Server.up`
        deadline = time.monotonic() + (2.0 if hazardous(line) else 0.5)
        while current.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
    if current.process.poll() is not None or _ping(current.url) != 204:
        return "crash"
    server.last = line
    return "500" if status >= 500 else str(status)


@pytest.mark.parametrize("line", CRASHING)
def test_crashing_lines_crash_it(server: Server, line: bytes) -> None:
    assert hazardous(line)
    assert outcome(server, line) == "crash"


@pytest.mark.parametrize("line", FAILING)
def test_failing_lines_draw_its_500(server: Server, line: bytes) -> None:
    assert hazardous(line)
    assert outcome(server, line) == "500"


@pytest.mark.parametrize("line", HARMLESS)
def test_harmless_lines_leave_it_up(server: Server, line: bytes) -> None:
    assert not hazardous(line)
    assert outcome(server, line) in ("204", "400")


def _generated(seed: int, cases: int) -> list[bytes]:
    """Field sets of keys ending in backslash pairs and string values holding `=`, `,`, quotes
    and pairs of their own: the shapes where 1.6.7's two readings part."""
    rng = random.Random(seed)
    pieces = ["=", "a", ",", "1", "t", " ", "\\\\", '\\"', "x=", "=1", "=t", "=,", "\\\\="]

    def value() -> str:
        if rng.random() < 0.7:
            return '"' + "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4))) + '"'
        return rng.choice(["1", "2i", "t", "1.5"])

    def key() -> str:
        return rng.choice(["f", "g", "ab"]) + "\\\\" * rng.choice([0, 1, 1, 2])

    lines: list[bytes] = []
    while len(lines) < cases:
        fields = ",".join(f"{key()}={value()}" for _ in range(rng.randint(1, 3)))
        line = f"m{rng.choice(['', ',t=x'])} {fields}{rng.choice(['', ' 1'])}".encode()
        if b"\\\\=" in line:
            lines.append(line)
    return lines


@pytest.mark.parametrize("line", _generated(SEED, CASES))
def test_generated_lines(server: Server, line: bytes) -> None:
    seen = outcome(server, line)
    if hazardous(line):
        # the rule may also take out a line 1.6.7 refuses for another reason: never the reverse
        assert seen in ("crash", "500", "400")
    else:
        assert seen in ("204", "400")
