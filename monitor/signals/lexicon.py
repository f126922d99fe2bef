"""The cue lexicon: kinds of cue, and the index that finds them in a text."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import NamedTuple

# Kinds of cue tied to a thing. Tense: "past", "present", "future" or "" (a noun or a bare
# infinitive, decided by the words around it). Side: where its thing usually is: "after"
# (launches X), "before" (X is available) or "either".
RELEASE, EVENT, SCHEDULE, DEVELOP, UPCOMING, RUMOR, CANCEL, FEATURE = (
    "release",
    "event",
    "schedule",
    "develop",
    "upcoming",
    "rumor",
    "cancel",  # canceled, scrapped, shelved: the thing's fate, a rumor while unconfirmed
    "feature",  # "to get", "will feature": what it will have, a rumor when hedged or sourced
)
TIED = frozenset({RELEASE, EVENT, SCHEDULE, DEVELOP, UPCOMING, RUMOR, CANCEL, FEATURE})
# Kinds of marker that qualify a clause.
HEDGE, SOURCE, NEGATION, NOT_NEGATION, NOW, NOT_NOW, DENIAL = (
    "hedge",
    "source",
    "negation",
    "not-negation",
    "now",
    "not-now",
    "denial",
)
# A condition ("if X lands", tense "if") or a time clause ("when it is released", tense
# "when") puts the verb after it in a release still to come.
CONDITION = "condition"
# "where it traditionally announces", "usually launches in September": a habit, not news.
HABITUAL = "habitual"
AUX, MODAL, THEN, VERB_FINAL, EVE, BREAK, PRELIMINARY = (
    "aux",
    "modal",
    "then",
    "verb-final",
    "eve",
    "break",
    "preliminary",  # pre-orders, a beta, a waitlist: steps before the launch itself
)

# First halves of hyphenated cues ("pre-orders", "sign-ups", "open-sourced", "roll-out"), not
# prefixes of other cues.
_JOINED = frozenset({"pre", "pré", "sign", "wait", "open", "roll"})
WORD = re.compile(r"[^\W\d_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# French conditionals ("lancerait") hedge like "would".
_CONDITIONAL_ENDINGS = ("erait", "eraient", "irait", "iraient")
# "presented as" describes, it does not release.
_DESCRIBED = r"(?!\s+(?:as|comme|como|als|wie)\b)"
_DESCRIBING = ("present", "présent", "vorgestellt", "stellt", "described", "décrit", "annonc")
_DESCRIBED_AFTER = re.compile(r"\s+(?:as|comme|como|als|wie)\b")


@dataclass(frozen=True)
class _Entry:
    kind: str
    tense: str
    side: str
    pattern: re.Pattern[str]
    # What may follow its first word (" said to" after "is"): a phrase whose text goes on
    # otherwise is not tried. Empty: no such list (an open pattern), always tried.
    follows: tuple[str, ...] = ()


class Hit(NamedTuple):
    """A cue or marker found in the text: its kind, tense, side and span."""

    kind: str
    tense: str
    side: str
    start: int
    end: int


def _top_level(pattern: str) -> list[str]:
    """Split a regex on its top-level ``|``."""
    parts, depth, current = [], 0, []
    escaped = False
    for char in pattern:
        if escaped:
            current.append(char)
            escaped = False
            continue
        if char == "\\":
            escaped = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _closing(pattern: str, start: int) -> int:
    depth = 0
    for index in range(start, len(pattern)):
        if pattern[index] == "\\":
            continue
        if pattern[index] == "(" and (index == 0 or pattern[index - 1] != "\\"):
            depth += 1
        elif pattern[index] == ")" and pattern[index - 1] != "\\":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(pattern)


def _keys(pattern: str) -> set[str] | None:
    """The first three letters of every word a pattern can start with (None: unknown)."""
    keys: set[str] = set()
    for alternative in _top_level(pattern):
        if alternative.startswith("(?:"):
            close = _closing(alternative, 0)
            inner, rest = alternative[3:close], alternative[close + 1 :]
            optional = rest[:1] in ("?", "*")
            rest = rest[1:] if optional else rest
            for branch in _top_level(inner):
                found = _keys(branch + rest)
                if found is None:
                    return None
                keys |= found
            if optional:
                found = _keys(rest)
                if found is None:
                    return None
                keys |= found
            continue
        literal = WORD.match(alternative)
        if literal is None:
            return None
        word = literal[0]
        following = alternative[len(word) : len(word) + 1]
        if following in ("?", "*", "{"):
            word = word[:-1]
        elif following in ("(", "[") and len(word) < 3:
            return None
        if not word:
            return None
        keys.add(word[:3])
    return keys


def _spellings(pattern: str, limit: int = 512) -> list[str] | None:
    """Every string a small regex matches ("lancée?s?" -> lancé, lancée, lancés, lancées),
    or None when it has open repeats ("\\w*"), escapes or too many spellings.

    Understands literals, ``x?``, ``[ab]``, ``(?:a|b)`` and ``(?:...)?``, nested.
    """

    def sequence(at: int) -> tuple[list[str], int] | None:
        results = [""]
        while at < len(pattern) and pattern[at] not in "|)":
            char = pattern[at]
            if char == "(":
                if not pattern.startswith("(?:", at):
                    return None
                group = alternatives(at + 3)
                if group is None:
                    return None
                options, at = group[0], group[1] + 1  # past ")"
            elif char == "[":
                close = pattern.find("]", at)
                options = list(pattern[at + 1 : close])
                inner = options[1:-1]  # a "-" first or last is itself, inside it is a range
                if close < 0 or "\\" in options or "^" in options[:1] or "-" in inner:
                    return None
                at = close + 1
            elif char in "\\.*+{}^$":
                return None
            else:
                options, at = [char], at + 1
            if pattern[at : at + 1] == "?":
                options, at = ["", *options], at + 1
            results = [r + o for r in results for o in options]
            if len(results) > limit:
                return None
        return results, at

    def alternatives(at: int) -> tuple[list[str], int] | None:
        found: list[str] = []
        while True:
            branch = sequence(at)
            if branch is None:
                return None
            found += branch[0]
            at = branch[1]
            if at >= len(pattern) or pattern[at] == ")":
                return found, at
            at += 1  # past "|"

    whole = alternatives(0)
    if whole is None or whole[1] != len(pattern):
        return None
    return whole[0]


class Lexicon:
    """Cue words, looked up by the words of the text.

    A cue that spells out as a few words is a dictionary entry ("lancée?s?" is four). A
    longer one is filed under its first word and confirmed by an anchored regex; one with an
    open ending ("rumou?r\\w*") under its fixed beginning. So a text costs one pass to list
    its words, whatever the size of the lexicon.
    """

    def __init__(self, stands_in: Callable[[str], bool] | None = None) -> None:
        self.stands_in = stands_in  # words that may stand for a thing ("it", "the model")
        self.words: dict[str, list[tuple[str, str, str]]] = {}
        self.by_word: dict[str, list[_Entry]] = {}
        # phrases by first word, then by (kind, tense, side): merged into one regex each
        self.phrases: dict[str, dict[tuple[str, str, str], list[str]]] = {}
        self.by_start: dict[str, list[_Entry]] = {}
        self.starts: tuple[str, ...] = ()
        self.scanned: list[_Entry] = []  # CJK words: no spaces to find words by
        self._exact: frozenset[str] = frozenset()  # words that are or start a cue
        self._plans: dict[str, _Plan] = {}
        self._open_heads: frozenset[str] = frozenset()
        # language -> word -> (kind, tense, side): cues of one language only ("test" is a
        # German word for a trial and an English noun), looked up when the item is in it
        self.by_language: dict[str, dict[str, list[tuple[str, str, str]]]] = {}
        # language -> words whose meaning there replaces the shared one (French "report":
        # a delay, not the English report)
        self.replaced: dict[str, set[str]] = {}
        # language -> words that are no cue there whatever the shared cues say (Italian
        # "due": two, not "due in March")
        self.silenced: dict[str, set[str]] = {}

    def add(self, kind: str, tense: str, side: str, *words: str) -> None:
        """File cues of one kind; they are matched on lower-cased text ("Gerüchte" too)."""
        for word in words:
            for alternative in _top_level(word.lower()):
                if _CJK.search(alternative):
                    self.scanned.append(_Entry(kind, tense, side, re.compile(alternative)))
                    continue
                tail = _DESCRIBED if alternative.startswith(_DESCRIBING) else ""
                entry = _Entry(kind, tense, side, re.compile(f"(?:{alternative})(?![\\w-]){tail}"))
                spellings = _spellings(alternative)
                if spellings is not None:
                    for spelling in spellings:
                        if WORD.fullmatch(spelling):
                            self.words.setdefault(spelling, []).append((kind, tense, side))
                        else:
                            first = WORD.match(spelling)
                            if first is None:
                                raise ValueError(f"cannot index cue {alternative!r}")
                            alternatives = self.phrases.setdefault(first[0], {})
                            alternatives.setdefault((kind, tense, side), []).append(spelling)
                    continue
                start = WORD.match(alternative)
                if start is None:
                    raise ValueError(f"cannot index cue {alternative!r}")
                fixed = (
                    start[0][:-1] if alternative[start.end() : start.end() + 1] == "?" else start[0]
                )
                self.by_start.setdefault(fixed, []).append(entry)
                self.starts = tuple(self.by_start)

    def add_language_words(
        self, language: str, kind: str, tense: str, side: str, *words: str, replace: bool = False
    ) -> None:
        """File plain words (no pattern) as cues of items in ``language`` only; ``replace``:
        there they mean this and not what the shared cues say."""
        table = self.by_language.setdefault(language, {})
        if replace:
            self.replaced.setdefault(language, set()).update(w.lower() for w in words)
        for word in words:
            entries = table.setdefault(word.lower(), [])
            if (kind, tense, side) not in entries:
                entries.append((kind, tense, side))

    def silence(self, language: str, *words: str) -> None:
        """Make words no cue in items of ``language``."""
        self.silenced.setdefault(language, set()).update(w.lower() for w in words)

    def freeze(self) -> None:
        """Merge the phrases that share a first word and a meaning into one regex."""
        for first, groups in self.phrases.items():
            for (kind, tense, side), spellings in groups.items():
                ordered = sorted(set(spellings), key=len, reverse=True)
                body = "|".join(re.escape(s) for s in ordered)
                tail = _DESCRIBED if first.startswith(_DESCRIBING) else ""
                pattern = re.compile(f"(?:{body})(?![\\w-]){tail}")
                follows = tuple(s[len(first) :] for s in ordered)
                entry = _Entry(kind, tense, side, pattern, follows)
                self.by_word.setdefault(first, []).append(entry)
        self.phrases = {}
        self._exact = frozenset(self.words) | frozenset(self.by_word)
        self._open_heads = frozenset(start[:3] for start in self.starts)

    def find(
        self,
        lowered: str,
        source: str,
        regions: Sequence[tuple[int, int]] | None = None,
        stand_ins: list[tuple[int, int]] | None = None,
        language: str | None = None,
    ) -> list[Hit]:
        """Every cue in the text (or in its ``regions``), in start order; ``language``: the
        item's, whose own words (``add_language_words``) count too.

        One pass over the words: a word that is (or starts) a cue is confirmed at its
        place by the small anchored patterns filed under it. The same pass appends to
        ``stand_ins`` the spans of the words that may stand for a thing, where no letter or
        digit touches them.
        """
        if regions is None:
            regions = [(0, len(lowered))]
        length, plans = len(lowered), self._plans
        own = self.by_language.get(language or "", {})
        replaced = self.replaced.get(language or "", ())
        silenced = self.silenced.get(language or "", ())
        hits: list[Hit] = []
        for region_start, region_end in regions:
            for token in WORD.finditer(lowered, region_start, region_end):
                word = token[0]
                if word in silenced:
                    continue
                kinds = own.get(word)
                # a shared cue word keeps its shared meaning unless the language replaces
                # it; starting a shared phrase ("non appena") takes nothing from "non"
                if kinds and (word not in self.words or word in replaced):
                    at, end = token.span()
                    if not (at and lowered[at - 1] in "-0123456789"):
                        hits.extend(Hit(k, t, s, at, end) for k, t, s in kinds)
                    if word in replaced:
                        continue
                plan = plans.get(word) or self._plan(word)
                if plan is _NOTHING:
                    continue
                at, end = token.span()
                if (
                    plan.stands_in
                    and stand_ins is not None
                    and (at == 0 or not lowered[at - 1].isalnum())
                    and (end == length or not lowered[end].isalnum())
                ):
                    stand_ins.append((at, end))
                if not plan.cue:
                    continue
                if plan.follows and not lowered.startswith(plan.follows, end):
                    continue  # "the" not followed by "day before", "eve of"...
                if (at and lowered[at - 1] in "-0123456789") or (
                    end < length and lowered[end] == "-" and word not in _JOINED
                ):
                    continue  # "pre-launch", "launch-day"
                if word == "may" and source[at] == "M":
                    continue  # the month, not the modal
                self._confirm(plan, lowered, at, end, hits)
            if self.scanned and _CJK.search(lowered, region_start, region_end):
                for entry in self.scanned:
                    for m in entry.pattern.finditer(lowered, region_start, region_end):
                        hits.append(Hit(entry.kind, entry.tense, entry.side, m.start(), m.end()))
        hits.sort(key=_START)
        return hits

    def _open(self, word: str) -> bool:
        """Whether a word outside the exact index may still start a cue."""
        return word.startswith(self.starts) or (
            len(word) > 7 and word.endswith(_CONDITIONAL_ENDINGS)
        )

    def _plan(self, word: str) -> _Plan:
        """What to check where ``word`` stands: its own kinds, then the cues it starts."""
        plan = self._plans.get(word)
        if plan is None:
            cue = word in self._exact or (
                (word[:3] in self._open_heads or len(word) > 7) and self._open(word)
            )
            stands_in = self.stands_in is not None and self.stands_in(word)
            plan = _STANDS_IN if stands_in else _NOTHING
            if cue:
                plan = self._new_plan(word, stands_in)
            if len(self._plans) > 20_000:
                self._plans.clear()
            self._plans[word] = plan
        return plan

    def _new_plan(self, word: str, stands_in: bool) -> _Plan:
        entries = list(self.by_word.get(word, ()))
        if word.startswith(self.starts):
            entries += [
                e for start, group in self.by_start.items() if word.startswith(start) for e in group
            ]
        kinds = tuple(self.words.get(word, ()))
        conditional = len(word) > 7 and word.endswith(_CONDITIONAL_ENDINGS)
        phrases_only = not kinds and not conditional and all(e.follows for e in entries)
        return _Plan(
            True,
            kinds,
            word.startswith(_DESCRIBING),
            tuple(entries),
            conditional,
            tuple(f for e in entries for f in e.follows) if phrases_only else (),
            stands_in,
        )

    @staticmethod
    def _confirm(plan: _Plan, lowered: str, at: int, end: int, hits: list[Hit]) -> None:
        if plan.kinds and not (plan.describing and _DESCRIBED_AFTER.match(lowered, end)):
            hits += [Hit(kind, tense, side, at, end) for kind, tense, side in plan.kinds]
        for entry in plan.entries:
            if entry.follows and not lowered.startswith(entry.follows, end):
                continue
            m = entry.pattern.match(lowered, at)
            if m is not None:
                hits.append(Hit(entry.kind, entry.tense, entry.side, at, m.end()))
        if plan.conditional:
            hits.append(Hit(HEDGE, "", "", at, end))
            hits.append(Hit(MODAL, "", "", at, end))


_START = attrgetter("start")


class _Plan(NamedTuple):
    """What to check where a word stands (one per word, found once)."""

    cue: bool  # the word is or may start a cue
    kinds: tuple[tuple[str, str, str], ...]  # the word alone is a cue of these kinds
    describing: bool  # "presented": not when "as" follows
    entries: tuple[_Entry, ...]  # phrases and open patterns it may start
    conditional: bool  # a French conditional ("lancerait") hedges
    follows: tuple[str, ...]  # it only starts phrases: what must follow it; empty: no limit
    stands_in: bool  # it may stand for a thing


_NOTHING = _Plan(False, (), False, (), False, (), False)  # no cue, starts none, stands for none
_STANDS_IN = _Plan(False, (), False, (), False, (), True)  # "it", "the model": no cue
