"""`monitor init`: the config and watchlists it writes run as they are, and it never
overwrites a user's files unasked."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest

from monitor.commands.init import config_text
from monitor.settings import load_settings
from tests.conftest import REPO, run_cli


def user_env(tmp_path: Path) -> dict[str, str]:
    return {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }


def test_init_writes_to_the_user_config_folder_a_config_that_runs(tmp_path: Path) -> None:
    env = user_env(tmp_path)
    result = run_cli("init", env=env, cwd=tmp_path)
    assert result.code == 0, result.err
    folder = tmp_path / "config" / "newsmonitor"
    config, lists = folder / "monitor.toml", folder / "watchlists"
    assert f"config:     {config}\n" in result.out
    assert f"watchlists: {lists}/ (ai-releases.yaml)\n" in result.out
    assert f"monitor --config {config} run\n" in result.out
    assert (lists / "ai-releases.yaml").read_bytes() == (
        REPO / "watchlists" / "ai-releases.yaml"
    ).read_bytes()

    check = run_cli("--config", str(config), "watchlists", "check", env=env, cwd=tmp_path)
    assert check.code == 0, check.out + check.err
    assert check.out == f"ok: {lists}\n"
    # the copy is the one in force, not the bundled folder
    assert load_settings(str(config), env={}).watchlist_paths == (lists,)


def test_the_written_config_is_the_built_in_defaults_spelled_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    (tmp_path / "mine").mkdir()
    config = tmp_path / "mine" / "monitor.toml"
    config.write_text(config_text(config), encoding="utf-8")
    written = load_settings(str(config), env=env)
    defaults = load_settings(None, env=env)
    assert defaults.source is None  # no ./monitor.toml nor /etc/monitor/monitor.toml here
    different = {
        f.name
        for f in dataclasses.fields(written)
        if getattr(written, f.name) != getattr(defaults, f.name)
    }
    assert different == {"source", "watchlist_paths"}
    # every table of the README's Config section is there, set or shown commented out
    text = config.read_text(encoding="utf-8")
    for table in ("[defaults]", "[[feed]]", "[fetch]", "[alerts]", "[storage]", "[log]"):
        assert f"\n{table}\n" in text
    for table in ("[targets]", "[templates]", "[search]", "[http]"):
        assert f"\n# {table}\n" in text
    uncommented = "\n".join(line.partition("#")[2] for line in text.splitlines())
    assert 'chat  = "mmost://' in uncommented and 'listen = "127.0.0.1:8787"' in uncommented
    assert tomllib.loads(text)["watchlists"] == ["watchlists"]


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    config = tmp_path / "etc" / "monitor.toml"
    config.parent.mkdir()
    config.write_text("# mine\n", encoding="utf-8")
    refused = run_cli("init", "--config", str(config), cwd=tmp_path)
    assert refused.code == 1
    assert refused.out == ""
    assert refused.err == f"monitor: {config} already exists; use --force to overwrite\n"
    assert config.read_text(encoding="utf-8") == "# mine\n"
    assert not (config.parent / "watchlists").exists()  # nothing half-written

    forced = run_cli("init", "--config", str(config), "--force", cwd=tmp_path)
    assert forced.code == 0, forced.err
    assert config.read_text(encoding="utf-8").startswith("# newsmonitor config")
    assert run_cli("--config", str(config), "watchlists", "check").code == 0

    again = run_cli("init", "--config", str(config), cwd=tmp_path)
    assert again.code == 1
    assert again.err.endswith("already exists (and 1 more); use --force to overwrite\n")


def test_init_needs_no_loadable_config(tmp_path: Path) -> None:
    """A broken ./monitor.toml does not stop init, which is how one starts over."""
    (tmp_path / "monitor.toml").write_text("this is = not [toml\n", encoding="utf-8")
    result = run_cli("init", env=user_env(tmp_path), cwd=tmp_path)
    assert result.code == 0, result.err
