"""malloc's thresholds: large buffers freed and taken again are reused, not faulted in anew."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

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

