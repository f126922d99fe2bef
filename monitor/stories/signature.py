"""Story signatures: whether two items, from whichever feeds, report the same news event.

An item's *signature* is the token set of its normalised title and lede (the first words of
its summary). Two signatures are the same story when all of these hold:

1. They do not name different things: when both carry versioned names or years
   ("gpt-5", "llama-3.1", "2024"), at least one is shared, so "GPT-4.5 launches" and
   "GPT-5 launches" stay apart.
2. They do not report different kinds of event: each signature has at most one *event
   class*, the strongest found in its title, in the order of :data:`EVENT_WORDS` (deny,
   cancel, delay, remove, appear, dispute, lawsuit, return, hire, fire, vote, agree, plan,
   market, launch). Two different classes keep items apart ("GPT-5
   delayed" vs "GPT-5 launches"); an item without a class can join either.
3. Their similarity reaches :data:`THRESHOLD`: rapidfuzz's token-sort ratio of title + lede
   (of the titles alone, token-set ratio, when an item has no lede).

Candidates come from the story index (``monitor.stories.index``).

Thresholds were chosen on ``tests/data/story_pairs.yaml`` (real headlines; see
``benchmarks/results/2026-11-28-notebook.md`` for the measured precision and recall).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from types import ModuleType

from monitor.normalize import html_to_text, normalize

THRESHOLD = 0.55  # similarity, 0..1, at which two items are the same story
LEDE_WORDS = 30  # words of the summary that count as the lede

_STOPWORDS = """a an and are as at be been but by can do does for from had has have he her his
    how i in into is it its it's just may more most much new news no of on or our over
    says said say she so some than that the their them then there these they this those to up
    us was we were what when where which who why will with would you your after about amid
    against all also any before being between both during each here how if like make makes
    now only other out same should still such through under until via vs yet first
    le la les l un une des du de d et en est au aux sur pour par dans avec son sa ses ce cette
    qui que qu il elle ils ont sont plus ne pas se s y"""
STOPWORDS = frozenset(_STOPWORDS.split())

# Words that say what kind of event an item reports, after stemming (see _stem).
EVENT_WORDS: dict[str, tuple[str, ...]] = {
    "deny": ("deny", "deni", "dismiss", "refut", "dement", "fake-new"),
    "cancel": ("cancel", "cancell", "scrap", "scrapp", "shelv", "abandon"),
    "delay": (
        "delay",
        "postpon",
        "push-back",
        "repouss",
        "retard",
        "not-ship",
        "not-releas",
        "not-launch",
        "behind-schedul",
    ),
    "remove": ("pull", "paus", "disappear", "remov", "vanish", "offlin", "disparait", "taken-down"),
    "appear": ("appear", "show-up", "surfac", "emerg", "apparait"),
    "dispute": ("fak", "stag", "edit", "controversy", "mislead", "backlash", "admit"),
    "lawsuit": ("sue", "sued", "lawsuit", "plaint"),
    "return": ("return", "reinstat", "bring-back", "retour", "revient"),
    "hire": ("hir", "join", "recrut", "rejoint", "poach"),
    "fire": ("fir", "oust", "push-out", "limog", "limogeag", "sack", "ouster", "renvoi"),
    "vote": ("approv", "pass", "vot", "adopt"),
    "agree": ("agre", "accord"),
    "plan": (
        "plan",
        "plann",
        "expect",
        "ready",
        "prepar",
        "reportedly",
        "rumor",
        "rumour",
        "leak",
        "pourrait",
        "devrait",
        "prevoit",
        "set-to",
        "com",
        "could",
        "might",
    ),
    # how it sells, after the launch: a story of its own ("iPhone 17 Air sales disappoint")
    "market": ("sal", "sold", "shipment", "vent", "market-shar", "demand", "outsell"),
    "launch": (
        "launch",
        "releas",
        "unveil",
        "debut",
        "introduc",
        "roll-out",
        "availabl",
        "disponibl",
        "lanc",
        "devoil",
        "ship",
        "is-her",
        "announc",
        "arriv",
        "on-sal",
    ),
}
EVENT_ORDER = tuple(EVENT_WORDS)  # strongest first
_EVENT_OF = {stem: name for name, stems in EVENT_WORDS.items() for stem in stems}

# Two-word phrases that carry one meaning, joined before tokenising; each with a word it
# cannot match without (a cheap test that skips the pattern for most ASCII texts).
_PHRASES = [
    (needle, re.compile(p, re.IGNORECASE), r)
    for needle, p, r in (
        ("not", r"\bnot\s+(ship|releas|launch)\w*", r"not-\1"),
        ("gpt", r"\bno\s+(?=gpt)", "not-releas "),
        ("fake", r"\bfake\s+news\b", "fake-new"),
        ("push", r"\bpush(?:es|ed)?\s+back\b", "push-back"),
        ("push", r"\bpush(?:es|ed)?\s+out\b", "push-out"),
        ("back", r"\bbrings?\s+back\b|\bbrought\s+back\b", "bring-back"),
        ("roll", r"\broll(?:s|ed|ing)?\s+out\b", "roll-out"),
        ("sale", r"\bon\s+sale\b", "on-sal"),
        ("shelves", r"\bhits?\s+(?:store\s+)?shelves\b", "on-sal"),
        ("pass", r"\bpass(?:es|ed|ing)?\s+(?=\d)", "top "),
        ("sale", r"\bsales?\s+(?:start|begin|open|kick)\w*(?:\s+off)?\b", "on-sal"),
        ("vente", r"\ben\s+vente\b|\bmise\s+en\s+vente\b", "on-sal"),
        ("sold", r"\bsold\s+out\b", "sold-out"),
        ("market", r"\bmarket\s+share\b", "market-shar"),
        ("taken", r"\btaken\s+down\b", "taken-down"),
        ("show", r"\bshow(?:s|ed|n)?\s+up\b", "show-up"),
        ("behind", r"\bbehind\s+schedule\b", "behind-schedul"),
        ("set", r"\bset\s+to\b", "set-to"),
        ("here", r"\bis\s+here\b", "is-her"),
    )
]
_TOKEN = re.compile(r"[a-z0-9]+(?:[-.+][a-z0-9]+)*[+%]?")
_VERSION = re.compile(r"\d{1,2}(?:\.\d{1,2})?[a-z]?")
_UNITS = frozenset({"billion", "million", "percent", "milliards", "millions", "bn"})
_YEAR = re.compile(r"(?:19|20)\d\d")


_APOSTROPHES = frozenset("’'`´")
_NOT = re.compile(r"n[’'`´]t\b")
_APOSTROPHE = re.compile(r"[’'`´]")


def _fold(text: str) -> str:
    """Lower case without accents, apostrophes as spaces ("OpenAI's" → "openai s")."""
    text = normalize(text).casefold()
    if not text.isascii():  # NFKD changes no ASCII text
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    if not _APOSTROPHES.isdisjoint(text):
        text = _NOT.sub(" not", text)
        text = _APOSTROPHE.sub(" ", text)
    return text


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A light English/French suffix stripper: enough for "releases/released/release"."""
    if any(c.isdigit() for c in word) or "-" in word:
        return word
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Normalised content tokens of a text, in order: stemmed, stop words dropped, versions
    joined to the name before them ("Llama 3.1" → "llama-3.1", "GPT 5" → "gpt-5")."""
    text = _fold(text)
    ascii_only = text.isascii()  # else IGNORECASE may match "ı" for "i": run every pattern
    for needle, pattern, repl in _PHRASES:
        if needle in text or not ascii_only:
            text = pattern.sub(repl, text)
    raw = _TOKEN.findall(text)
    out: list[str] = []
    kept_previous = False  # whether raw[i - 1] is out[-1]
    for i, word in enumerate(raw):
        following = raw[i + 1] if i + 1 < len(raw) else ""
        if (
            kept_previous
            and _VERSION.fullmatch(word)
            and raw[i - 1].isalpha()
            and following not in _UNITS
            and out[-1] not in _EVENT_OF
        ):
            out[-1] = f"{raw[i - 1]}-{word}"
            continue
        kept_previous = not (word in STOPWORDS or (len(word) < 2 and not word.isdigit()))
        if kept_previous:
            out.append(_stem(word))
    return out


def _lede(summary: str, summary_text: str | None = None) -> str:
    if "<" in summary:
        text = html_to_text(summary) if summary_text is None else summary_text
    else:
        text = summary
    return " ".join(text.split()[:LEDE_WORDS])


@dataclass(frozen=True)
class Signature:
    """What story matching needs of an item: title and lede tokens, event class, names."""

    title: tuple[str, ...]
    lede: tuple[str, ...]

    @classmethod
    def of(cls, title: str, summary: str = "", *, summary_text: str | None = None) -> Signature:
        """An item's signature, with the features matching reads already computed, so
        that a caller who signs items before a transaction saves that work inside it.
        ``summary_text``: ``html_to_text(summary)``, when the caller has it already."""
        signature = cls(tuple(tokens(title)), tuple(tokens(_lede(summary, summary_text))))
        _ = signature.keys, signature.names, signature.event, signature.sorted_text
        return signature

    @classmethod
    def parse(cls, text: str) -> Signature:
        """The inverse of :meth:`dump` (the ``story.signature`` column)."""
        title, _, lede = text.partition("|")
        return cls(tuple(title.split()), tuple(lede.split()))

    @cached_property
    def text(self) -> str:
        return " ".join(self.title + self.lede)

    @cached_property
    def sorted_text(self) -> str:
        """``text`` with its tokens sorted: what a token-sort ratio compares, sorted once."""
        return " ".join(sorted(self.title + self.lede))

    @cached_property
    def title_text(self) -> str:
        return " ".join(self.title)

    def dump(self) -> str:
        return f"{' '.join(self.title)}|{' '.join(self.lede)}"

    @cached_property
    def event(self) -> str | None:
        found = {_EVENT_OF[t] for t in self.title if t in _EVENT_OF}
        return next((name for name in EVENT_ORDER if name in found), None)

    @cached_property
    def names(self) -> frozenset[str]:
        """Versioned names and years (tokens with a digit and a letter, or a year) of the
        title, else of the lede."""
        return _names(self.title) or _names(self.lede)

    @cached_property
    def keys(self) -> frozenset[str]:
        """The tokens the index files this signature under."""
        return frozenset(self.title) | frozenset(self.lede[:12])


def _names(words: Iterable[str]) -> frozenset[str]:
    return frozenset(
        w
        for w in words
        if (any(c.isdigit() for c in w) and any(c.isalpha() for c in w)) or _YEAR.fullmatch(w)
    )


def similarity(a: Signature, b: Signature) -> float:
    """0..1: rapidfuzz's token-sort ratio of title + lede; of the titles alone (token-set
    ratio, kinder to short texts) when one item has no lede."""
    fuzz = _fuzz()
    if not (a.lede and b.lede):
        return float(fuzz.token_set_ratio(a.title_text, b.title_text)) / 100
    # token_sort_ratio(a.text, b.text), with each side's tokens sorted once, not per pair
    return float(fuzz.ratio(a.sorted_text, b.sorted_text)) / 100


@cache
def _fuzz() -> ModuleType:
    """rapidfuzz, imported by the first comparison: a poll that stores nothing new (an all-304
    cycle) never compares, and its start-up is spared some 10 ms (see #17)."""
    from rapidfuzz import fuzz

    return fuzz


def conflict(a: Signature, b: Signature) -> str | None:
    """Why two signatures cannot be one story, or None."""
    if a.names and b.names and not a.names & b.names:
        return "different names"
    ea, eb = a.event, b.event
    if ea and eb and ea != eb:
        return "different events"
    return None


def same_story(a: Signature, b: Signature, threshold: float = THRESHOLD) -> bool:
    if not (a.title or a.lede) or not (b.title or b.lede):
        return False
    return conflict(a, b) is None and similarity(a, b) >= threshold


__all__ = [
    "THRESHOLD",
    "Signature",
    "conflict",
    "same_story",
    "similarity",
    "tokens",
]
