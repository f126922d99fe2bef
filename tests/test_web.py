"""The dashboard over HTTP, as a browser without JavaScript sees it: a real listener on
127.0.0.1 over a database that ``monitor run --once`` filled from local feeds."""

from __future__ import annotations

import re
import statistics
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from monitor.errors import ConfigError
from monitor.settings import load_settings
from monitor.web.server import CSP, PAGES
from tests.conftest import LocalServer, Receiver, run_cli, write_config
from tests.web_server import Page, WebThread, get, settings_of

TARGET_SECRET = "hunter2-target-secret"
FEED_SECRET = "feedpass-4242"


def rss(name: str, items: list[tuple[str, str, str, str, str]]) -> str:
    """An RSS feed; items are (guid, title, description, link, pubDate), already escaped."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>"
        f"<pubDate>{date}</pubDate><description>{text}</description></item>"
        for guid, title, text, link, date in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{name}</title><link>http://127.0.0.1/</link><description>d</description>"
        f"{body}</channel></rss>"
    )


# A date that moves: rumored for June in May, then confirmed for August 7.
RUMOR = (
    "r-1",
    "GPT-5 expected in June, according to sources",
    (
        "OpenAI&#39;s GPT-5 is expected to launch in June 2025, according to people familiar "
        "with the matter. &lt;img src=x onerror=alert(1)&gt;"
    ),
    "https://rumors.test/gpt-5-june",
    "Fri, 02 May 2025 10:00:00 GMT",
)
CONFIRMED = (
    "o-1",
    "OpenAI will release GPT-5 on Thursday, August 7 &lt;b&gt;x&lt;/b&gt;",
    "OpenAI will release GPT-5 to ChatGPT users on Thursday, August 7, the company said.",
    "https://openai.test/gpt-5",
    "Mon, 04 Aug 2025 10:00:00 GMT",
)

# Matches no watch; its run of a's is what a backtracking pattern chokes on.
DIGEST = (
    "d-1",
    "Weekly digest",
    "a" * 34 + "!",
    "https://rumors.test/digest",
    "Sat, 03 May 2025 10:00:00 GMT",
)


@dataclass
class Dashboard:
    web: WebThread
    config: Path
    feeds: LocalServer

    def get(self, path: str) -> Page:
        return get(self.web.url(path))

    def preview(self, watch: str, days: int = 9999) -> Page:
        body = urllib.parse.urlencode({"watch": watch, "days": str(days)}).encode()
        return get(self.web.url("/preview"), data=body)


@pytest.fixture
def dashboard(tmp_path: Path, feed_server: LocalServer, receiver: Receiver) -> Iterator[Dashboard]:
    rumors = feed_server.serve("/rumors.xml", rss("Rumor Mill", [RUMOR, DIGEST]))
    official = feed_server.serve("/openai.xml", rss("OpenAI News", [CONFIRMED]))
    guarded = official.replace("://", f"://reader:{FEED_SECRET}@") + "?token=feedtoken-777"
    target = receiver.apprise_url.replace("://", f"://bot:{TARGET_SECRET}@")
    config = write_config(
        tmp_path / "monitor.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[
            rumors,
            guarded,
            feed_server.url("/gone.xml").replace("://", f"://r:{FEED_SECRET}@"),
        ],
        targets={"chat": target},
    )
    result = run_cli("run", "--once", "--config", str(config))
    assert result.code == 0, result.err
    web = WebThread(settings_of(config))
    yield Dashboard(web, config, feed_server)
    web.close()


def secrets_absent(text: str) -> None:
    for secret in (TARGET_SECRET, FEED_SECRET, "feedtoken-777"):
        assert secret not in text


def test_alerts_page_shows_each_alert_with_its_delivery(dashboard: Dashboard) -> None:
    page = dashboard.get("/")
    assert page.status == 200
    assert page.headers["Content-Security-Policy"] == CSP
    assert "default-src 'none'" in CSP and "script-src" not in CSP
    html = page.text
    ids = [int(n) for n in re.findall(r'<article class="alert" id="alert-(\d+)">', html)]
    assert ids == sorted(ids, reverse=True) and len(ids) == 2  # newest first
    assert '<span class="dates">2025-08-07</span>' in html
    assert "GPT expected in June" not in html
    assert "GPT-5 expected in June, according to sources" in html
    assert '<mark class="term">GPT-5</mark>' in html and '<mark class="cue">' in html
    assert "rumored" in html and "confirmed" in html
    assert html.count("delivered ") == 2 and "<b>chat</b>" in html
    # item text arrives as text: the feed's markup is escaped, never ours
    assert "<b>x</b>" not in html and "<img" not in html
    secrets_absent(html)
    # the status strip
    assert "up since" in html and "pending deliveries" in html
    assert re.search(r"last error</dt><dd>[^<]*gone\.xml: http_4xx", html)


def test_the_watch_page_draws_the_date_that_moved(dashboard: Dashboard) -> None:
    page = dashboard.get("/watch/GPT-5")
    assert page.status == 200
    svg = page.text[page.text.index("<svg") : page.text.index("</svg>")]
    claims = re.findall(r'<g class="claim (\w+)" data-date="([^"]+)"', svg)
    assert claims == [("rumored", "2025-06"), ("confirmed", "2025-08-07")]
    assert "said 2025-05-02 by Rumor Mill" in svg and "said 2025-08-04 by OpenAI News" in svg
    assert "alert</b>" in page.text  # each recent match with its decision and why
    assert "dated 2025-06 (rumored)" in page.text
    assert dashboard.get("/watch/Nothing-Like-This").status == 404


def test_feeds_page_tells_health_and_sorts(dashboard: Dashboard) -> None:
    page = dashboard.get("/feeds?sort=name")
    assert page.status == 200
    names = re.findall(r"<td><b>([^<]+)</b>", page.text)
    assert names == sorted(names, key=str.lower)
    assert re.search(r"failing\s*<br><small>since [0-9-]+ [0-9:]+: http_4xx", page.text)
    assert "backing off until" in page.text
    assert "/openai.xml?token=***" in page.text and "reader" not in page.text
    secrets_absent(page.text)
    first = re.findall(r'<tr class="(\w+)">', dashboard.get("/feeds?sort=health").text)
    assert first[0] == "failing"
    assert re.findall(r'<tr class="(\w+)">', dashboard.get("/feeds?sort=health&desc=1").text)[
        -1
    ] == ("failing")


def test_preview_runs_a_watch_over_stored_items(dashboard: Dashboard) -> None:
    page = dashboard.preview("name: GPT-5\nterms: [GPT-5]\naliases: [GPT 5]\n")
    assert page.status == 200
    assert "GPT-5: 2 of 3 items match, 2 would alert" in page.text
    assert "dated 2025-08-07" in page.text and "dated 2025-06 (rumored)" in page.text
    mentions = dashboard.preview("name: Picky\nterms: [GPT-5]\nalert_on: [released]\n")
    assert "0 would alert" in mentions.text and "signal not in alert_on" in mentions.text
    # nothing stored or sent
    assert len(run_cli("alerts", "--json", "--config", str(dashboard.config)).out.splitlines()) == 2


def test_preview_shows_watchlist_errors_by_line(dashboard: Dashboard) -> None:
    page = dashboard.preview("name: GPT-5\nterms: [GPT-5]\nterm: [x]\n")
    assert "<li>3: unknown key &#39;term&#39;" in page.text
    broken = dashboard.preview("name: GPT-5\nterms: [{regex: '('}]\n")
    assert "<li>2: regex" in broken.text
    escaped = dashboard.preview("name: <script>x</script>\n")
    assert "<script>x" not in escaped.text


def test_a_hostile_pattern_is_stopped_and_the_listener_keeps_answering(
    dashboard: Dashboard,
) -> None:
    previewer = dashboard.web.server.runner.app[PAGES].previewer
    # a pattern that backtracks catastrophically is refused as a watchlist would be, at once
    hostile = "name: Slow\nterms: [{regex: '(a+)+b'}]\n"
    asked = time.monotonic()
    refused = dashboard.preview(hostile)
    assert "backtrack catastrophically" in refused.text
    assert time.monotonic() - asked < 3
    # a preview past its time limit is stopped, its worker killed, while the listener answers
    answers: list[float] = []
    done = threading.Event()

    def probe() -> None:
        while not done.is_set():
            started = time.monotonic()
            assert dashboard.get("/healthz").status == 200
            answers.append(time.monotonic() - started)
            time.sleep(0.1)

    prober = threading.Thread(target=probe)
    prober.start()
    limit = previewer.time_limit
    previewer.time_limit = 0.001
    try:
        page = dashboard.preview("name: GPT-5\nterms: [GPT-5]\n")
        time.sleep(1.2)
    finally:
        previewer.time_limit = limit
        done.set()
        prober.join()
    assert "stopped after 0.001 s" in page.text
    # a loop held by the preview would answer late; a busy machine is slower
    assert len(answers) >= 5 and statistics.median(answers) < 0.1 and max(answers) < 1.5
    # a new worker takes the next preview
    assert "2 of 3 items match" in dashboard.preview("name: GPT-5\nterms: [GPT-5]\n").text
    too_long = dashboard.preview("name: X\nterms: [x]\n#" + "x" * 20_000)
    assert "longer than 10000 characters" in too_long.text


def test_the_token_guards_every_page_but_healthz(tmp_path: Path) -> None:
    token = "a-long-enough-token-123"
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=[],
        extra=f'[http]\nlisten = "127.0.0.1:0"\ntoken = "{token}"\n',
    )
    assert run_cli("db", "upgrade", "--config", str(config)).code == 0
    web = WebThread(settings_of(config))
    try:
        assert get(web.url("/healthz")).status == 200
        for path in ("/", "/feeds", "/metrics", "/calendar.ics", "/watch/GPT-5", "/preview"):
            assert get(web.url(path)).status == 401, path
        assert get(web.url("/"), headers={"Authorization": "Bearer wrong"}).status == 401
        assert get(web.url("/"), headers={"Authorization": f"Bearer {token}"}).status == 200
        login = get(web.url(f"/feeds?token={token}&sort=name"))
        assert login.status == 303 and login.headers["Location"] == "/feeds?sort=name"
        cookie = login.headers["Set-Cookie"].split(";")[0]
        assert "HttpOnly" in login.headers["Set-Cookie"]
        assert get(web.url("/feeds"), headers={"Cookie": cookie}).status == 200
        assert get(web.url("/"), headers={"Cookie": "monitor_token=nope"}).status == 401
    finally:
        web.close()


def test_other_sites_cannot_reach_a_dashboard_without_token(dashboard: Dashboard) -> None:
    # DNS rebinding: a name of the attacker's that now points at 127.0.0.1
    assert get(dashboard.web.url("/"), headers={"Host": "evil.test:80"}).status == 421
    assert get(dashboard.web.url("/"), headers={"Host": "localhost"}).status == 200
    assert get(dashboard.web.url("/healthz"), headers={"Host": "evil.test"}).status == 200
    body = urllib.parse.urlencode({"watch": "name: X\nterms: [x]\n", "days": "1"}).encode()
    url = dashboard.web.url("/preview")
    assert get(url, data=body, headers={"Origin": "http://evil.test"}).status == 403
    assert get(url, data=body, headers={"Origin": "null"}).status == 403
    same = url.rsplit("/", 1)[0]
    assert get(url, data=body, headers={"Origin": same}).status == 200


def test_health_metrics_and_calendar_stay_on_the_listener(dashboard: Dashboard) -> None:
    health = dashboard.get("/healthz")
    assert health.status == 200 and '"status": "ok"' in health.text
    assert dashboard.get("/metrics").status == 200
    calendar = dashboard.get("/calendar.ics")
    assert calendar.headers["Content-Type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in calendar.text and "20250807" in calendar.text
    assert dashboard.get("/static/style.css").headers["Content-Type"].startswith("text/css")


def _settings(tmp_path: Path, http: str, env: dict[str, str] | None = None) -> object:
    config = tmp_path / "c.toml"
    config.write_text(f'database = "sqlite:///{tmp_path}/m.db"\n[http]\n{http}\n')
    return load_settings(str(config), env=env or {})


def test_listening_beyond_loopback_needs_a_token(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a loopback address"):
        _settings(tmp_path, 'listen = "0.0.0.0:8787"')
    with pytest.raises(ConfigError, match="at least 16"):
        _settings(tmp_path, 'listen = "0.0.0.0:8787"\ntoken = "short"')
    assert _settings(tmp_path, 'listen = "127.0.0.1:8787"').http_token is None  # type: ignore[attr-defined]
    (tmp_path / "token").write_text("from-a-file-0123456789\n")
    by_file = _settings(tmp_path, f'listen = "[::]:8787"\ntoken_file = "{tmp_path / "token"}"')
    assert by_file.http_token == "from-a-file-0123456789"  # type: ignore[attr-defined]
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "http_token").write_text("from-systemd-0123456789")
    by_credential = _settings(
        tmp_path, 'listen = "0.0.0.0:8787"', env={"CREDENTIALS_DIRECTORY": str(creds)}
    )
    assert by_credential.http_token == "from-systemd-0123456789"  # type: ignore[attr-defined]
    assert "from-systemd" not in repr(by_credential)
