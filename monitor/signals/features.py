"""What the learned layer sees of one watch in one item: a small set of named features.

The rules (``decide``) read the clause of each cue; this layer weighs, per watch, what the
rules concluded together with evidence they do not use: the lemmas of the sentences naming
the watch (looked up in per-language cue tables, ``cue_lemmas.yaml``: one entry covers every
inflection) and their tense, the words next to the name, where the name stands (title or
body, how often), and how the dates near it sit against the publication date (to come,
today, just gone, long gone: a release weeks old is background, SPEC "Signals").

Features are strings ("s:release:past", "rule:dated", "date:old"); ``model`` holds one weight
per feature and signal. Nothing here is tuned to an item: the tables are data, by language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from pathlib import Path

import yaml

from monitor.model import Match
from monitor.release_dates import DateMention

HERE = Path(__file__).resolve().parent
LANGUAGES = ("en", "fr", "es", "de", "it", "pt")
# The word next to a name ("launches X", "X is available") within this many words.
NEAR = 6
# A release or event this long before the item's date is background, not news (SPEC).
RECENT_DAYS = 14
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")

# Tense from a cue word's ending, per language: (ending, tense), first match wins.
_TENSE_ENDINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("ing", "ongoing"), ("ed", "past"), ("s", "present")),
    "fr": (
        ("eraient", "cond"), ("erait", "cond"), ("rait", "cond"), ("raient", "cond"),
        ("eront", "future"), ("era", "future"), ("ront", "future"), ("ra", "future"),
        ("ées", "past"), ("és", "past"), ("ée", "past"), ("é", "past"), ("it", "past"),
    ),
    "es": (
        ("rían", "cond"), ("ría", "cond"), ("rán", "future"), ("rá", "future"),
        ("aron", "past"), ("ieron", "past"), ("ió", "past"), ("ó", "past"),
        ("ado", "past"), ("ido", "past"), ("ada", "past"), ("ida", "past"),
    ),
    "de": (("ten", "past"), ("te", "past"), ("et", "past"), ("en", ""), ("t", "present")),
    "it": (
        ("rebbero", "cond"), ("rebbe", "cond"), ("ranno", "future"), ("rà", "future"),
        ("ato", "past"), ("ata", "past"), ("ito", "past"), ("ita", "past"), ("uto", "past"),
        ("ò", "past"),
    ),
    "pt": (
        ("riam", "cond"), ("ria", "cond"), ("rão", "future"), ("rá", "future"),
        ("aram", "past"), ("eram", "past"), ("iram", "past"), ("ou", "past"), ("eu", "past"),
        ("iu", "past"), ("ado", "past"), ("ido", "past"), ("ada", "past"), ("ida", "past"),
    ),
}  # fmt: skip
_TENSED = frozenset({"release", "announce", "event", "schedule", "develop"})


class CueTable:
    """Per language: lemma → kinds, two-word cues, inflected form → lemma."""

    def __init__(self, lemmas: dict[str, dict[str, list[str]]], forms: dict[str, dict[str, str]]):
        self.kinds: dict[str, dict[str, set[str]]] = {}
        self.pairs: dict[str, dict[tuple[str, str], set[str]]] = {}
        for lang in LANGUAGES:
            single: dict[str, set[str]] = {}
            pairs: dict[tuple[str, str], set[str]] = {}
            for kind, entries in lemmas.get(lang, {}).items():
                for entry in entries:
                    words = str(entry).lower().split()
                    if len(words) == 1:
                        single.setdefault(words[0], set()).add(kind)
                    else:  # two words: the first two lemmas of the entry
                        pairs.setdefault((words[0], words[1]), set()).add(kind)
            self.kinds[lang], self.pairs[lang] = single, pairs
        self.forms = forms
        self.lemma_kinds = {
            lang: {kind: [str(e).lower() for e in entries] for kind, entries in kinds.items()}
            for lang, kinds in lemmas.items()
            if lang in LANGUAGES
        }
        self.function_words = {
            lang: frozenset(str(w) for w in words)
            for lang, words in lemmas.get("function_words", {}).items()
        }

    def lemma(self, lang: str, word: str) -> str:
        return self.forms.get(lang, {}).get(word, word)

    def guess_language(self, words: Iterable[str]) -> str:
        """The language whose function words are most frequent (English on a tie)."""
        counts = dict.fromkeys(self.function_words, 0)
        for word in words:
            for lang, table in self.function_words.items():
                if word in table:
                    counts[lang] += 1
        best = max(counts, key=lambda lang: (counts[lang], lang == "en"), default="en")
        return best if counts.get(best) else "en"


@cache
def cue_table() -> CueTable:
    lemmas = yaml.safe_load((HERE / "cue_lemmas.yaml").read_text(encoding="utf-8"))
    forms = json.loads((HERE / "cue_forms.json").read_text(encoding="utf-8"))
    return CueTable(lemmas, forms)


def language_of(declared: str | None, lowered: str) -> str:
    """The item's language: the feed's when it is one we have tables for, else a guess."""
    if declared:
        primary = declared.lower().split("-")[0].split("_")[0]
        if primary in LANGUAGES:
            return primary
        if primary in {"ja", "ko", "zh"}:
            return "en"  # CJK items quote English names; their cues are in the rules
    return cue_table().guess_language(_WORD.findall(lowered[:2000]))


def tense_of(lang: str, word: str, lemma: str) -> str:
    if word == lemma:
        return "base"
    for ending, tense in _TENSE_ENDINGS.get(lang, ()):
        if word.endswith(ending):
            return tense
    return "other"


def words_with_kinds(
    lowered: str, start: int, end: int, lang: str
) -> list[tuple[int, str, set[str], str]]:
    """(position, word, kinds, tense) for each word of ``lowered[start:end]``."""
    table = cue_table()
    kinds_of, pairs = table.kinds.get(lang, {}), table.pairs.get(lang, {})
    found: list[tuple[int, str, set[str], str]] = []
    previous = ""
    for m in _WORD.finditer(lowered, start, end):
        word = m[0]
        lemma = table.lemma(lang, word)
        kinds = set(kinds_of.get(lemma, ()) or kinds_of.get(word, ()))
        if previous and (previous, lemma) in pairs:
            kinds |= pairs[(previous, lemma)]
        tense = tense_of(lang, word, lemma) if kinds & _TENSED else ""
        found.append((m.start(), word, kinds, tense))
        previous = lemma
    return found


def date_relation(first: date, last: date, reference: date) -> str:
    """Where a date value sits against the publication date."""
    if first > reference:
        return "future"
    if last >= reference:
        return "current"
    if (reference - last).days <= RECENT_DAYS:
        return "recent"
    return "old"


def watch_features(
    *,
    lowered: str,
    lang: str,
    title_end: int,
    sentences: Sequence[tuple[int, int]],
    matches: Sequence[Match],
    dates: Sequence[tuple[DateMention, date, date]],
    reference: date | None,
    rule: Iterable[str],
) -> dict[str, float]:
    """The features of one watch: ``sentences`` name it, ``matches`` are its hits,
    ``dates`` the date mentions found with their bounds, ``rule`` what the rules said."""
    features: dict[str, float] = {
        "bias": 1.0,
        f"lang:{lang if lang in ('en', 'fr') else 'other'}": 1.0,
    }
    for name in rule:
        features[name] = 1.0
    in_title = any(m.start < title_end for m in matches)
    features["in_title" if in_title else "body_only"] = 1.0
    count = len(matches)
    features["mentions:1" if count == 1 else "mentions:2-3" if count <= 3 else "mentions:4+"] = 1.0
    starts = [m.start for m in matches]
    for s_start, s_end in sentences:
        scope = "t" if s_start < title_end else "s"
        words = words_with_kinds(lowered, s_start, s_end, lang)
        names = [i for i, (at, *_rest) in enumerate(words) if any(abs(at - p) <= 1 for p in starts)]
        for i, (_at, _word, kinds, tense) in enumerate(words):
            near = any(abs(i - n) <= NEAR for n in names)
            for kind in kinds:
                features[f"{scope}:{kind}"] = 1.0
                if tense:
                    features[f"{scope}:{kind}:{tense}"] = 1.0
                if near:
                    features[f"n:{kind}"] = 1.0
                    if tense:
                        features[f"n:{kind}:{tense}"] = 1.0
    if reference is not None:
        for mention, first, last in dates:
            where = "t" if mention.start < title_end else "s"
            relation = date_relation(first, last, reference)
            features[f"date:{relation}"] = 1.0
            features[f"{where}:date:{relation}"] = 1.0
            if any(abs(mention.start - p) <= 80 for p in starts):
                features[f"n:date:{relation}"] = 1.0
    else:
        features["date:unknown_reference"] = 1.0 if dates else 0.0
    return features
