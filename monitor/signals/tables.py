"""Cues from the per-language lemma tables (``cue_lemmas.yaml``), filed in the lexicon.

English and French cues are written out in ``cues`` with their clause patterns. For Spanish,
German, Italian and Portuguese the lexicon takes every inflected form of the tables'
lemmas (``cue_forms.json``), so one entry ("lanzar") covers lanzó, lanzará, lanzado...;
they count in items of that language only (the item's feed says which, else a guess).
The tense comes from the form's ending (``lemmas.tense_of``): a past or present form
reads as a release told, a future or conditional one as a release to come, and a
conditional one hedges too. A modal verb hedges only in the conditional ("podría",
"potrebbe", "könnte"; German "soll" says "reportedly" in any form).
"""

from __future__ import annotations

from collections.abc import Iterator

from monitor.signals.lemmas import cue_table, tense_of
from monitor.signals.lexicon import (
    BREAK,
    DENIAL,
    DEVELOP,
    EVENT,
    HEDGE,
    NEGATION,
    NOW,
    RELEASE,
    RUMOR,
    SCHEDULE,
    SOURCE,
    Lexicon,
)

LANGUAGES = ("es", "de", "it", "pt")
# table kind -> lexicon kind and side; the other kinds of the tables are not filed
_KINDS: dict[str, tuple[str, str]] = {
    "release": (RELEASE, "either"),
    "announce": (RELEASE, "either"),
    "event": (EVENT, "either"),
    "schedule": (SCHEDULE, "either"),
    "develop": (DEVELOP, "either"),
    "rumor": (RUMOR, "either"),
    "hedge": (HEDGE, ""),
    "source": (SOURCE, ""),
    "negation": (NEGATION, ""),
    "denial": (DENIAL, ""),
    "now": (NOW, ""),
}
_TENSES = {"past": "past", "present": "present", "ongoing": "present", "future": "future",
           "cond": "future"}  # fmt: skip
_TIED_TENSE = frozenset({RELEASE, EVENT, DEVELOP})  # SCHEDULE cues are always "future"


def _forms(lang: str, lemma: str) -> Iterator[str]:
    yield lemma
    yield from cue_table().forms_of.get(lang, {}).get(lemma, ())


def _conditional(lang: str, form: str, lemma: str) -> bool:
    if lang == "de":  # Konjunktiv II (könnte, dürfte, sollte) and "soll" (reportedly)
        return form.endswith(("te", "ten")) or form.startswith("soll")
    return tense_of(lang, form, lemma) == "cond"


def add_tables(lexicon: Lexicon) -> None:
    """File the tables' forms for the languages the hand-written cues cover least."""
    table = cue_table()
    lemmas = table.lemma_kinds
    for lang, words in table.not_cues.items():
        lexicon.silence(lang, *words)
    for lang in LANGUAGES:
        for kind, entries in lemmas.get(lang, {}).items():
            if kind == "break":  # conjunctions do not inflect, and some are short ("ma")
                lexicon.add_language_words(lang, BREAK, "", "", *entries)
                continue
            for entry in entries:
                if " " in entry:
                    continue  # a cue of two words needs its clause pattern, written out in ``cues``
                for form in _forms(lang, entry):
                    if len(form) < 3 or (not form.isalpha() and "-" not in form):
                        continue
                    if kind == "hedge_modal":
                        if _conditional(lang, form, entry):
                            lexicon.add_language_words(lang, HEDGE, "", "", form)
                        continue
                    if kind not in _KINDS:
                        continue
                    target, side = _KINDS[kind]
                    tense = ""
                    if target in _TIED_TENSE:
                        tense = _TENSES.get(tense_of(lang, form, entry), "")
                    elif target is SCHEDULE:
                        tense = "future"
                    lexicon.add_language_words(lang, target, tense, side, form)
                    if target in _TIED_TENSE and tense_of(lang, form, entry) == "cond":
                        lexicon.add_language_words(lang, HEDGE, "", "", form)
