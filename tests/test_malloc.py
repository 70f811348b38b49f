"""malloc's thresholds: large buffers freed and taken again are reused, not faulted in anew."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

from gateway import malloc
from tests.support.gateway_process import gateway_process

_ROOT = Path(__file__).resolve().parent.parent

# A write's pattern: a few megabytes in 256 KB pieces (DuckDB's blocks) taken, used and all
# freed, over and over. Prints the page faults of the rounds after the first.
_CHURN = textwrap.dedent("""
    import resource, sys
    from gateway import malloc
    if sys.argv[1] == "tuned":
        assert malloc.keep_large_buffers()
    def churn():
        held = [bytearray(256 << 10) for _ in range(32)]  # zeroed: every page touched
        del held
    churn()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(20):
        churn()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""")


def _faults(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", _CHURN, mode], capture_output=True, text=True,
                          check=True, cwd=_ROOT)
    return int(done.stdout)


@pytest.mark.skipif(ctypes.util.find_library("c") is None, reason="no C library to tune")
def test_freed_buffers_are_reused_without_faults() -> None:
    pages = 20 * 32 * (256 << 10) // 4096  # what the 20 rounds would fault in afresh
    untuned, tuned = _faults("default"), _faults("tuned")
    # glibc by default trims the freed 8 MB off its heap each round and faults it in again
    assert untuned > pages // 2
    assert tuned < pages // 20



def _minor_faults(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[7])


def _wal_folded(data_dir: Path, deadline: float) -> None:
    """Wait until the idle checkpoint has folded the WAL into the database file."""
    while time.monotonic() < deadline:
        wals = [p for p in data_dir.rglob("*.wal") if p.stat().st_size]
        if not wals:
            return
        time.sleep(0.2)
    raise AssertionError("the idle checkpoint did not run")


def _post(url: str, body: bytes) -> int:
    with urllib.request.urlopen(urllib.request.Request(url, body, method="POST"),
                                timeout=60) as answer:
        return answer.status


def _bodies(points: int, batch: int = 5_000) -> list[bytes]:
    lines = [
        f"cpu,cpu=cpu{n % 9},host=host{n // 9 % 100:03d} "
        + ",".join(f"f{k}={(n * 7 + k) % 1000 / 10}" for k in range(10))
        + f" {1_700_000_000_000_000_000 + n // 900 * 10_000_000_000}"
        for n in range(points)
    ]
    return ["\n".join(lines[i:i + batch]).encode() for i in range(0, points, batch)]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_gateway_reuses_the_pages_a_checkpoint_freed(tmp_path: Path) -> None:
    """The rows of a write sit in DuckDB's memory until a checkpoint frees them; the next
    writes take those pages again instead of faulting in (zeroed) new ones."""
    bodies = _bodies(250_000)
    gateway = gateway_process(tmp_path / "data")
    gateway.env.pop(malloc.JEMALLOC_CONF, None)  # the gateway's own choice, not a caller's
    gateway.start()
    try:
        assert gateway.process is not None
        pid = gateway.process.pid
        faults = []
        for database in ("first", "second"):
            _post(f"{gateway.url}/query?q=CREATE+DATABASE+{database}", b"")
            before = _minor_faults(pid)
            for body in bodies:
                assert _post(f"{gateway.url}/write?db={database}", body) == 204
            faults.append(_minor_faults(pid) - before)
            _wal_folded(tmp_path / "data", time.monotonic() + 30)
    finally:
        gateway.stop()
    # The first write faults in its rows' memory (about 2 pages per 100 points); the second
    # reuses it. DuckDB's default returns freed pages within about a second, so the second
    # write faulted as much as the first.
    assert faults[0] > 2_500
    assert faults[1] < faults[0] / 3, faults
