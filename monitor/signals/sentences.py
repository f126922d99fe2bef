"""Cut a document into sentences and passages."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from typing import NamedTuple

_ABBREVIATION_WORDS = (
    "mr mrs ms dr prof inc corp ltd co jr sr st vs etc approx e.g i.e no nr dept est fig "
    "jan feb mar apr jun jul aug sep sept oct nov dec mme mlle cf env p.ex u.s"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
# A German ordinal day or count before a month or a period: "am 20. August", "im 2. Quartal".
_ORDINAL_BEFORE = re.compile(
    r"(?:januar|jänner|februar|märz|april|mai|juni|juli|august|september|oktober|november|"
    r"dezember|jan|feb|mär|apr|jun|jul|aug|sep|sept|okt|nov|dez|quartal|halbjahr|"
    r"jahrhundert|generation|kalenderwoche|kw)\b",
    re.IGNORECASE,
)
# A run of ".!?…" or one "。！？", closing quotes or brackets, then spaces (none after
# "。！？"). Written to start with one character class, so a search skips to the next
# punctuation mark at C speed instead of trying every character.
_SENTENCE_END = re.compile(r"[.!?…。！？](?:(?<=[.!?…])[.!?…]*)?[\"”’»)\]]*(?:\s+|(?<=[。！？]))")


class Sentence(NamedTuple):
    """A sentence's span, and the passage it belongs to."""

    start: int
    end: int
    passage: int  # sentences of one passage may refer to each other


def split_sentences(text: str, around: Sequence[int] | None = None) -> list[Sentence]:
    """Split into sentences; the title (before the first blank line) is always one.

    Blocks (paragraphs) are passages of their own, except that the title and the first
    block after it tell one story. With ``around`` (where the watches are named), a later
    block that names none is kept whole, as one sentence of its own passage: no sentence
    in it is a neighbour of one that names a watch, so none would be read.
    """
    result: list[Sentence] = []
    passage = 0
    offset = 0
    blocks = 0  # blocks with text so far
    for block in text.split("\n\n"):
        start = offset
        offset += len(block) + 2
        if not block.strip():
            if start > 0:
                passage += 1
            continue
        blocks += 1
        if around is not None and blocks > 2 and not any(start <= at < offset - 2 for at in around):
            result.append(Sentence(start, start + len(block.rstrip()), passage))
            passage += 1
            continue
        cursor = start
        for m in _SENTENCE_END.finditer(block):
            punctuation = m[0]
            is_break = "..." in punctuation or "…" in punctuation  # an ellipsis: omitted text
            if not is_break:
                if "." in punctuation:
                    at = m.start()
                    space = max(block.rfind(" ", 0, at), block.rfind("\n", 0, at))
                    token = block[space + 1 : at].lower().strip("(\"'“‘")
                    if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                        continue  # "Mr.", "U.S.", "J. Doe"; not "for PlayStation 5. The"
                    if (
                        token.isdigit()
                        and len(token) <= 2
                        and _ORDINAL_BEFORE.match(block, m.end())
                    ):
                        continue  # "am 20. August"
                if block[m.end() : m.end() + 1].islower():
                    continue  # "e.g. this", "10 a.m. on"
            result.append(Sentence(cursor, start + m.start() + len(punctuation.rstrip()), passage))
            cursor = start + m.end()
            if is_break:
                passage += 1
        if block[cursor - start :].strip():
            result.append(Sentence(cursor, start + len(block.rstrip()), passage))
        # The title and the summary's first sentence tell one story; later blocks do not.
        if start > 0:
            passage += 1
    return result


def sentence_of(sentences: Sequence[Sentence], position: int) -> int | None:
    """The index of the sentence holding ``position`` (sentences are in order, disjoint)."""
    index = bisect_right(sentences, position, key=_start) - 1
    if index >= 0 and position < sentences[index].end:
        return index
    return None


def _start(sentence: Sentence) -> int:
    return sentence.start
