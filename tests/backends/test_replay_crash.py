"""SIGKILL a process that is appending to and acknowledging from a replay queue, then reopen
the queue: every append that returned is there, in order, nothing skipped, and nothing whose
ack returned comes back.

SIGKILL leaves the page cache alone, so this proves the process-level argument (torn writes,
recovery, the head file, segment deletion), not what a power cut would do to unsynced pages;
that part rests on the fsyncs, whose timing test_replay.py checks.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from pathlib import Path

import pytest

from tests.backends.replay_support import drain, number, open_queue

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


async def run_and_kill(directory: Path, segment_bytes: int, pad_bytes: int, lines: int,
                       extra_delay: float) -> list[tuple[str, int]]:
    """Start the child, SIGKILL it after `lines` lines plus `extra_delay` seconds, and return
    every complete line it printed."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.backends.replay_crash_child", str(directory),
        str(segment_bytes), str(pad_bytes), cwd=ROOT, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert child.stdout is not None and child.stderr is not None
    printed: list[bytes] = []
    try:
        async with asyncio.timeout(60):
            while len(printed) < lines:
                line = await child.stdout.readline()
                if not line:
                    break
                printed.append(line)
            await asyncio.sleep(extra_delay)
    finally:
        if child.returncode is None:
            child.send_signal(signal.SIGKILL)
    rest, errors = await child.communicate()
    assert child.returncode == -signal.SIGKILL, errors.decode()
    events = []
    for line in b"".join([*printed, rest]).splitlines(keepends=True):
        if line.endswith(b"\n"):  # a line cut by the kill was never "returned"
            kind, value = line.split()
            events.append((kind.decode(), int(value)))
    return events


@pytest.mark.parametrize("run", range(6))
async def test_sigkill_loses_and_skips_nothing_acknowledged(tmp_path: Path, run: int) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    segment_bytes = rng.choice([256, 4096, 1 << 20])  # rolls and deletions in the window
    # Large bodies make the kill land inside a write, leaving a torn tail to cut.
    pad_bytes = rng.choice([0, 4 << 20])
    lines, delay = rng.randrange(1, 3000 if not pad_bytes else 200), rng.uniform(0, 0.005)
    where = (f"seed {seed}: segment_bytes={segment_bytes}, pad_bytes={pad_bytes}, "
             f"killed after {lines} lines")

    events = await run_and_kill(tmp_path, segment_bytes, pad_bytes, lines, delay)
    appended = [n for kind, n in events if kind == "appended"]
    acked = [n for kind, n in events if kind == "acked"]
    assert appended, where
    last_acked = max(acked, default=-1)

    queue = open_queue(tmp_path, segment_bytes=segment_bytes)
    found = [number(item) for item in await drain(queue)]
    await queue.close()

    if not found:
        # Only the entry whose ack was under way may be gone unreported.
        assert max(appended) <= last_acked + 1, where
        return
    first = found[0]
    assert found == list(range(first, first + len(found))), where  # in order, no gap
    assert last_acked + 1 <= first <= last_acked + 2, where
    assert max(appended) < first + len(found), where  # every returned append is there
