"""Find watch terms in a document's normalised text, precisely and in one pass.

Rules, in the order they apply to a text made by ``monitor.normalize.document_text``:

1. **One automaton.** Every plain term, alias, exclude phrase and context word of every
   watch is normalised like the text, case-folded and put in one Aho-Corasick automaton
   (ahocorasick-rs, overlapping matches), which scans the case-folded text once; cost
   hardly grows with the number of terms. Only ``{regex: ...}`` entries are searched one
   by one, on the normalised text (with ``IGNORECASE`` unless the watch is
   case-sensitive), and taken as written: no boundary rule is added to them. They run
   under ``monitor.watch_regex``'s time limit, so a hostile text costs a bounded time.
2. **Case.** Case-insensitive watches match under Unicode case folding ("gpt-5",
   "STRASSE" for "Straße"); a case-sensitive watch's hit must equal the normalised term
   exactly, or be its capitals in a line written in capitals ("MICROSOFT BUILD 2024 KICKS
   OFF" for "Build": a shouted headline has no case to respect), which is a line of at
   least three words with no lower-case letter. Spans always index the normalised text,
   never the folded copy.
3. **Token boundaries.** A term that starts with a letter or digit must not follow a
   letter, digit, mark or ``_`` (Japanese, Chinese and Korean letters, written without
   spaces, are boundaries); one that ends with a letter or digit must not be followed
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
   sorted by start, longest first, then in watch order.
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
from monitor.watch_regex import Pattern, compile_pattern, finditer_spans
from monitor.watchlist import Watch

_TERM, _EXCLUDE, _CONTEXT = 0, 1, 2
_ASCII_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_TOKEN = re.compile(r"\S+")
_ALNUM = re.compile(r"[^\W_]")
# A DFA scans about twice as fast as an NFA but builds slower and bigger; past this many
# patterns the contiguous NFA keeps the build well under 100 ms.
_DFA_MAX_PATTERNS = 5_000

Span = tuple[int, int]


# Scripts written without spaces: a Latin term or number right beside them ("iPhone 17の",
# "Switch 2를") still stands alone.
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]")


def _is_word(char: str) -> bool:
    if char.isascii():
        return char in _ASCII_WORD
    if _UNSPACED.match(char):
        return False
    return char.isalnum() or unicodedata.category(char).startswith("M")


# What one automaton pattern means for one watch: (watch index, kind, position of the
# term in the watch, the term as written, the normalised term when case must match or None).
_Entry = tuple[int, int, int, str, str | None]
# (check the character before, check the one after, entries): a side is checked when the
# pattern starts or ends with a word character there.
_Pattern = tuple[bool, bool, list[_Entry]]


@dataclass(frozen=True)
class _Rules:
    """The per-watch checks beyond the automaton; only watches that need them have one."""

    watch: Watch
    exclude_regexes: tuple[Pattern, ...]
    context_regexes: tuple[Pattern, ...]
    within: int | None  # None: no context rule

    def keeps(
        self,
        start: int,
        end: int,
        vetoes: Sequence[Span],
        near: Sequence[Span],
        tokens: _Tokens | None,
    ) -> bool:
        if any(a < end and start < b for a, b in vetoes):
            return False
        if self.within is None:
            return True
        assert tokens is not None
        return tokens.near(start, end, near, self.within)


class Matcher:
    """All watches compiled once; :meth:`match` is then pure and thread-safe."""

    def __init__(self, watches: Sequence[Watch]) -> None:
        self.watches = tuple(watches)
        self._names = tuple(w.name for w in self.watches)
        entries: dict[str, list[_Entry]] = {}

        def add(index: int, kind: int, order: int, text: str, case_sensitive: bool) -> None:
            norm = normalize(text)
            if norm:
                entry = (index, kind, order, text, norm if case_sensitive else None)
                key = norm.casefold()
                bucket = entries.get(key)
                if bucket is None:
                    entries[key] = [entry]
                else:
                    bucket.append(entry)

        regexes: list[tuple[int, int, str, Pattern]] = []
        rules: dict[int, _Rules] = {}
        for index, watch in enumerate(self.watches):
            case_sensitive = watch.case_sensitive
            fold = not case_sensitive
            for order, term in enumerate(watch.all_terms):
                if term.regex:
                    regexes.append(
                        (index, order, term.text, compile_pattern(term.text, ignore_case=fold))
                    )
                else:
                    add(index, _TERM, order, term.text, case_sensitive)
            if not (watch.exclude or watch.context or watch.languages is not None):
                continue
            excludes = []
            for term in watch.exclude:
                if term.regex:
                    excludes.append(compile_pattern(term.text, ignore_case=fold))
                else:
                    add(index, _EXCLUDE, 0, term.text, case_sensitive)
            contexts = []
            for term in watch.context.words if watch.context is not None else ():
                if term.regex:
                    contexts.append(compile_pattern(term.text, ignore_case=True))
                else:
                    add(index, _CONTEXT, 0, term.text, False)
            within = watch.context.within if watch.context is not None else None
            rules[index] = _Rules(watch, tuple(excludes), tuple(contexts), within)
        self._rules = rules
        self._regexes = tuple(regexes)
        self._patterns: tuple[_Pattern, ...] = tuple(
            (_is_word(key[0]), _is_word(key[-1]), bucket) for key, bucket in entries.items()
        )
        implementation = (
            ahocorasick_rs.Implementation.DFA
            if len(entries) <= _DFA_MAX_PATTERNS
            else ahocorasick_rs.Implementation.ContiguousNFA
        )
        self._automaton = (
            ahocorasick_rs.AhoCorasick(
                list(entries),
                matchkind=ahocorasick_rs.MatchKind.Standard,
                implementation=implementation,
            )
            if entries
            else None
        )

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
        # (start, -end, watch, term position, term): sorts by start, longest first, then
        # the watch order and the term listed first
        hits: list[tuple[int, int, int, int, str]] = []
        excludes: dict[int, list[Span]] | None = None
        contexts: dict[int, list[Span]] | None = None
        if self._automaton is not None:
            folded = text.casefold()
            found = self._automaton.find_matches_as_indexes(folded, overlapping=True)
            if found:
                hits, excludes, contexts = self._check(text, folded, found)
        for index, order, source, regex in self._regexes:
            for start, end in finditer_spans(regex, text):
                hits.append((start, -end, index, order, source))
        if not hits:
            return []
        rules = self._rules
        if len(hits) == 1 and not rules:
            start, negative_end, index, _, term = hits[0]
            return [Match(self._names[index], term, start, -negative_end)]
        hits.sort()
        names = self._names
        last_end: dict[int, int] = {}
        tokens: _Tokens | None = None
        matches = []
        for start, negative_end, index, _, term in hits:
            end = -negative_end
            if last_end.get(index, -1) > start:
                continue  # overlaps a hit of the same watch that starts earlier or is longer
            rule = rules.get(index) if rules else None
            if rule is not None:
                if language is not None and not rule.watch.wants_language(language):
                    continue
                vetoes = excludes.get(index, []) if excludes else []
                if rule.exclude_regexes:
                    vetoes = vetoes + _regex_spans(rule.exclude_regexes, text)
                near = contexts.get(index, []) if contexts else []
                if rule.within is not None:
                    if rule.context_regexes:
                        near = near + _regex_spans(rule.context_regexes, text)
                    if tokens is None:
                        tokens = _Tokens(text)
                if not rule.keeps(start, end, vetoes, near, tokens):
                    continue
            last_end[index] = end
            matches.append(Match(names[index], term, start, end))
        return matches

    def _check(
        self, text: str, folded: str, found: list[tuple[int, int, int]]
    ) -> tuple[
        list[tuple[int, int, int, int, str]],
        dict[int, list[Span]] | None,
        dict[int, list[Span]] | None,
    ]:
        """Keep the automaton's hits that sit on token boundaries, sorted by kind."""
        hits: list[tuple[int, int, int, int, str]] = []
        excludes: dict[int, list[Span]] | None = None
        contexts: dict[int, list[Span]] | None = None
        origin: list[int] | None = None
        if len(folded) != len(text):
            # some character folds to several ("ß" -> "ss"): map folded offsets back
            origin = []
            for position, char in enumerate(text):
                origin.extend([position] * len(char.casefold()))
            origin.append(len(text))
        size = len(text)
        patterns = self._patterns
        word = _ASCII_WORD
        for pattern_index, start, end in found:
            if origin is not None:
                # A hit must cover whole characters of the original text.
                if (start > 0 and origin[start - 1] == origin[start]) or origin[end] == origin[
                    end - 1
                ]:
                    continue
                start, end = origin[start], origin[end - 1] + 1
            left, right, entries = patterns[pattern_index]
            if left and start > 0:
                before = text[start - 1]
                if before in word or (not before.isascii() and _is_word(before)):
                    continue
            if right and end < size:
                after = text[end]
                if after in word or (not after.isascii() and _is_word(after)):
                    continue
                if after in ".," and end + 1 < size and text[end + 1].isdigit():
                    continue  # a later version: "GPT-5.1"
            for watch, kind, order, term, exact in entries:
                if exact is not None and not _same_case(text, start, end, exact):
                    continue
                if kind == _TERM:
                    hits.append((start, -end, watch, order, term))
                elif kind == _EXCLUDE:
                    if excludes is None:
                        excludes = {}
                    excludes.setdefault(watch, []).append((start, end))
                else:
                    if contexts is None:
                        contexts = {}
                    contexts.setdefault(watch, []).append((start, end))
        return hits, excludes, contexts


def _same_case(text: str, start: int, end: int, exact: str) -> bool:
    """Whether a case-sensitive hit is written as the term, or shouted (rule 2)."""
    written = text[start:end]
    return written == exact or (written == exact.upper() and _shouted(text, start))


def _shouted(text: str, position: int) -> bool:
    """Whether the line around ``position`` is written in capitals."""
    line_start = text.rfind("\n", 0, position) + 1
    line_end = text.find("\n", position)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if any(char.islower() for char in line):
        return False
    return sum(1 for word in line.split() if any(char.isalpha() for char in word)) >= 3


def _regex_spans(regexes: Sequence[Pattern], text: str) -> list[Span]:
    return [span for regex in regexes for span in finditer_spans(regex, text)]


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
