"""Per-language cue tables kept as data, looked up by lemma (``cue_lemmas.yaml``).

One entry is a dictionary form ("lanzar", "vorstellen", "rilasciare"): every inflection of
it counts, listed in ``cue_forms.json`` (generated from the lemmas by
tools/build_cue_forms.py, so no lemmatizer is loaded at run time). A word's tense comes
from its ending, per language (``tense_of``); the item's language from its feed, else from
its function words (``language_of``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
LANGUAGES = ("en", "fr", "es", "de", "it", "pt")  # the languages an item may be read in
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")

# Tense from a cue word's ending, per language: (ending, tense), first match wins.
_TENSE_ENDINGS: dict[str, tuple[tuple[str, str], ...]] = {
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


class CueTable:
    """Per language: the lemmas of each kind, each inflected form's lemma, function words."""

    def __init__(self, lemmas: dict[str, Any], forms: dict[str, dict[str, str]]) -> None:
        # language -> lemma -> its inflected forms (the file lists form -> lemma)
        self.forms_of: dict[str, dict[str, list[str]]] = {}
        for lang, table in forms.items():
            by_lemma = self.forms_of.setdefault(lang, {})
            for form, lemma in table.items():
                by_lemma.setdefault(lemma, []).append(form)
        self.lemma_kinds: dict[str, dict[str, list[str]]] = {
            lang: {kind: [str(e).lower() for e in entries] for kind, entries in kinds.items()}
            for lang, kinds in lemmas.items()
            if lang in LANGUAGES
        }
        # forms of a cue lemma that are mostly another word ("marca": the brand, not "marks")
        self.not_cues: dict[str, frozenset[str]] = {
            lang: frozenset(str(w).lower() for w in words)
            for lang, words in lemmas.get("not_cues", {}).items()
        }
        self.function_words = {
            lang: frozenset(str(w) for w in words)
            for lang, words in lemmas.get("function_words", {}).items()
        }
        # any language's function words: none is the name of a thing ("With 200 Fixes")
        self.any_function_word = frozenset().union(*self.function_words.values())
        self.languages_of: dict[str, tuple[str, ...]] = {}
        for lang, words in self.function_words.items():
            for word in words:
                self.languages_of[word] = (*self.languages_of.get(word, ()), lang)

    def guess_language(self, words: Iterable[str]) -> str:
        """The language whose function words are most frequent (English on a tie)."""
        counts = dict.fromkeys(self.function_words, 0)
        languages_of = self.languages_of
        for word in words:
            for lang in languages_of.get(word, ()):
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
    return cue_table().guess_language(_WORD.findall(lowered, 0, 1000))


def tense_of(lang: str, word: str, lemma: str) -> str:
    """past, present, ongoing, future, cond (conditional), base (the lemma) or other."""
    if word == lemma:
        return "base"
    for ending, tense in _TENSE_ENDINGS.get(lang, ()):
        if word.endswith(ending):
            return tense
    return "other"
