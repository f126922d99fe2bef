"""Config: where it is read from, and errors that name the file, the key and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.settings import BUNDLED_WATCHLISTS, load_settings, parse_duration


def test_no_config_means_built_in_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        None, env={"HOME": str(tmp_path), "STATE_DIRECTORY": str(tmp_path / "state")}
    )
    assert settings.source is None
    assert settings.database_url == f"sqlite:///{tmp_path / 'state' / 'monitor.db'}"
    assert settings.watchlist_paths == (BUNDLED_WATCHLISTS,)
    assert len(settings.feeds) >= 5 and all(f.url.startswith("https://") for f in settings.feeds)
    assert settings.targets == ()


def test_config_from_env_and_database_override(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        'database = "sqlite:////tmp/x.db"\nwatchlists = ["lists"]\n[defaults]\ninterval = "5m"\n'
        '[[feed]]\nurl = "https://example.org/rss"\nname = "Example"\ninterval = "90s"\nofficial = true\n'
        '[targets]\nchat = "json://127.0.0.1:9/hook"\n',
        encoding="utf-8",
    )
    settings = load_settings(
        None, env={"MONITOR_CONFIG": str(config), "MONITOR_DATABASE_URL": "postgresql://u@h/db"}
    )
    assert settings.database_url == "postgresql://u@h/db"
    assert settings.watchlist_paths == (tmp_path / "lists",)
    assert settings.interval == 300
    [feed] = settings.feeds
    assert (feed.url, feed.name, feed.interval, feed.official) == (
        "https://example.org/rss",
        "Example",
        90,
        True,
    )
    assert settings.target_names() == ("chat",)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("colour = 1\n", "unknown key 'colour'"),
        ('[defaults]\ninterval = "soon"\n', "defaults.interval = 'soon': expected a duration"),
        ('[defaults]\ninterval = "0s"\n', "defaults.interval"),
        (
            '[[feed]]\nurl = "ftp://x"\n',
            "feed[0].url = 'ftp://x': expected an http:// or https:// URL",
        ),
        (
            '[[feed]]\nurl = "https://x.org"\nofficial = "yes"\n',
            "feed[0].official = 'yes': expected true or false",
        ),
        ('[[feed]]\nurl = "https://x.org"\nnmae = "typo"\n', "unknown key 'feed[0].nmae'"),
        ("[targets]\nchat = 42\n", "targets.chat: expected an Apprise URL"),
        ('[log]\nlevel = "LOUD"\n', "log.level = 'LOUD'"),
        ("database = [1]\n", "database = [1]: expected a database URL"),
        ("this is not toml", "not valid TOML"),
    ],
)
def test_a_wrong_key_or_value_names_file_key_and_expectation(
    tmp_path: Path, toml: str, message: str
) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(str(config), env={})
    assert str(config) in str(info.value)
    assert message in str(info.value)


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(str(tmp_path / "nope.toml"), env={})


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("10m", 600), ("1h30m", 5400), ("7d", 604800), ("45", 45)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "ten minutes", "5x", "1h junk"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)
