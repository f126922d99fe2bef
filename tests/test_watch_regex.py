"""A catastrophic watch regex is refused by ``watchlists check`` and, if it gets through,
costs a bounded time per item without holding the event loop (#18, point 1)."""

from __future__ import annotations

import asyncio
import logging
import textwrap
import time
from pathlib import Path

import pytest

from monitor.matcher import Matcher
from monitor.watch_regex import problem
from monitor.watchlist import Term, Watch
from tests.conftest import run_cli

HOSTILE = "a" * 30 + "!"


@pytest.mark.parametrize("source", ["(a+)+$", r"(\w+\s?)+$", "(?:x(a*)+)+", "(a|aa)+$"])
def test_catastrophic_patterns_are_refused(source: str) -> None:
    assert "backtrack catastrophically" in (problem(source) or "")


@pytest.mark.parametrize(
    "source",
    [r"GPT-5(?:-mini)?", r"\d+(?:\.\d+)*", r"\bBuild \d{5,}|\bBuild \d+\.\d+", r"MAI-1\b"],
)
def test_ordinary_patterns_pass(source: str) -> None:
    assert problem(source) is None


def test_watchlists_check_refuses_the_redos_watch_with_its_line(tmp_path: Path) -> None:
    wl = tmp_path / "wl.yaml"
    wl.write_text(
        textwrap.dedent(
            """\
            watches:
              - name: Evil
                terms:
                  - {regex: "(a+)+$"}
            """
        )
    )
    done = run_cli("watchlists", "check", str(wl), cwd=tmp_path)
    assert done.code == 1
    assert done.out.startswith(f"{wl}:4: regex '(a+)+$' can backtrack catastrophically")
    assert "Traceback" not in done.err


def test_a_pattern_that_slips_through_is_bounded_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # built directly, as if `watchlists check` had not been run
    matcher = Matcher([Watch("Evil", (Term("(a|aa)+$", regex=True),))])
    started = time.perf_counter()
    with caplog.at_level(logging.WARNING):
        assert matcher.match("a" * 60 + "!") == []
    assert time.perf_counter() - started < 2
    assert "watch regex ran out of time" in caplog.text


def test_matching_a_hostile_item_in_a_thread_leaves_the_loop_free() -> None:
    matcher = Matcher([Watch("Evil2", (Term("(b|bb)+$", regex=True),))])

    async def main() -> float:
        worst = 0.0
        job = asyncio.ensure_future(asyncio.to_thread(matcher.match, "b" * 60 + "!"))
        while not job.done():
            before = time.perf_counter()
            await asyncio.sleep(0.01)
            worst = max(worst, time.perf_counter() - before - 0.01)
        await job
        return worst

    assert asyncio.run(main()) < 0.2
