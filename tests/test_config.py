"""Configuration: the example documents every key; precedence; all problems reported at once."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from gateway.config import (
    SECTIONS,
    TABLES,
    Config,
    ConfigError,
    load_config,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def test_example_documents_every_key_with_its_default() -> None:
    example = tomllib.loads(EXAMPLE.read_text())
    defaults = Config()
    for section, cls in SECTIONS.items():
        assert set(example[section]) == {f.name for f in dataclasses.fields(cls)}, section
        for key, value in example[section].items():
            assert getattr(getattr(defaults, section), key) == value, f"{section}.{key}"
    assert set(example) == set(SECTIONS)


def test_example_documents_every_routing_key() -> None:
    marked = [line[3:] for line in EXAMPLE.read_text().splitlines() if line.startswith("#! ")]
    example = tomllib.loads("\n".join(marked))
    assert set(example) == set(TABLES)
    for name, cls in TABLES.items():
        assert set(example[name][0]) == {f.name for f in dataclasses.fields(cls)}, name


def test_routing_config_loads_and_every_problem_is_listed(tmp_path: Path,
                                                           monkeypatch) -> None:
    monkeypatch.setenv("OLD_PASSWORD", "secret")
    path = tmp_path / "c.toml"
    marked = [line[3:] for line in EXAMPLE.read_text().splitlines() if line.startswith("#! ")]
    path.write_text("\n".join(marked))
    config = load_config(path, environ={})
    assert config.upstreams[0].name == "old" and config.upstreams[0].kind == "influxdb1"
    assert config.upstreams[0].secret() == "secret"
    route = config.routes[0]
    assert route.targets == ("old", "native") and route.read_target == "old"
    assert route.matches("telegraf_2") and not route.matches("other")
    path.write_text('[[upstreams]]\nname = "native"\ntype = "v9"\nurl = "ftp://x"\n'
                    'token_env = "NOPE_NOT_SET"\n'
                    '[[upstreams]]\nname = "a"\ntype = "v1"\nurl = "http://a"\n'
                    '[[upstreams]]\nname = "a"\ntype = "v2"\nurl = "http://b"\n'
                    '[[routes]]\nmode = "mirror"\ntargets = ["a"]\nread = "zz"\n'
                    '[[routes]]\nmode = "sideways"\ntargets = "a"\nshard_by = "x"\n'
                    '[[routes]]\ntargets = ["a", "a"]\nbogus = 1\n'
                    '[replay]\nwhen_full = "panic"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    problems = "\n".join(info.value.problems)
    for expected in ["upstreams[0].name: 'native' is the built-in store's name",
                     "upstreams[0].type: expected influxdb1, influxdb2 or influxdb3",
                     "upstreams[0].url: expected an http:// or https:// URL",
                     "NOPE_NOT_SET is not set",
                     "upstreams[2].name: 'a' is used twice",
                     "routes[0].targets: mirror mode takes two or more targets",
                     "routes[0]: unknown target 'zz'",
                     "routes[1].mode: expected single, mirror or shard",
                     "routes[1].shard_by: expected series or measurement",
                     "routes[2].targets: single mode takes exactly one target",
                     "routes[2].targets: a target is named twice",
                     "unknown key routes[2].bogus",
                     "replay.when_full: expected reject or drop_oldest"]:
        assert expected in problems, expected


def test_precedence_flags_over_environment_over_file(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[server]\nbind = "127.0.0.1:1000"\ndata_dir = "/file"\n'
                    "[write]\nmax_body_bytes = 10\n")
    env = {"INFLUX_GATEWAY_SERVER_BIND": "127.0.0.1:2000",
           "INFLUX_GATEWAY_WRITE_AUTO_CREATE_DATABASES": "false"}
    config = load_config(path, environ=env, overrides={"server": {"bind": "127.0.0.1:3000",
                                                                  "data_dir": None}})
    assert config.server.bind == "127.0.0.1:3000"
    assert config.server.data_dir == "/file"
    assert config.write.max_body_bytes == 10
    assert config.write.auto_create_databases is False


def test_every_problem_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[server]\nbind = "nonsense"\nnope = 1\n[write]\nmax_body_bytes = "x"\n'
                    "[bogus]\na = 1\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={"INFLUX_GATEWAY_STORAGE_THREADS": "-1"})
    problems = "\n".join(info.value.problems)
    assert "unknown key server.nope" in problems
    assert "unknown section [bogus]" in problems
    assert "write.max_body_bytes: expected int" in problems
    assert "server.bind: expected HOST:PORT" in problems
    assert "storage.threads" in problems


@pytest.mark.parametrize(("text", "seconds"), [
    pytest.param("30m", 1800.0, id="default"), pytest.param("1h30m", 5400.0, id="compound"),
    pytest.param("250ms", 0.25, id="milliseconds"), pytest.param("0", 0.0, id="off"),
    pytest.param("0s", 0.0, id="off-with-unit"),
])
def test_retention_check_interval_is_a_go_duration(text: str, seconds: float) -> None:
    config = load_config(None, environ={"INFLUX_GATEWAY_STORAGE_RETENTION_CHECK_INTERVAL": text})
    assert config.storage.retention_check_seconds == seconds


@pytest.mark.parametrize("text", ["30", "", "1x", "m"])
def test_retention_check_interval_without_a_unit_is_a_problem(text: str) -> None:
    with pytest.raises(ConfigError, match="storage.retention_check_interval: not a duration"):
        load_config(None, environ={"INFLUX_GATEWAY_STORAGE_RETENTION_CHECK_INTERVAL": text})


def test_admin_token_comes_from_the_named_variable(monkeypatch) -> None:
    monkeypatch.setenv("MY_TOKEN", "abc")
    config = load_config(None, environ={"INFLUX_GATEWAY_AUTH_ADMIN_TOKEN_ENV": "MY_TOKEN"})
    assert config.admin_token() == "abc"
    monkeypatch.delenv("MY_TOKEN")
    with pytest.raises(ConfigError, match="MY_TOKEN is not set"):
        load_config(None, environ={"INFLUX_GATEWAY_AUTH_ADMIN_TOKEN_ENV": "MY_TOKEN"})


@pytest.mark.parametrize("text", ["1ns", "9ms", "8761h", "2562047h"])
def test_retention_check_interval_out_of_bounds_is_a_problem(text: str) -> None:
    """Checks back to back would keep the writer deleting, and a wait past threading's
    limit would kill the check thread: both refused at start-up."""
    with pytest.raises(ConfigError, match="0 \\(off\\) or from 10ms to 8760h"):
        load_config(None, environ={"INFLUX_GATEWAY_STORAGE_RETENTION_CHECK_INTERVAL": text})


@pytest.mark.parametrize("value", ["0%", "101%", "150.5%"])
def test_a_share_of_memory_out_of_range_is_a_problem(tmp_path: Path, value: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f'[storage]\nmemory_limit = "{value}"\n')
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    assert "storage.memory_limit: a share of memory" in "\n".join(info.value.problems)
