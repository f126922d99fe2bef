"""Find watch terms in a document's normalised text, precisely and in one pass.

Rules, in the order they apply to a text made by ``monitor.normalize.document_text``:

1. **One automaton.** Every plain term, alias, exclude phrase and context word of every
   watch is normalised like the text, case-folded and put in one Aho-Corasick automaton
   (ahocorasick-rs, overlapping matches), which scans the case-folded text once; cost
   hardly grows with the number of terms. Only ``{regex: ...}`` entries are searched one
   by one, on the normalised text (with ``re.IGNORECASE`` unless the watch is
   case-sensitive), and taken as written: no boundary rule is added to them.
2. **Case.** Case-insensitive watches match under Unicode case folding ("gpt-5",
   "STRASSE" for "Straße"); a case-sensitive watch's hit must equal the normalised term
   exactly. Spans always index the normalised text, never the folded copy.
3. **Token boundaries.** A term that starts with a letter or digit must not follow a
   letter, digit, mark or ``_``; one that ends with a letter or digit must not be followed
   by one, nor by ``.`` or ``,`` then a digit (a later version). So "GPT-5" matches in
   "GPT-5's", "(GPT-5)", "#GPT-5", "GPT-5." and "GPT-5-mini" (a hyphen joins a variant of
   the same thing, like "MAI-1-preview"), but not in "GPT-50", "GPT-5o", "ChatGPT-5",
   "GPT-5.1" or "GPT-5,5".
4. **Separators.** A separator written in a term matches only itself after
   normalisation: every dash is ``-`` and every space is `` `` by then, so "GPT‑5" (U+2011)
   is "GPT-5", but "GPT 5" and "GPT5" need aliases. Spelling variants are explicit,
   which keeps "G P T - 5" from matching.
5. **Exclude, then context.** A hit is dropped when one of its watch's exclude phrases
   overlaps it, then when the watch has a context and none of its words is within
   ``within`` words of the hit (see ``monitor.watchlist``).
6. **One match per place.** Hits of the same watch that overlap collapse to the one that
   starts first, longest first; hits of different watches are all kept. Matches come back
   sorted by start, then end, then watch order.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import ahocorasick_rs

from monitor.model import Match
from monitor.normalize import normalize
from monitor.watchlist import Term, Watch

_TERM, _EXCLUDE, _CONTEXT = 0, 1, 2
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_TOKEN = re.compile(r"\S+")
_ALNUM = re.compile(r"[^\W_]")

Span = tuple[int, int]


def _is_word(char: str) -> bool:
    if char.isascii():
        return char in _ASCII_WORD
    return char.isalnum() or unicodedata.category(char).startswith("M")


@dataclass(frozen=True)
class _Entry:
    """What one automaton pattern means for one watch."""

    watch: int
    kind: int
    term: str  # as written in the watchlist
    exact: str | None  # the normalised term when case must match, else None


@dataclass(frozen=True)
class _Pattern:
    left: bool  # the pattern starts with a word character: check the one before
    right: bool  # it ends with one: check the one after
    entries: tuple[_Entry, ...]


@dataclass(frozen=True)
class _Rules:
    """Per-watch parts that are not in the automaton."""

    regexes: tuple[tuple[str, re.Pattern[str]], ...]
    exclude_regexes: tuple[re.Pattern[str], ...]
    context_regexes: tuple[re.Pattern[str], ...]
    within: int | None  # None: no context rule


class Matcher:
    """All watches compiled once; :meth:`match` is then pure and thread-safe."""

    def __init__(self, watches: Sequence[Watch]) -> None:
        self.watches = tuple(watches)
        entries: dict[str, list[_Entry]] = {}
        rules: list[_Rules] = []
        for index, watch in enumerate(self.watches):
            flags = 0 if watch.case_sensitive else re.IGNORECASE
            regexes: list[tuple[str, re.Pattern[str]]] = []
            excludes: list[re.Pattern[str]] = []
            contexts: list[re.Pattern[str]] = []
            groups: list[tuple[int, tuple[Term, ...], bool]] = [
                (_TERM, watch.all_terms, watch.case_sensitive),
                (_EXCLUDE, watch.exclude, watch.case_sensitive),
            ]
            if watch.context is not None:
                groups.append((_CONTEXT, watch.context.words, False))
            for kind, terms, case_sensitive in groups:
                for term in terms:
                    if term.regex:
                        compiled = re.compile(
                            term.text, flags if kind != _CONTEXT else re.IGNORECASE
                        )
                        if kind == _TERM:
                            regexes.append((term.text, compiled))
                        elif kind == _EXCLUDE:
                            excludes.append(compiled)
                        else:
                            contexts.append(compiled)
                        continue
                    norm = normalize(term.text)
                    if not norm:
                        continue
                    entry = _Entry(index, kind, term.text, norm if case_sensitive else None)
                    entries.setdefault(norm.casefold(), []).append(entry)
            rules.append(
                _Rules(
                    tuple(regexes),
                    tuple(excludes),
                    tuple(contexts),
                    watch.context.within if watch.context is not None else None,
                )
            )
        self._rules = tuple(rules)
        keys = list(entries)
        self._patterns = tuple(
            _Pattern(_is_word(key[0]), _is_word(key[-1]), tuple(entries[key])) for key in keys
        )
        self._automaton = (
            ahocorasick_rs.AhoCorasick(keys, matchkind=ahocorasick_rs.MatchKind.Standard)
            if keys
            else None
        )
        self._has_regexes = any(r.regexes for r in rules)

    def __len__(self) -> int:
        """Number of distinct automaton patterns (after normalisation and folding)."""
        return len(self._patterns)

    def match(self, text: str, *, language: str | None = None) -> list[Match]:
        """Every match of every watch in ``text`` (a normalised document), sorted by start.

        ``language`` is the item's language, if known; watches limited to other languages
        are skipped.
        """
        if not text:
            return []
        hits: dict[int, list[tuple[int, int, str]]] = {}
        excludes: dict[int, list[Span]] = {}
        contexts: dict[int, list[Span]] = {}
        if self._automaton is not None:
            self._scan(text, hits, excludes, contexts)
        if self._has_regexes:
            for index, rule in enumerate(self._rules):
                for source, regex in rule.regexes:
                    for hit in regex.finditer(text):
                        if hit.end() > hit.start():
                            hits.setdefault(index, []).append((hit.start(), hit.end(), source))
        if not hits:
            return []
        matches: list[tuple[int, int, int, str]] = []
        tokens: _Tokens | None = None
        for index, found in hits.items():
            watch = self.watches[index]
            if language is not None and not watch.wants_language(language):
                continue
            rule = self._rules[index]
            vetoes = excludes.get(index, [])
            if rule.exclude_regexes:
                vetoes = vetoes + _regex_spans(rule.exclude_regexes, text)
            if vetoes:
                found = [h for h in found if not any(a < h[1] and h[0] < b for a, b in vetoes)]
            if rule.within is not None and found:
                near = contexts.get(index, [])
                if rule.context_regexes:
                    near = near + _regex_spans(rule.context_regexes, text)
                if tokens is None:
                    tokens = _Tokens(text)
                found = [h for h in found if tokens.near(h[0], h[1], near, rule.within)]
            last_end = -1
            for start, end, term in sorted(found, key=lambda h: (h[0], -h[1])):
                if start >= last_end:
                    matches.append((start, end, index, term))
                    last_end = end
        matches.sort()
        return [Match(self.watches[i].name, term, start, end) for start, end, i, term in matches]

    def _scan(
        self,
        text: str,
        hits: dict[int, list[tuple[int, int, str]]],
        excludes: dict[int, list[Span]],
        contexts: dict[int, list[Span]],
    ) -> None:
        assert self._automaton is not None
        folded = text.casefold()
        origin: list[int] | None = None
        if len(folded) != len(text):  # some character folds to several ("ß" -> "ss")
            origin = []
            for position, char in enumerate(text):
                origin.extend([position] * len(char.casefold()))
            origin.append(len(text))
        size = len(text)
        for pattern_index, start, end in self._automaton.find_matches_as_indexes(
            folded, overlapping=True
        ):
            if origin is not None:
                # A hit must cover whole characters of the original text.
                if (start > 0 and origin[start - 1] == origin[start]) or origin[end] == origin[
                    end - 1
                ]:
                    continue
                start, end = origin[start], origin[end - 1] + 1
            pattern = self._patterns[pattern_index]
            if pattern.left and start > 0 and _is_word(text[start - 1]):
                continue
            if pattern.right and end < size:
                after = text[end]
                if _is_word(after) or (
                    after in ".," and end + 1 < size and text[end + 1].isdigit()
                ):
                    continue
            for entry in pattern.entries:
                if entry.exact is not None and text[start:end] != entry.exact:
                    continue
                if entry.kind == _TERM:
                    hits.setdefault(entry.watch, []).append((start, end, entry.term))
                elif entry.kind == _EXCLUDE:
                    excludes.setdefault(entry.watch, []).append((start, end))
                else:
                    contexts.setdefault(entry.watch, []).append((start, end))


def _regex_spans(regexes: Sequence[re.Pattern[str]], text: str) -> list[Span]:
    return [
        (m.start(), m.end())
        for regex in regexes
        for m in regex.finditer(text)
        if m.end() > m.start()
    ]


class _Tokens:
    """Whitespace-separated words (holding a letter or digit) of a text, to count distance."""

    def __init__(self, text: str) -> None:
        words = [m.span() for m in _TOKEN.finditer(text) if _ALNUM.search(m.group())]
        self.starts = [s for s, _ in words]
        self.ends = [e for _, e in words]

    def _words(self, start: int, end: int) -> tuple[int, int]:
        """Index of the first and last word a span touches."""
        first = bisect_right(self.ends, start)
        last = bisect_left(self.starts, end) - 1
        return first, max(first, last)

    def near(self, start: int, end: int, spans: Sequence[Span], within: int) -> bool:
        """Whether one of ``spans`` has at most ``within`` words between it and the hit."""
        first, last = self._words(start, end)
        for span_start, span_end in spans:
            other_first, other_last = self._words(span_start, span_end)
            if other_first > last:
                between = other_first - last - 1
            elif other_last < first:
                between = first - other_last - 1
            else:
                between = 0
            if between <= within:
                return True
        return False
