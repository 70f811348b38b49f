"""The memory the store may use: a share of the RAM or of the process's cgroup limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.memory_limit import available_memory, duckdb_memory_limit, memory_limit_files


@pytest.mark.parametrize(("files", "ram", "expected"), [
    pytest.param({}, 16 << 30, 16 << 30, id="no-cgroup"),
    pytest.param({"memory.max": "max\n"}, 16 << 30, 16 << 30, id="v2-unlimited"),
    pytest.param({"memory.max": "2147483648\n"}, 16 << 30, 2 << 30, id="v2-limit"),
    pytest.param({"memory.max": "68719476736\n"}, 16 << 30, 16 << 30, id="v2-above-ram"),
    pytest.param({"limit_in_bytes": "9223372036854771712\n"}, 16 << 30, 16 << 30,
                 id="v1-unlimited"),
    pytest.param({"limit_in_bytes": "1073741824\n"}, 16 << 30, 1 << 30, id="v1-limit"),
])
def test_available_memory_is_the_ram_or_the_cgroup_limit_when_lower(
        tmp_path: Path, files: dict[str, str], ram: int, expected: int) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    paths = [tmp_path / "memory.max", tmp_path / "limit_in_bytes"]
    assert available_memory(paths, ram=ram) == expected


@pytest.mark.parametrize(("value", "expected"), [
    pytest.param("50%", "2147483648B", id="half"),
    pytest.param("12.5%", "536870912B", id="fraction"),
    pytest.param("4GB", "4GB", id="size"),
    pytest.param("", "", id="duckdb-default"),
])
def test_duckdb_memory_limit_takes_a_share_of_available_memory(value: str,
                                                               expected: str) -> None:
    assert duckdb_memory_limit(value, available=4 << 30) == expected


@pytest.mark.parametrize(("proc_cgroup", "files", "expected"), [
    pytest.param("0::/system.slice/gateway.service\n",
                 {"system.slice/gateway.service/memory.max": "1073741824",
                  "system.slice/memory.max": "max"}, 1 << 30, id="v2-service"),
    pytest.param("0::/system.slice/gateway.service\n",
                 {"system.slice/gateway.service/memory.max": "max",
                  "system.slice/memory.max": "2147483648"}, 2 << 30, id="v2-parent"),
    pytest.param("4:memory:/process_api/abc\n3:cpuset:/\n0::/\n",
                 {"memory/process_api/abc/memory.limit_in_bytes": "536870912",
                  "memory/memory.limit_in_bytes": "9223372036854771712"}, 1 << 29, id="v1"),
    pytest.param("5:cpuacct,memory:/x\n", {"memory/x/memory.limit_in_bytes": "3221225472"},
                 3 << 30, id="v1-joined-controllers"),
    pytest.param("0::/\n", {"memory.max": "1610612736"}, 3 << 29, id="namespaced-root"),
    pytest.param("0::/../../etc\n", {}, 8 << 30, id="no-escape"),
])
def test_the_memory_limit_of_the_process_own_cgroup_counts(
        tmp_path: Path, proc_cgroup: str, files: dict[str, str], expected: int) -> None:
    # a systemd service's MemoryMax= sits on its own cgroup, not on the mount's root
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = memory_limit_files(proc_cgroup, root=tmp_path)
    assert all(path.is_relative_to(tmp_path) for path in found)
    assert available_memory(found, ram=8 << 30) == expected
