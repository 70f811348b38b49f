"""How much memory the store may use: a share of the machine's RAM or of its cgroup's limit.

storage.memory_limit takes a size as DuckDB does, or a share ("50%") of the memory available,
which is the RAM or the lowest limit of the process's cgroups when that is lower.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection
from pathlib import Path

# Where a cgroup's memory limit is read: v2's memory.max ("max" when unlimited), v1's
# memory.limit_in_bytes (a huge number when unlimited), under the mount's root and under the
# process's own cgroup and its ancestors (memory_limit_files).
CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")
_SHARE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)%")


def memory_limit_files(proc_cgroup: str, root: Path = CGROUP_ROOT) -> list[Path]:
    """The files holding the memory limits of the process's cgroup (`proc_cgroup`: the text
    of /proc/self/cgroup) and of each cgroup above it: a service's limit (systemd's
    MemoryMax=) is on its own cgroup, not on the mount's root, which a container's cgroup
    namespace shows as its own."""
    files = [root / "memory.max", root / "memory/memory.limit_in_bytes"]
    for line in proc_cgroup.splitlines():
        number, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if number == "0" and controllers == "":  # v2's unified hierarchy
            where, name = root, "memory.max"
        elif "memory" in controllers.split(","):  # v1's memory controller
            where, name = root / "memory", "memory.limit_in_bytes"
        else:
            continue
        parts = [p for p in path.split("/") if p and p not in (".", "..")]
        files += [where.joinpath(*parts[:depth], name) for depth in range(1, len(parts) + 1)]
    return files


def available_memory(cgroup_files: Collection[Path] | None = None,
                     ram: int | None = None) -> int:
    """Bytes of memory the process may use: the machine's RAM, or the lowest memory limit
    of its cgroups when that is lower (by default those `memory_limit_files` names)."""
    if cgroup_files is None:
        try:
            cgroup_files = memory_limit_files(PROC_CGROUP.read_text())
        except OSError:
            cgroup_files = memory_limit_files("")
    if ram is None:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    limits = [ram]
    for path in cgroup_files:
        try:
            text = path.read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            limits.append(int(text))
    return min(limits)


def duckdb_memory_limit(value: str, available: int | None = None) -> str:
    """storage.memory_limit as DuckDB takes it: a share ("50%") of `available` (by default
    `available_memory()`) in bytes; a size, or empty (DuckDB's default), as it is."""
    share = memory_share(value)
    if share is None:
        return value
    if available is None:
        available = available_memory()
    return f"{int(available * share / 100)}B"


def memory_share(value: str) -> float | None:
    """The percentage storage.memory_limit gives ("50%" -> 50.0); None for a size or empty."""
    share = _SHARE.fullmatch(value.strip())
    return None if share is None else float(share.group(1))
