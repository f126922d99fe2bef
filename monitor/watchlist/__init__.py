"""Watchlist files: load, validate and describe what to watch.

A watchlist is a YAML file with one top-level key, ``watches``, a list of watches. A path
given to :func:`load_watchlists` may be a file or a folder; a folder stands for its
``*.yaml`` and ``*.yml`` files (not hidden ones), in name order. ``watchlists/ai-releases.yaml``
is a commented example. A watch has these keys (only ``name`` and ``terms`` are required;
wherever a list is expected, a single value is accepted too):

``name``
    Unique across all files (case-insensitively); alerts and logs use it.
``terms``
    What the watch is about, as plain text (``GPT-5``) or, opt-in, as a regular expression
    (``{regex: "GPT-5(?:-mini)?"}``). Search feeds are built from the plain terms.
``aliases``
    Other ways texts write the same thing (``GPT 5``, ``GPT5``); matched like terms, never
    sent to search engines.
``case_sensitive``
    ``false`` by default: terms match in any case (Unicode case folding). ``true`` for names
    whose case matters (``MAI-1``, ``Build``); their capitals still match in a headline
    written all in capitals ("MICROSOFT BUILD 2024 KICKS OFF").
``exclude``
    Phrases (plain or ``{regex: ...}``) that veto a hit of this watch: a term hit is dropped
    when an occurrence of an exclude phrase overlaps it (covers it, sits inside it or
    shares a character with it). An exclude phrase elsewhere in the text vetoes nothing.
``context``
    ``{words: [...], within: N}`` (N defaults to 5): a term hit counts only if one of the
    words (plain or ``{regex: ...}``, always case-insensitive) occurs with at most N words
    between it and the hit; a context word inside the hit counts too, so ``Microsoft
    Build`` satisfies the context word ``Microsoft``. List words in every language you
    read (``conference``, ``conférence``).
``languages``
    Language codes (``en``, ``fr``); an item whose feed declares another language is not
    matched. Unset: every language.
``alert_on``
    Signals that raise an alert: any of ``mention``, ``rumor``, ``dated``, ``released``.
    Default: ``released``, ``dated`` and ``rumor``.
``targets``
    Names of the config's ``[targets]`` that receive this watch's alerts. Unset: all of
    them; an empty list: none (matches are stored and logged only).
``feeds``
    Extra feed URLs (http or https) polled for this watch.
``search``
    Search sources (``google_news``, ``hn``, ``reddit``, or any name the config adds under
    its search templates) to poll for this watch's terms; see :func:`search_feed_urls`.

Plain terms, aliases, exclude phrases and context words are normalised exactly like item
text (``monitor.normalize``), so typography in either never matters. :func:`load_watchlists`
reports every problem of every file at once, each as ``file:line: message``.
"""

from __future__ import annotations

from monitor.watchlist.load import (
    check_watchlists,
    load_watch_text,
    load_watchlists,
    search_feed_urls,
)
from monitor.watchlist.model import (
    DEFAULT_ALERT_ON,
    DEFAULT_CONTEXT_WITHIN,
    Context,
    Term,
    Watch,
    WatchlistDiff,
    Watchlists,
)

__all__ = [
    "DEFAULT_ALERT_ON",
    "DEFAULT_CONTEXT_WITHIN",
    "Context",
    "Term",
    "Watch",
    "WatchlistDiff",
    "Watchlists",
    "check_watchlists",
    "load_watch_text",
    "load_watchlists",
    "search_feed_urls",
]
