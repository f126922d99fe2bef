"""Hostile feed text served through the daemon must reach chat as harmless alerts: no markup
that renders, no mass mention, no link but the real http(s) URL, no bidi trick."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import SHARED, LocalServer, Receiver, run_cli, write_config

HOSTILE = SHARED / "data" / "hostile"
WATCHLIST = """watches:
  - name: XSS
    terms: [XSS case, Escaped]
    alert_on: [released, dated, rumor, mention]
  - name: Spoof
    terms: [click, trusted, bold, line2, visible, styled]
    alert_on: [released, dated, rumor, mention]
"""
pytestmark = pytest.mark.skipif(not HOSTILE.is_dir(), reason="shared hostile fixtures absent")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def test_html_injection_fixtures_make_harmless_alerts(
    tmp_path: Path, feed_server: LocalServer, receiver: Receiver
) -> None:
    feeds = [
        feed_server.serve(f"/{f.name}", f.read_bytes())
        for f in sorted(HOSTILE.glob("html_injection_*.xml"))
    ]
    assert len(feeds) == 2
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "hostile.yaml").write_text(WATCHLIST, encoding="utf-8")
    receiver.serve("/hooks/abcdefghijklmnop", "ok", content_type="text/plain")
    config = write_config(
        tmp_path / "c.toml",
        database=f"sqlite:///{tmp_path / 'm.db'}",
        feeds=feeds,
        targets={
            "chat": receiver.apprise_url,
            "mm": f"mmost://127.0.0.1:{receiver.port}/abcdefghijklmnop",
        },
    )
    config.write_text(
        config.read_text().replace(
            json.dumps(str(Path(__file__).resolve().parents[1] / "watchlists")),
            json.dumps(str(tmp_path / "lists")),
        )
    )
    result = run_cli("run", "--once", "--config", str(config))
    assert result.code == 0, result.err

    chat = [json.loads(r.body) for r in receiver.hits("/hook")]
    mattermost = [json.loads(r.body)["text"] for r in receiver.hits("/hooks/abcdefghijklmnop")]
    # items alike enough to be one story raise one alert, so count only that alerts came
    assert len(chat) >= 5 and len(mattermost) == len(chat)
    texts = [m["title"] + "\n" + m["message"] for m in chat] + mattermost
    spoof = [t for t in texts if "click" in t or "trusted" in t]
    assert spoof, "the summaries' hostile text reached some alerts"
    for text in texts:
        lowered = text.lower()
        assert "<script" not in lowered and "<iframe" not in lowered and "<img" not in lowered
        assert "<form" not in lowered and "<svg" not in lowered and "<a " not in lowered
        assert "javascript:" not in lowered and "data:text" not in lowered
        assert "tg://" not in lowered
        assert not re.search(r"(?<![\w\u200b])@(everyone|here)\b", text)
        assert "<!channel>" not in text and "<@U123>" not in text
        assert "](http" not in text  # no Markdown link with feed-chosen text
        assert not BIDI.search(text)
        # our links are the items' own, shown as the URL; URLs in feed text stay visible text
        links = re.findall(r"<(https?://[^\s>]+)>", text)
        assert all(link.startswith("https://news.example.invalid/x/") for link in links), links
        assert len(text) < 2000
