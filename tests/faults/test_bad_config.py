"""Bad configs from outside (#18, point 5): every problem one line with its line number,
bounds on durations, targets validated at start-up, a distinct exit code, no traceback."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli, write_config


def lines(text: str) -> list[str]:
    return text.splitlines()


def test_a_huge_interval_is_refused_with_its_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        'database = "sqlite:////tmp/none.db"\n[defaults]\ninterval = "99999999999d"\n'
    )
    result = run_cli("run", "--once", "--config", str(config))
    assert result.code == 2
    assert lines(result.err) == [
        f"monitor: config error: {config}:3: defaults.interval = '99999999999d': expected at most 30d"
    ]


def test_a_config_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_bytes(b'database = "sqlite:////tmp/none.db"\n# caf\xe9\n')
    result = run_cli("status", "--config", str(config))
    assert result.code == 2
    assert lines(result.err) == [
        f"monitor: config error: {config}:2: not UTF-8 text (byte 0xe9); save the file as UTF-8"
    ]


def test_a_listen_address_that_cannot_be_bound_is_one_line(tmp_path: Path) -> None:
    for listen, expected in (
        ("127.0.0.1:99999", "expected host:port"),
        ("192.0.2.1:8787", "cannot listen there"),  # TEST-NET: not an address of this host
    ):
        config = write_config(
            tmp_path / "c.toml",
            database=f"sqlite:///{tmp_path / 'm.db'}",
            feeds=[],
            extra=f'[http]\nlisten = "{listen}"\ntoken = "a-long-enough-token-123"\n',
        )
        result = run_cli("run", "--config", str(config), timeout=60)
        assert result.code == 2, result
        assert len(lines(result.err)) == 1, result.err
        assert expected in result.err
        assert "Traceback" not in result.err


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        'database = "sqlite:////tmp/none.db"\n'
        "[defaults]\n"
        'interval = "soon"\n'
        "[[feed]]\n"
        'url = "http://feed.test/a"\n'
        "[[feed]]\n"
        'url = "ftp://user:pa55word@feed.test/b"\n'
        "[fetch]\n"
        "timeoutt = 3\n"
        "[alerts]\n"
        'give_up_after = "500d"\n'
    )
    result = run_cli("status", "--config", str(config))
    assert result.code == 2
    assert lines(result.err) == [
        (
            f"monitor: config error: {config}:3: defaults.interval = 'soon': expected a duration "
            "such as '90s', '10m', '1h' or '7d'"
        ),
        (
            f"monitor: config error: {config}:7: feed[1].url = 'ftp://***@feed.test/b': expected an "
            "http:// or https:// URL"
        ),
        (
            f"monitor: config error: {config}:9: unknown key 'fetch.timeoutt' (known: allow_hosts, "
            "backoff_max, concurrency, deadline, failing_alert_after, max_bytes, per_host, timeout)"
        ),
        f"monitor: config error: {config}:11: alerts.give_up_after = '500d': expected at most 366d",
    ]


def test_an_invalid_apprise_url_stops_start_up(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[],
        targets={"chat": "nosuchscheme://host/s3cr3t-token"},
    )
    config.chmod(0o600)  # no warning about who may read it: the one line is the error
    for command in (["run"], ["run", "--once"]):
        result = run_cli(*command, "--config", str(config), timeout=60)
        assert result.code == 2, result
        assert lines(result.err) == [
            (
                "monitor: config error: [targets] target 'chat': not a valid Apprise URL "
                "(nosuchscheme://host/***)"
            )
        ]
    assert not (tmp_path / "m.db").exists()


def test_replay_since_too_long_ago_is_one_line(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", database=f"sqlite:///{tmp_path / 'm.db'}", feeds=[])
    result = run_cli("replay", "--since", "99999999999d", "--config", str(config))
    assert result.code == 2
    assert len(lines(result.err)) == 1
    assert "too long ago" in result.err
