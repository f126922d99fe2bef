"""The dashboard in a real browser: Debian's Chromium, headless, driven through its own
chromedriver by Selenium (nothing downloaded). Skipped where /usr/bin/chromium is absent;
``.ci/run`` installs it.

``MONITOR_SCREENSHOTS=docs`` saves the pages' screenshots for the README in ``docs/``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, LocalServer, Receiver, start_daemon, wait_for
from tests.test_web import CONFIRMED, FEED_SECRET, TARGET_SECRET, rss

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or not Path(DRIVER).exists(),
    reason="Debian's chromium and chromium-driver are not installed",
)

# A date that moves within one story: rumored for June, then August 7 (a follow-up alert
# saying so); the vendor's own feed confirms August 7.
JUNE = (
    "a-1",
    "OpenAI to release GPT-5 in June, sources say",
    "OpenAI plans to release GPT-5 in June, according to people familiar with the plans.",
    "https://wire.test/gpt-5-june",
    "Fri, 02 May 2025 08:00:00 GMT",
)
AUGUST = (
    "b-1",
    "OpenAI to release GPT-5 on August 7, sources say",
    "OpenAI plans to release GPT-5 on August 7, according to people familiar with the plans.",
    "https://daily.test/gpt-5-aug",
    "Mon, 04 Aug 2025 10:00:00 GMT",
)


@dataclass
class Live:
    """``monitor run`` with its dashboard, after it polled local feeds and delivered."""

    base: str
    proc: subprocess.Popen[str]


@pytest.fixture
def live(tmp_path: Path, feed_server: LocalServer, receiver: Receiver) -> Iterator[Live]:
    wire = feed_server.serve("/wire.xml", rss("Tech Wire", [JUNE]))
    daily = feed_server.serve("/daily.xml", rss("AI Daily", []))
    official = feed_server.serve("/openai.xml", rss("OpenAI News", []))
    gone = feed_server.url("/gone.xml").replace("://", f"://reader:{FEED_SECRET}@")
    target = receiver.apprise_url.replace("://", f"://bot:{TARGET_SECRET}@")
    config = tmp_path / "monitor.toml"
    config.write_text(
        f'database = "sqlite:///{tmp_path / "m.db"}"\n'
        f'watchlists = ["{REPO / "watchlists"}"]\n'
        '[defaults]\nwatch_feeds = false\n[alerts]\nmax_age = "0"\n'
        f'[[feed]]\nurl = "{wire}"\n'
        f'[[feed]]\nurl = "{official}"\nofficial = true\ninterval = "1s"\n'
        f'[[feed]]\nurl = "{daily}"\ninterval = "1s"\n'
        f'[[feed]]\nurl = "{gone}"\n'
        f'[targets]\nchat = "{target}"\n'
        '[http]\nlisten = "127.0.0.1:0"\n'
    )
    log = tmp_path / "daemon.log"
    proc = start_daemon(config, log=log)
    try:
        assert wait_for(lambda: len(receiver.received()) == 1, timeout=60), log.read_text()
        feed_server.serve("/daily.xml", rss("AI Daily", [AUGUST]))  # the follow-up
        assert wait_for(lambda: len(receiver.received()) == 2, timeout=60), log.read_text()
        # the vendor confirms the date: a claim on the chart, not a new alert
        feed_server.serve("/openai.xml", rss("OpenAI News", [CONFIRMED]))
        assert wait_for(lambda: "openai.xml items=1 new=1" in log.read_text(), timeout=60)
        found = re.search(r"dashboard on (http://\S+/)", log.read_text())
        assert found, log.read_text()
        yield Live(found[1], proc)
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(flag)
    options.add_argument("--window-size=1100,900")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def shoot(browser: Any, name: str, tmp_path: Path) -> None:
    """A full-page screenshot: in docs/ when asked for (README), else in the test's folder."""
    folder = REPO / "docs" if os.environ.get("MONITOR_SCREENSHOTS") == "docs" else tmp_path
    browser.set_window_size(1100, 900)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1100, min(max(height + 140, 600), 2000))
    assert browser.save_screenshot(str(folder / f"dashboard-{name}.png"))
    browser.set_window_size(1100, 900)


def outside_requests(browser: Any, base: str) -> list[str]:
    """Every resource the page loaded from elsewhere than the daemon."""
    loaded = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    return [url for url in [*loaded, browser.current_url] if not url.startswith(base)]


def no_secret(browser: Any) -> None:
    source = browser.page_source
    for secret in (TARGET_SECRET, FEED_SECRET, "feedtoken-777"):
        assert secret not in source


