"""The dashboard in a real browser: Debian's Chromium, headless, driven through its own
chromedriver by Selenium (nothing downloaded). Skipped where /usr/bin/chromium is absent;
``.ci/run`` installs it.

``MONITOR_SCREENSHOTS=docs`` saves the pages' screenshots for the README in ``docs/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO
from tests.test_web import FEED_SECRET, TARGET_SECRET, Dashboard, dashboard

CHROMIUM = Path("/usr/bin/chromium")
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() or not Path(DRIVER).exists(),
    reason="Debian's chromium and chromium-driver are not installed",
)
__all__ = ["dashboard"]  # the fixture, shared with test_web.py


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
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1100, min(max(height, 600), 2400))
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
    dashboard: Dashboard, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    base = dashboard.web.url("/")

    # the alerts just delivered: watch, title, date, delivery
    browser.get(base)
    alerts = browser.find_elements(By.CSS_SELECTOR, "article.alert")
    assert len(alerts) == 2
    texts = [a.text for a in alerts]
    assert any(
        "GPT-5" in t
        and "OpenAI will release GPT-5 on Thursday, August 7" in t
        and "2025-08-07" in t
        for t in texts
    )
    assert all("chat delivered" in t for t in texts)
    assert "pending deliveries" in browser.find_element(By.ID, "status").text
    assert outside_requests(browser, base) == []
    no_secret(browser)
    # styles come from the daemon: the stylesheet applied (CSP let it through)
    header = browser.find_element(By.TAG_NAME, "header")
    assert header.value_of_css_property("background-color") != "rgba(0, 0, 0, 0)"
    shoot(browser, "alerts", tmp_path)

    # the watch page: its timeline chart with the dates claimed, moved from June to August 7
    browser.find_element(By.CSS_SELECTOR, "article.alert a.watch").click()
    assert browser.current_url.endswith("/watch/GPT-5")
    chart = browser.find_element(By.CSS_SELECTOR, "svg#timeline")
    claims = chart.find_elements(By.CSS_SELECTOR, "g.claim")
    assert [c.get_attribute("data-date") for c in claims] == ["2025-06", "2025-08-07"]
    assert [c.get_attribute("class") for c in claims] == ["claim rumored", "claim confirmed"]
    bars = [c.find_element(By.CSS_SELECTOR, "rect.period") for c in claims]
    assert bars[1].rect["x"] > bars[0].rect["x"]  # the later date sits further right
    assert bars[0].value_of_css_property("fill") != bars[1].value_of_css_property("fill")
    no_secret(browser)
    shoot(browser, "watch", tmp_path)

    # the feeds' health
    browser.find_element(By.LINK_TEXT, "Feeds").click()
    rows = browser.find_elements(By.CSS_SELECTOR, "table.feeds tbody tr")
    assert len(rows) == 3
    assert rows[0].get_attribute("class") == "failing" and "http_4xx" in rows[0].text
    no_secret(browser)

    # the preview: write a watch, submit, read what it would alert
    browser.find_element(By.LINK_TEXT, "Preview").click()
    box = browser.find_element(By.ID, "watch")
    box.clear()
    box.send_keys("name: GPT-5\nterms: [GPT-5]\naliases: [GPT 5, GPT5]\n")
    days = browser.find_element(By.ID, "days")
    days.clear()
    days.send_keys("30")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    result = WebDriverWait(browser, 20).until(lambda b: b.find_element(By.ID, "result"))
    assert "GPT-5: 2 of 3 items match, 2 would alert" in result.text
    assert "dated 2025-08-07" in result.text
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
