"""The allocators (glibc's, DuckDB's jemalloc) kept from handing freed memory back at once.

Every write passes megabyte-sized buffers through malloc: the body, its translations, DuckDB's
appends and commits. By default glibc serves a large request with a fresh mmap (or trims its
heap once more than twice that much lies free at the top), so the next request faults the same
amount of memory in again and the kernel zeroes every page (under `bench/ingest_cpu.py` that
zeroing was about a tenth of the process's CPU, most of it DuckDB's: below). Fixed thresholds
keep such buffers in the heap for reuse; past `TRIM_BYTES` free at a heap's top is returned.

DuckDB's own allocator (a jemalloc inside the duckdb package) does the same with the blocks
that appended rows fill until a checkpoint writes them out and frees them: it returns them to
the kernel about a second later, so the next writes fault them in again, zeroed (a fifth of the
writer thread's CPU). `JEMALLOC_DECAY` keeps freed pages for reuse for half a minute.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os

log = logging.getLogger(__name__)

# mallopt's parameter numbers (<malloc.h>)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

MMAP_BYTES = 32 << 20  # glibc's most (HEAP_MAX_SIZE / 2 on 64-bit); larger requests still mmap
TRIM_BYTES = 64 << 20

# jemalloc reads its options from this variable once, when the duckdb package loads it: the
# pages it keeps are the ones checkpoints free, so they stay within what writes used anyway.
JEMALLOC_CONF = "DUCKDB_JE_MALLOC_CONF"
JEMALLOC_DECAY = "dirty_decay_ms:30000,muzzy_decay_ms:30000"


def keep_large_buffers() -> bool:
    """Set the thresholds; False where the C library is not glibc (or refuses them)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(_M_MMAP_THRESHOLD, MMAP_BYTES)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES))
    if not done:
        log.warning("could not set malloc's thresholds; large buffers are mapped per use")
    return done


def keep_duckdb_pages() -> None:
    """Ask DuckDB's allocator to keep freed pages for reuse (unless the environment sets its
    options already). Only before the duckdb package is imported: it reads them once."""
    os.environ.setdefault(JEMALLOC_CONF, JEMALLOC_DECAY)
