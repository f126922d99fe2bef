"""The ``{regex: ...}`` entries of watchlists: compiled once, searched in bounded time.

A watchlist regex is user input run against hostile text (any feed can publish any
title), so Python's backtracking ``re`` could hold the process for minutes on
``(a+)+$`` and thirty a's (see #18). Rules:

1. Entries compile with the ``regex`` package (a superset of ``re``'s syntax).
2. ``watchlists check`` refuses a pattern with a repeat whose body, optional parts aside,
   is one unbounded repeat (``(a+)+``, ``(\\w+\\s?)+``), or that takes long on a probe of
   repeated characters (``(a|aa)+$``): those backtrack catastrophically.
3. Whatever got through, every search has a time limit (``regex``'s ``timeout``) and
   releases the GIL (``concurrent=True``), so the event loop keeps running meanwhile. A
   search that runs out of time counts as no hit and is logged once per pattern.
"""

from __future__ import annotations

import logging
import re._parser as sre_parse  # type: ignore[import-not-found]  # the stdlib's reading
import time
from typing import Any

import regex

log = logging.getLogger(__name__)

# Seconds one pattern may search one text. A matching title takes microseconds; the limit
# bounds what a hostile item costs: (number of regex entries) x this.
SEARCH_TIMEOUT = 0.25
# Seconds a pattern may take on a probe text in ``watchlists check``.
PROBE_TIMEOUT = 0.05

Pattern = regex.Pattern[str]
_REPEATS = frozenset({sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT})
_warned: set[str] = set()


def compile_pattern(source: str, *, ignore_case: bool) -> Pattern:
    """``source`` compiled as the matcher uses it; raises ``regex.error``."""
    return regex.compile(source, regex.IGNORECASE if ignore_case else 0)


def finditer_spans(pattern: Pattern, text: str) -> list[tuple[int, int]]:
    """Non-empty ``(start, end)`` hits of ``pattern`` in ``text``, within SEARCH_TIMEOUT."""
    try:
        return [
            m.span()
            for m in pattern.finditer(text, timeout=SEARCH_TIMEOUT, concurrent=True)
            if m.end() > m.start()
        ]
    except TimeoutError:
        if pattern.pattern not in _warned:
            _warned.add(pattern.pattern)
            log.warning(
                "watch regex ran out of time regex=%r text_chars=%d timeout_s=%s: counted "
                "as no match; simplify it (monitor watchlists check shows why)",
                pattern.pattern,
                len(text),
                SEARCH_TIMEOUT,
            )
        return []


def problem(source: str) -> str | None:
    """Why ``source`` cannot be a watch regex, or None when it can."""
    try:
        compiled = compile_pattern(source, ignore_case=True)
    except regex.error as exc:
        return f"regex {source!r} does not compile: {exc}"
    if compiled.search("", timeout=PROBE_TIMEOUT) is not None:
        return f"regex {source!r} matches empty text"
    if _nested_repeat(source):
        return (
            f"regex {source!r} can backtrack catastrophically (a repeat inside a repeat, "
            "such as (a+)+): write it without the nesting"
        )
    slow = _slow_probe(compiled, source)
    if slow is not None:
        return (
            f"regex {source!r} can backtrack catastrophically (slow on {slow!r}): "
            "write it with fewer overlapping alternatives"
        )
    return None


def _nested_repeat(source: str) -> bool:
    """True when a repeat's body is nothing but an unbounded repeat. Patterns that only the
    ``regex`` package reads are not judged here; their time limit still holds."""
    try:
        tree = sre_parse.parse(source)
    except Exception:  # noqa: BLE001 -- regex-only syntax: the time limit covers it
        return False
    return _walk(list(tree))


def _walk(items: list[tuple[Any, Any]]) -> bool:
    for op, arg in items:
        if op in _REPEATS and arg[1] > 1 and _only_a_repeat(list(arg[2])):
            return True
        if any(_walk(list(child)) for child in _children(op, arg)):
            return True
    return False


def _children(op: Any, arg: Any) -> list[Any]:
    """The sub-patterns of one parsed node."""
    if op in _REPEATS:
        return [arg[2]]
    if op is sre_parse.SUBPATTERN:
        return [arg[-1]]
    if op is sre_parse.BRANCH:
        return list(arg[1])
    if op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
        return [arg[1]]
    return []


def _only_a_repeat(body: list[tuple[Any, Any]]) -> bool:
    """True when a repeated body is, once its optional parts are left out, one unbounded
    repeat: ``(a+)+`` and ``(\\w+\\s?)+`` can split a run of characters in exponentially
    many ways; ``(\\.\\d+)*`` cannot (each round needs its dot)."""
    while len(body) == 1 and body[0][0] is sre_parse.SUBPATTERN:
        body = list(body[0][1][-1])
    required = [
        (op, arg) for op, arg in body if not (op in _REPEATS and arg[0] == 0 and arg[1] <= 1)
    ]
    if len(required) != 1:
        return False
    op, arg = required[0]
    return op in _REPEATS and (arg[1] == sre_parse.MAXREPEAT or arg[1] > 100)


def _slow_probe(compiled: Pattern, source: str) -> str | None:
    """A probe text (a character of the pattern, repeated, then one that breaks the run) on
    which ``compiled`` runs out of PROBE_TIMEOUT, or None."""
    chars = [c for c in dict.fromkeys(source) if c.isalnum() or c in " -_."][:12] or ["a"]
    for char in chars:
        probe = char * 40 + "!"
        started = time.perf_counter()
        try:
            compiled.search(probe, timeout=PROBE_TIMEOUT)
        except TimeoutError:
            return probe
        if time.perf_counter() - started > PROBE_TIMEOUT:
            return probe
    return None