def test_alerts_watch_feeds_and_preview_in_chromium(
    live: Live, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    base = live.base

    # the alerts just delivered: watch, title, date, delivery; the newest is the follow-up
    browser.get(base)
    alerts = browser.find_elements(By.CSS_SELECTOR, "article.alert")
    assert len(alerts) == 2
    newest = alerts[0].text
    assert "GPT-5" in newest and "2025-08-07" in newest
    assert "OpenAI to release GPT-5 on August 7, sources say" in newest
    assert "GPT-5: date moved from 2025-06 to 2025-08-07" in newest
    assert "sources: AI Daily, Tech Wire, OpenAI News" in newest  # one story, three outlets
    assert "rumored" in alerts[1].text and "2025-06" in alerts[1].text
    assert all("chat delivered" in a.text for a in alerts)
    strip = browser.find_element(By.ID, "status").text.replace("\n", " ")
    assert "pending deliveries 0" in strip and "feeds 3 ok, 1 failing" in strip
    assert re.search(r"up since [0-9-]+ [0-9:]+ \(\d+ s\) cycle \d+ ms", strip)
    assert outside_requests(browser, base) == []
    no_secret(browser)
    # styles come from the daemon: the stylesheet applied (CSP let it through)
    header = browser.find_element(By.TAG_NAME, "header")
    assert header.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
    # readable on a phone: nothing wider than the screen
    browser.set_window_size(390, 844)
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    )
    shoot(browser, "alerts", tmp_path)

    # the watch page: its timeline chart with the dates claimed, moved from June to August 7
    alerts = browser.find_elements(By.CSS_SELECTOR, "article.alert")
    alerts[0].find_element(By.CSS_SELECTOR, "a.watch").click()
    assert browser.current_url.endswith("/watch/GPT-5")
    chart = browser.find_element(By.CSS_SELECTOR, "svg#timeline")
    claims = {
        (c.get_attribute("data-date"), c.get_attribute("class")): c
        for c in chart.find_elements(By.CSS_SELECTOR, "g.claim")
    }
    assert set(claims) == {
        ("2025-06", "claim rumored"),
        ("2025-08-07", "claim rumored"),
        ("2025-08-07", "claim confirmed"),
    }
    june = claims["2025-06", "claim rumored"].find_element(By.CSS_SELECTOR, "rect.period")
    august = claims["2025-08-07", "claim confirmed"].find_element(By.CSS_SELECTOR, "rect.period")
    assert august.rect["x"] > june.rect["x"]  # the later date sits further right
    assert june.value_of_css_property("fill") != august.value_of_css_property("fill")
    assert "Tech Wire" in chart.text and "OpenAI News" in chart.text
    no_secret(browser)
    shoot(browser, "watch", tmp_path)

    # the feeds' health, failing first
    browser.find_element(By.LINK_TEXT, "Feeds").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "table.feeds tbody tr")
    assert len(rows) == 4
    assert rows[0].get_attribute("class") == "failing" and "http_4xx" in rows[0].text
    assert "backing off until" in rows[0].text
    no_secret(browser)
    shoot(browser, "feeds", tmp_path)

    # the preview: write a watch, submit, read what it would alert
    browser.find_element(By.LINK_TEXT, "Preview").click()
    box = browser.find_element(By.ID, "watch")
    box.clear()
    box.send_keys("name: GPT-5\nterms: [GPT-5]\naliases: [GPT 5, GPT5]\n")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    result = WebDriverWait(browser, 20).until(lambda b: b.find_element(By.ID, "result"))
    # the story alerts twice, as the daemon did: first June, then the date that moved
    assert "GPT-5: 3 of 3 items match, 2 would alert" in result.text
    assert "dated 2025-06 (rumored)" in result.text
    assert "GPT-5: date moved from 2025-06 to 2025-08-07" in result.text
    assert "dated 2025-08-07: same story already alerted" in result.text
    assert outside_requests(browser, base) == []
    no_secret(browser)
    shoot(browser, "preview", tmp_path)

    # a watchlist error shows as line: message
    box = browser.find_element(By.ID, "watch")
    box.clear()
    box.send_keys("name: GPT-5\nterms: [GPT-5]\nbogus: 1\n")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    problems = (
        WebDriverWait(browser, 20)
        .until(lambda b: b.find_element(By.CSS_SELECTOR, "#result .problems"))
        .text
    )
    assert problems.startswith("3: unknown key 'bogus'")
    # no page broke its policy (a violation is logged to the console)
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
