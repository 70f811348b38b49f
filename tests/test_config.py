"""Configuration: the example documents every key; precedence; all problems reported at once."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from gateway.config import SECTIONS, Config, ConfigError, load_config

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def test_example_documents_every_key_with_its_default() -> None:
    example = tomllib.loads(EXAMPLE.read_text())
    defaults = Config()
    for section, cls in SECTIONS.items():
        assert set(example[section]) == {f.name for f in dataclasses.fields(cls)}, section
        for key, value in example[section].items():
            assert getattr(getattr(defaults, section), key) == value, f"{section}.{key}"
    assert set(example) == set(SECTIONS)


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


def test_admin_token_comes_from_the_named_variable(monkeypatch) -> None:
    monkeypatch.setenv("MY_TOKEN", "abc")
    config = load_config(None, environ={"INFLUX_GATEWAY_AUTH_ADMIN_TOKEN_ENV": "MY_TOKEN"})
    assert config.admin_token() == "abc"
    monkeypatch.delenv("MY_TOKEN")
    with pytest.raises(ConfigError, match="MY_TOKEN is not set"):
        load_config(None, environ={"INFLUX_GATEWAY_AUTH_ADMIN_TOKEN_ENV": "MY_TOKEN"})
