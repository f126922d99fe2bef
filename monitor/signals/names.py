"""Other things' names in a sentence, and sentences that open with a cue and no subject.

Both are read on the text as written: a name is capitalised or holds a version number
(``patterns.OTHER_NAME``), but a headline in title case capitalises its function words too,
so a name never starts with one ("Launch With 200 Fixes" names no "With 200").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from monitor.signals.cues import LEXICON
from monitor.signals.lemmas import cue_table
from monitor.signals.lexicon import EVENT, RELEASE, SCHEDULE, WORD
from monitor.signals.patterns import OTHER_NAME
from monitor.signals.sentences import Sentence

# The first word of a name OTHER_NAME found.
_NAME_HEAD = re.compile(r"[^\W\d_]+")
# Kinds of cue that open a sentence with no subject ("Sortie le 25 juillet", "Available
# from October 2"): in an item about one watch, the sentence is about it.
_SUBJECTLESS_KINDS = frozenset({RELEASE, SCHEDULE, EVENT})


def other_names(text: str, start: int, end: int) -> Iterator[re.Match[str]]:
    """The names of things in ``text[start:end]``, none opened by a function word."""
    function_words = cue_table().any_function_word
    for m in OTHER_NAME.finditer(text, start, end):
        head = _NAME_HEAD.match(text, m.start())
        if not (head and head[0].lower() in function_words):
            yield m


def opens_with_cue(text: str, lowered: str, language: str, sentence: Sentence) -> bool:
    """Whether a capitalised release, schedule or event word opens the sentence."""
    first = WORD.search(lowered, sentence.start, sentence.end)
    if first is None or not text[first.start()].isupper():
        return False
    hits = LEXICON.find(
        lowered, text, [(first.start(), min(sentence.end, first.end() + 20))], language=language
    )
    return any(h.start == first.start() and h.kind in _SUBJECTLESS_KINDS for h in hits)
