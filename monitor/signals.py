"""Decide what an item says about each watch it matched: released, dated, rumor or mention.

Pure: text, matches and a publication date in, one Classification per watch out.

Rules, in the order they are applied:

1. The document (title, "\\n\\n", summary, ...) is cut into sentences; the title is its own
   sentence and an ellipsis ("...") ends a passage, as it marks omitted text. Only the
   sentences naming a watch and their neighbours are read.
2. Cue words are looked up in those sentences: release verbs and nouns, event verbs,
   schedule words, development words, rumor nouns, hedges, negations and "now" words, in
   English and French first (Spanish, German, Dutch and a few CJK words too).
3. Each cue is tied to one thing: the nearest name in its clause on the side its grammar
   points to ("launches X", "X is available"). Other product names ("GPT-6", "Kimi K2")
   take the cue away from the watch, and a watch after "than"/"unlike"/"outperform" is only
   compared with. "It", "the model" or "the conference" stand for the watch named in the
   same or the neighbouring sentence.
4. A negated cue counts for nothing ("no plans to release GPT-5").
5. The cue's tense and the dates in its clause decide the signal: past or present with no
   future date is ``released``; future, scheduled or hedged with a date is ``dated``; without
   a date it is a ``rumor``; development ("is training MAI-1") is a ``rumor``. A date is the
   watch's only when it sits in the clause of a cue tied to the watch, or right next to the
   watch's name ("Build, May 7-9"), and is not a dateline, money or founding date.
6. ``rumored`` is set by a hedge in that clause (may, reportedly, selon, pourrait...) or, for
   rumors and dates, by a second-hand source in the item ("according to").
7. Per watch, the strongest sentence wins; among equals, the one with dates. "Announces X"
   gives way to a later date given for X in the same item.

Cost: words are looked up by their first three letters and confirmed by a small anchored
regex, so a sentence costs one tokenizing pass, whatever the size of the lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from monitor.model import Classification, Match, Signal
from monitor.release_dates import DateMention, find_dates

# --- sentences --------------------------------------------------------------------------

_ABBREVIATION_WORDS = (
    "mr mrs ms dr prof inc corp ltd co jr sr st vs etc approx e.g i.e no nr dept est fig "
    "jan feb mar apr jun jul aug sep sept oct nov dec mme mlle cf env p.ex u.s"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_SENTENCE_END = re.compile(r"(?:[.!?…]+|[。！？])[\"”’»)\]]*(?:\s+|(?<=[。！？]))")
_ELLIPSIS = re.compile(r"\.\s?\.\s?\.|…")


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    passage: int  # sentences of one passage may refer to each other


def _sentences(text: str) -> list[_Sentence]:
    """Split into sentences; the title (before the first blank line) is always one."""
    result: list[_Sentence] = []
    passage = 0
    offset = 0
    for block in text.split("\n\n"):
        start = offset
        offset += len(block) + 2
        cursor = start
        for m in _SENTENCE_END.finditer(block):
            space = max(block.rfind(" ", 0, m.start()), block.rfind("\n", 0, m.start()))
            token = block[space + 1 : m.start()].lower().strip("(\"'“‘")
            is_break = bool(_ELLIPSIS.search(m[0]))
            if not is_break and "." in m[0] and (token in _ABBREVIATIONS or len(token) == 1):
                continue
            following = block[m.end() : m.end() + 1]
            if following.islower() and not is_break:
                continue
            if block[cursor - start : m.end()].strip():
                result.append(_Sentence(cursor, start + m.start() + len(m[0].rstrip()), passage))
            cursor = start + m.end()
            if is_break:
                passage += 1
        if block[cursor - start :].strip():
            result.append(_Sentence(cursor, start + len(block.rstrip()), passage))
        # The title and the summary's first sentence tell one story; later blocks do not.
        if start > 0:
            passage += 1
    return result


# --- the lexicon ------------------------------------------------------------------------

# Kinds of cue tied to a thing. Tense: "past", "present", "future" or "" (a noun or a bare
# infinitive, decided by the words around it). Side: where its thing usually is: "after"
# (launches X), "before" (X is available) or "either".
_RELEASE, _EVENT, _SCHEDULE, _DEVELOP, _UPCOMING, _RUMOR = (
    "release",
    "event",
    "schedule",
    "develop",
    "upcoming",
    "rumor",
)
_TIED = frozenset({_RELEASE, _EVENT, _SCHEDULE, _DEVELOP, _UPCOMING, _RUMOR})
# Kinds of marker that qualify a clause.
_HEDGE, _SOURCE, _NEGATION, _NOT_NEGATION, _NOW, _NOT_NOW = (
    "hedge",
    "source",
    "negation",
    "not-negation",
    "now",
    "not-now",
)
_AUX, _MODAL, _THEN, _VERB_FINAL, _EVE, _BREAK = (
    "aux",
    "modal",
    "then",
    "verb-final",
    "eve",
    "break",
)

_WORD = re.compile(r"[^\W\d_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# French conditionals ("lancerait") hedge like "would".
_CONDITIONAL_ENDINGS = ("erait", "eraient", "irait", "iraient")
# "presented as" describes, it does not release.
_DESCRIBED = r"(?!\s+(?:as|comme|como|als|wie)\b)"
_DESCRIBING = ("present", "présent", "vorgestellt", "stellt", "described", "décrit")
_DESCRIBED_AFTER = re.compile(r"\s+(?:as|comme|como|als|wie)\b")


@dataclass(frozen=True)
class _Entry:
    kind: str
    tense: str
    side: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Hit:
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
        literal = _WORD.match(alternative)
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


class _Lexicon:
    """Cue words, looked up by the words of the text.

    A cue that spells out as a few words is a dictionary entry ("lancée?s?" is four). A
    longer one is filed under its first word and confirmed by an anchored regex; one with an
    open ending ("rumou?r\\w*") under its fixed beginning. So a text costs one pass to list
    its words, whatever the size of the lexicon.
    """

    def __init__(self) -> None:
        self.words: dict[str, list[tuple[str, str, str]]] = {}
        self.by_word: dict[str, list[_Entry]] = {}
        # phrases by first word, then by (kind, tense, side): merged into one regex each
        self.phrases: dict[str, dict[tuple[str, str, str], list[str]]] = {}
        self.by_start: dict[str, list[_Entry]] = {}
        self.starts: tuple[str, ...] = ()
        self.scanned: list[_Entry] = []  # CJK words: no spaces to find words by
        self.prefixes: frozenset[str] | None = None  # first letters worth a look

    def add(self, kind: str, tense: str, side: str, *words: str) -> None:
        for word in words:
            for alternative in _top_level(word):
                if _CJK.search(alternative):
                    self.scanned.append(_Entry(kind, tense, side, re.compile(alternative)))
                    continue
                tail = _DESCRIBED if alternative.startswith(_DESCRIBING) else ""
                entry = _Entry(kind, tense, side, re.compile(f"(?:{alternative})(?![\\w-]){tail}"))
                spellings = _spellings(alternative)
                if spellings is not None:
                    for spelling in spellings:
                        if _WORD.fullmatch(spelling):
                            self.words.setdefault(spelling, []).append((kind, tense, side))
                        else:
                            first = _WORD.match(spelling)
                            if first is None:
                                raise ValueError(f"cannot index cue {alternative!r}")
                            alternatives = self.phrases.setdefault(first[0], {})
                            alternatives.setdefault((kind, tense, side), []).append(spelling)
                    continue
                start = _WORD.match(alternative)
                if start is None:
                    raise ValueError(f"cannot index cue {alternative!r}")
                fixed = (
                    start[0][:-1] if alternative[start.end() : start.end() + 1] == "?" else start[0]
                )
                self.by_start.setdefault(fixed, []).append(entry)
                self.starts = tuple(self.by_start)

    def freeze(self) -> None:
        """Merge the phrases that share a first word and a meaning into one regex."""
        for first, groups in self.phrases.items():
            for (kind, tense, side), spellings in groups.items():
                ordered = sorted(set(spellings), key=len, reverse=True)
                body = "|".join(re.escape(s) for s in ordered)
                tail = _DESCRIBED if first.startswith(_DESCRIBING) else ""
                pattern = re.compile(f"(?:{body})(?![\\w-]){tail}")
                self.by_word.setdefault(first, []).append(_Entry(kind, tense, side, pattern))
        self.phrases = {}

    def find(self, lowered: str, source: str) -> list[_Hit]:
        """Every cue in the text, in one pass over its words."""
        if self.prefixes is None:
            self.prefixes = frozenset(
                key[:3] for key in (*self.words, *self.by_word, *self.by_start)
            )
        prefixes, length = self.prefixes, len(lowered)
        hits: list[_Hit] = []
        for token in _WORD.finditer(lowered):
            word = token[0]
            conditional = len(word) > 7 and word.endswith(_CONDITIONAL_ENDINGS)
            if word[:3] not in prefixes and not conditional:
                continue
            at, end = token.start(), token.end()
            if (at and lowered[at - 1] in "-0123456789") or (end < length and lowered[end] == "-"):
                continue  # "pre-launch", "launch-day"
            if word == "may" and source[at] == "M":
                continue  # the month, not the modal
            for kind, tense, side in self.words.get(word, ()):
                if word.startswith(_DESCRIBING) and _DESCRIBED_AFTER.match(lowered, end):
                    continue
                hits.append(_Hit(kind, tense, side, at, end))
            entries = self.by_word.get(word, [])
            if word.startswith(self.starts):
                entries = entries + [
                    e
                    for start, group in self.by_start.items()
                    if word.startswith(start)
                    for e in group
                ]
            for entry in entries:
                m = entry.pattern.match(lowered, at)
                if m is not None:
                    hits.append(_Hit(entry.kind, entry.tense, entry.side, at, m.end()))
            if conditional:
                hits.append(_Hit(_HEDGE, "", "", at, end))
                hits.append(_Hit(_MODAL, "", "", at, end))
        if self.scanned and _CJK.search(lowered):
            for entry in self.scanned:
                for m in entry.pattern.finditer(lowered):
                    hits.append(_Hit(entry.kind, entry.tense, entry.side, m.start(), m.end()))
        hits.sort(key=lambda h: h.start)
        return hits


def _occurrences(lowered: str, word: str) -> Iterable[int]:
    """Where ``word`` stands as a whole word in ``lowered``."""
    at = lowered.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not lowered[at - 1].isalnum()) and (
            end == len(lowered) or not lowered[end].isalnum()
        ):
            yield at
        at = lowered.find(word, end)


_LEXICON = _Lexicon()

# fmt: off
# released / happening: verbs tied to their object
_LEXICON.add(
    _RELEASE, "past", "after",
    r"launched", r"released", r"shipped", r"rolled out", r"unveiled", r"debuted",
    r"introduced", r"announced", r"unleashed", r"open-sourced", r"previewed",
    r"showed off", r"shown off", r"presented", r"dropped", r"deployed", r"made available",
    r"a (?:lancé|dévoilé|présenté|annoncé|déployé|publié|mis en ligne|sorti|ouvert)",
    r"ont (?:lancé|dévoilé|présenté|annoncé|déployé|publié)", r"lancée?s?",
    r"dévoilée?s?", r"présentée?s?", r"déployée?s?",
    r"lanzó", r"presentó", r"anunció", r"estrenó", r"liberó", r"ha lanzado",
    r"ha presentado", r"lanzad[oa]", r"veröffentlichte", r"veröffentlicht",
    r"vorgestellt", r"stellte", r"enthüllte", r"enthüllt", r"startete", r"gestartet",
    r"herausgebracht", r"lancierte", r"gelanceerd", r"uitgebracht", r"onthulde",
    r"onthuld", r"gepresenteerd", r"geïntroduceerd",
)
_LEXICON.add(
    _RELEASE, "present", "after",
    r"launches", r"releases", r"ships", r"rolls out", r"unveils", r"debuts",
    r"introduces", r"announces", r"unleashes", r"previews", r"brings", r"deploys",
    r"shows off",
    r"drops", r"(?:is|are) (?:launching|releasing|rolling out|shipping|unveiling|"
    r"introducing|deploying|releasing)", r"lance(?:nt)?", r"dévoile(?:nt)?",
    r"présente(?:nt)?", r"annonce(?:nt)?", r"déploie(?:nt)?", r"publie(?:nt)?",
    r"lanza(?:n)?", r"presenta(?:n)?", r"anuncia(?:n)?", r"estrena(?:n)?",
    r"se lanza", r"veröffentlicht", r"stellt", r"enthüllt", r"startet", r"bringt",
    r"lanceert", r"brengt", r"onthult", r"presenteert", r"introduceert",
    r"发布了?", r"推出了?", r"上线", r"出시", r"출시", r"공개", r"発表", r"公開",
)
_LEXICON.add(
    _RELEASE, "future", "after",
    r"(?:lanc|dévoil|présent|publi|arriv|débarqu)(?:era|eront|erait|eraient)",
    r"(?:sort|ouvr)(?:ira|iront|irait|iraient)", r"déploiera(?:it)?", r"déploieront",
    r"(?:lanz|present|public|estren|lleg)(?:ará|arán|aría|arían)",
    r"(?:lanc|rilasc|present)(?:erà|eranno)",
)
_LEXICON.add(
    _RELEASE, "", "after",
    r"launch", r"release", r"ship", r"roll out", r"unveil", r"debut", r"introduce",
    r"preview", r"rollout", r"roll-out", r"arrival", r"unveiling", r"premiere",
    r"lancer", r"arriver", r"débarquer", r"dévoiler", r"présenter", r"sortir", r"déployer", r"sortie",
    r"lancement", r"arrivée", r"aperçu", r"présentation", r"lanzar", r"presentar",
    r"lanzamiento", r"llegada", r"estreno", r"presentación", r"veröffentlichen",
    r"vorstellen", r"Veröffentlichung", r"Vorstellung", r"Marktstart", r"Start",
    r"lanceren", r"uitbrengen", r"lancering", r"introductie", r"komst",
)
_LEXICON.add(
    _RELEASE, "past", "before",
    r"(?:has |have )?(?:appeared|emerged|surfaced|arrived|landed|disappeared|vanished)",
    r"(?:showed|shown|popped|turned) up", r"went live", r"came out",
    r"made (?:a|an|its|their) (?:\w+ ){0,3}(?:appearance|debut)",
    r"(?:est|sont) (?:apparue?s?|arrivée?s?|sortie?s?|disponibles?)",
    r"a (?:fait|faisait) son apparition", r"faisait son apparition", r"a débarqué",
    r"a disparu", r"apareció", r"llegó", r"ha llegado", r"erschien", r"ist erschienen",
    r"aufgetaucht", r"tauchte auf", r"verscheen", r"is verschenen", r"opgedoken",
    r"등장", r"登场", r"亮相",
)
_LEXICON.add(
    _RELEASE, "present", "before",
    r"(?:is|are|s) (?:now |finally |officially |already )?(?:out|here|live|"
    r"available|back(?: online)?|online)", r"(?:now |generally )available",
    r"available (?:now|today|to (?:all|everyone|users|the public))", r"goes live",
    r"appears", r"appearing", r"emerges", r"arrives", r"lands", r"pops up", r"comes out",
    r"kommt", r"komt (?:\w+ ){0,4}uit",
    r"sort(?= (?:le|en|ce|cet|cette|dès|aujourd'hui|demain|lundi|mardi|mercredi|jeudi"
    r"|vendredi|samedi|dimanche)\b)",
    r"shows up", r"est (?:désormais |enfin |officiellement |déjà )?(?:là|disponible|"
    r"en ligne|sorti)", r"disponible", r"arrive", r"débarque", r"apparaît",
    r"fait son apparition", r"(?:ya )?está disponible", r"llega", r"aparece",
    r"ya está aquí", r"ist da", r"verfügbar", r"zur Verfügung", r"erscheint",
    r"taucht auf", r"is er", r"beschikbaar", r"verschijnt", r"duikt op",
)
# events: happening or scheduled
_LEXICON.add(
    _EVENT, "past", "either",
    r"took place", r"kicked off", r"opened", r"began(?!\s+(?:to\b|\w+ing\b))",
    r"started(?!\s+(?:to\b|\w+ing\b))", r"was held", r"(?:made|announced|unveiled|shown|revealed|presented|introduced) (?:at|during)",
    r"were held", r"held", r"hosted", r"s'est (?:tenue?|ouverte?)", r"a eu lieu",
    r"a débuté", r"a commencé", r"a ouvert", r"tuvo lugar", r"se celebró", r"arrancó",
    r"comenzó", r"fand statt", r"begann", r"eröffnete", r"vond plaats", r"begon",
)
_LEXICON.add(
    _EVENT, "present", "either",
    r"takes place", r"kicks off", r"opens", r"begins(?!\s+(?:to\b|\w+ing\b))",
    r"starts(?!\s+(?:to\b|\w+ing\b))", r"is held",
    r"(?:is|are) (?:underway|under way|happening|taking place|kicking off)",
    r"gets underway", r"hosts", r"se tient", r"a lieu", r"s'ouvre", r"débute",
    r"commence", r"ouvre ses portes", r"tiene lugar", r"se celebra", r"arranca",
    r"comienza", r"empieza", r"findet statt", r"beginnt", r"eröffnet", r"vindt plaats",
    r"begint", r"(?:the )?first day of", r"day one of", r"premier jour de",
    r"primer día de", r"erster Tag",
)
_LEXICON.add(
    _EVENT, "", "either",
    r"kick off", r"take place", r"be held", r"open", r"begin(?!\s+(?:to\b|\w+ing\b))",
    r"start(?!\s+(?:to\b|\w+ing\b))", r"host",
    r"se tiendra", r"aura lieu", r"s'ouvrira", r"débutera", r"commencera",
    r"tendrá lugar", r"se celebrará", r"comenzará", r"stattfinden", r"beginnen",
    r"plaatsvinden", r"keynote",
)
# scheduled: needs a date to be "dated"
_LEXICON.add(
    _SCHEDULE, "future", "either",
    r"scheduled", r"slated", r"set (?:for|to)", r"planned", r"plans? to", r"due",
    r"dates? announced", r"announce[sd]? (?:the |its )?dates?", r"annonce (?:les |la )?dates?",
    r"delay(?:s|ed)?", r"postpone[sd]?", r"push(?:es|ed)? back", r"retarde", r"retardé",
    r"repousse", r"repoussé", r"reporté", r"verschiebt", r"verschoben", r"retrasa",
    r"retrasado", r"aplaza", r"aplazado", r"uitgesteld",
    r"timed for", r"penciled in", r"pencilled in", r"targeting", r"expected",
    r"tipped", r"(?:release|launch|ship|availability) date", r"dates? (?:for|of)",
    r"programmée?s?", r"prévue?s?", r"attendue?s?", r"planifiée?s?",
    r"date de (?:sortie|lancement)", r"previst[oa]s?", r"programad[oa]s?",
    r"planead[oa]s?", r"esperad[oa]s?", r"fecha de (?:lanzamiento|salida)",
    r"geplant", r"erwartet", r"angekündigt", r"gepland", r"verwacht",
    r"预计", r"计划", r"将于", r"予定",
)
# under way: a rumor until it ships
_LEXICON.add(
    _DEVELOP, "present", "either",
    r"develop(?:s|ed|ing)?", r"working on", r"works on", r"(?:is |are )?training",
    r"trains", r"(?:is |are )?building", r"builds", r"creating", r"prepar(?:es|ing)",
    r"readying", r"gear(?:s|ing) up", r"in (?:the )?(?:process of )?(?:creating|"
    r"developing|building|training)", r"in development", r"under development",
    r"in the works", r"codenamed", r"project", r"développe(?:nt|ment)?",
    r"travaille(?:nt|rait)? sur", r"entraîne(?:nt|ment)?", r"prépare(?:nt)?",
    r"en (?:cours de )?(?:développement|préparation)", r"en chantier", r"projet",
    r"desarroll(?:a|an|ando|o)", r"trabaja(?:n|ndo)? en", r"entrena(?:n|ndo)?",
    r"prepara(?:n|ndo)?", r"proyecto", r"entwickel(?:t|n)", r"Entwicklung",
    r"arbeite(?:t|n) an", r"arbeiten", r"trainiert", r"Projekt", r"ontwikkel(?:t|en)",
    r"werk(?:t|en) aan", r"开发", r"研发", r"训练", r"開発",
)
_LEXICON.add(
    _UPCOMING, "future", "either",
    r"upcoming", r"forthcoming", r"(?:is|are|s) coming", r"will arrive",
    r"next[- ]gen(?:eration)?", r"(?:highly |much[- ])?"
    r"anticipated", r"long[- ]awaited", r"imminent", r"successor", r"any (?:minute|"
    r"day|time) now", r"coming soon", r"à venir", r"très attendue?", r"prochaine?",
    r"próxim[oa]", r"kommende[nrs]?", r"bevorstehende[nrs]?", r"künftige[nrs]?",
    r"aanstaande", r"即将", r"下一代",
)
_LEXICON.add(
    _RUMOR, "", "either",
    r"rumou?r(?:s|ed)?", r"rumeurs?", r"rumores?", r"Gerüchte?n?", r"geruchten?",
    r"leak(?:s|ed)?", r"fuites?", r"filtraci(?:ón|ones)", r"filtrad[oa]",
    r"speculation", r"speculating", r"spéculations?", r"especulaci(?:ón|ones)",
    r"Spekulation(?:en)?", r"speculaties?", r"传闻", r"传言", r"爆料",
)


# markers that qualify a clause
_LEXICON.add(
    _HEDGE, "", "",
    r"reportedly", r"reports?", r"reported", r"according to", r"sources?", r"is said to",
    r"are said to", r"allegedly", r"purportedly", r"could", r"might", r"would",
    r"expected", r"likely", r"possibly", r"perhaps", r"rumou?r\w*", r"leak\w*",
    r"speculat\w*", r"claims?", r"appears? to", r"seems? to", r"apparently",
    r"unconfirmed", r"not (?:yet )?(?:been )?confirmed", r"insiders?", r"people familiar",
    r"tipped", r"may", r"selon", r"d'après", r"pourrai(?:t|ent)", r"pourrions", r"pourrons",
    r"devrai(?:t|ent)", r"aurai(?:t|ent)", r"serai(?:t|ent)", r"rumeurs?", r"fuites?",
    r"apparemment", r"probablement", r"vraisemblablement", r"il semble",
    r"pas (?:encore )?confirmée?", r"según", r"podría", r"podrían", r"debería",
    r"se espera", r"al parecer", r"supuestamente", r"presuntamente", r"teóricamente",
    r"rumores", r"filtraci\w+", r"laut", r"soll", r"sollen", r"sollte", r"könnte",
    r"könnten", r"angeblich", r"wahrscheinlich", r"vermutlich", r"wie berichtet",
    r"berichten zufolge", r"naar verluidt", r"volgens", r"zou", r"zouden", r"mogelijk",
    r"waarschijnlijk", r"lanzaría", r"presentaría", r"llegaría",
    r"据", r"消息人士", r"传闻", r"可能", r"预计", r"据报道",
)
# Second-hand sourcing marks every unconfirmed claim of the item, not just its own clause.
_LEXICON.add(
    _SOURCE, "", "",
    r"reportedly", r"according to", r"a report", r"reports? (?:by|from|say)", r"sources?",
    r"unconfirmed", r"not (?:yet )?(?:been )?confirmed", r"is said to", r"allegedly",
    r"insiders?", r"people familiar", r"selon", r"d'après", r"pas (?:encore )?confirmée?",
    r"según", r"no confirmad[oa]", r"laut", r"wie berichtet", r"berichten zufolge",
    r"nicht bestätigt", r"naar verluidt", r"volgens", r"niet bevestigd", r"soll", r"sollen",
    r"据",
)
_LEXICON.add(
    _NEGATION, "", "",
    r"not", r"no", r"never", r"won't", r"cannot", r"can't", r"isn't", r"aren't",
    r"wasn't", r"doesn't", r"don't", r"didn't", r"hasn't", r"haven't", r"pas", r"jamais",
    r"aucune?", r"ni", r"sans", r"nicht", r"kein\w*", r"nie", r"niet", r"geen", r"nooit",
    r"nunca", r"ningun[oa]?", r"ningún", r"sin", r"ruled out", r"denied", r"dément\w*",
)
_LEXICON.add(
    _NOT_NEGATION, "", "",
    r"not only", r"not just", r"nicht nur", r"pas seulement", r"pas que", r"no solo",
    r"no sólo", r"niet alleen", r"not (?:yet )?(?:been )?confirmed",
    r"pas (?:encore )?confirmée?", r"no later than",
)
_LEXICON.add(
    _NOW, "", "",
    r"today", r"now", r"right now", r"just", r"live", r"désormais", r"dès maintenant",
    r"dès aujourd'hui", r"maintenant", r"en direct", r"aujourd'hui", r"ab sofort", r"jetzt",
    r"heute", r"ahora", r"ya", r"hoy", r"nu", r"vandaag", r"liveblog", r"live blog",
)
_LEXICON.add(
    _NOT_NOW, "", "",
    r"any (?:minute|day|time) now", r"until now", r"for now", r"jusqu'à maintenant",
)
_LEXICON.add(
    _AUX, "", "",
    r"will", r"ll", r"shall", r"to", r"going to", r"could", r"might", r"would", r"should",
    r"may", r"va", r"vont", r"pourrai(?:t|ent)", r"pourrions", r"devrai(?:t|ent)",
    r"s'apprête à", r"prévoit de", r"compte", r"veut", r"wird", r"werden", r"soll",
    r"sollen", r"sollte", r"könnte", r"zal", r"zullen", r"zou", r"gaat", r"va a", r"van a",
    r"podría", r"debería", r"planea", r"quiere", r"pretende", r"将", r"将于", r"预计",
)
_LEXICON.add(
    _MODAL, "", "",
    r"could", r"might", r"would", r"may", r"pourrai\w*", r"pourrions", r"devrai\w*",
    r"aurai\w*", r"serai\w*", r"podría\w*", r"debería\w*", r"könnte\w*", r"sollte\w*",
    r"soll", r"zou", r"zouden",
)
# "Denn dann wird OpenAI GPT-5 vorstellen": "then" points to the date of the sentence before.
_LEXICON.add(
    _THEN, "", "",
    r"then", r"that day", r"on that day", r"ce jour-là", r"alors", r"dann",
    r"an diesem tag", r"entonces", r"ese día", r"die dag",
)
# "wird ... GPT-5 der Welt vorstellen": the auxiliary comes well before the verb.
_LEXICON.add(_VERB_FINAL, "", "", r"wird", r"werden", r"soll", r"sollen", r"zal", r"zullen")
# "The day before the start of Build, ...": the event is tomorrow.
_LEXICON.add(
    _EVE, "", "",
    r"(?:the day before|the eve of|la veille de|la víspera de|am vorabend|de dag voor)"
    r"(?: (?:the (?:start|opening) of|l'ouverture de|le début de))?",
)
_LEXICON.add(
    _BREAK, "", "",
    r"but", r"mais", r"pero", r"aber", r"maar", r"while", r"whereas", r"tandis que",
    r"alors que", r"mientras", r"während", r"although", r"bien que", r"aunque", r"obwohl",
)
# fmt: on
_LEXICON.freeze()

# --- other patterns (on lower-cased text unless said) -----------------------------------

# Dates that belong to money, founding or a starting point are never a release date.
_NOT_RELEASE_DATE = re.compile(
    r"(?:[$€£]\s?\d|\d\s?(?:[$€£]|dollars|euros|million|billion|milliards?|millions|"
    r"millones|millionen|milliarden|miljoen|miljard)|\b(?:founded|established|"
    r"incorporated|raised|valued|acquired|since|fondée?|créée?|depuis|levé|gegründet|"
    r"seit|fundada|desde|opgericht|sinds|born|née?)\b)[^.;]{0,25}$"
)
# Hard clause boundaries besides _BREAK words; spaced dashes only when unpaired.
_PUNCTUATION_BREAK = re.compile(r";|\s[—–-]\s|—")
_DASH = re.compile(r"\s[—–-]\s|—")
# Names of other things (on the text as written): a capitalised word with a version
# number ("GPT-6", "Kimi K2", "Windows 11", "MAI-Voice-1"); they take cues from the watch.
_OTHER_NAME = re.compile(
    r"(?<![\w-])(?:[A-Z][\w.]*(?:-[\w.]+)*[- ]?\d+(?:\.\d+)*[a-z]*(?:-\w+)*"
    r"|[A-Za-z]*-?[A-Z]\d+|I/O)(?![\w-])"
)
# Words standing for the watch: pronouns, and generic nouns for models and events.
_PRONOUNS = frozenset({"it", "elle", "il", "celle", "celui"})
_SENTENCE_PRONOUNS = frozenset({"Es", "Er", "Sie", "Die", "Dit", "Het", "Deze"})
_GENERIC_NOUNS = (
    "model", "models", "modèle", "modèles", "modelo", "modelos", "modell", "modelle", "llm",
    "chatbot", "conference", "conférence", "conferencia", "konferenz", "conferentie",
    "event", "événement", "evento", "veranstaltung", "evenement",
)  # fmt: skip
# A sentence that may speak of the watch without naming it (read only when it does).
_ANAPHORIC_START = re.compile(
    r"\W*(?:it|this|they|elle|il|celle|celui|es|er|sie|die|dit|het|deze|ce|cette)\b"
)
_ANAPHORIC = re.compile(
    r"model|modèle|modell|llm|chatbot|conf[ée]ren|konferenz|event|événement|evento|"
    r"veranstaltung"
)
_COMPARED = re.compile(
    r"(?:than|outperforms?|outperformed|outperforming|beats?|rivals?|rivaling|rivalling|"
    r"like|unlike|versus|vs\.?|compared (?:to|with)|after|forget|over|successor (?:to|of)|"
    r"que|comme|contrairement à|plutôt que|face à|como|frente a|wie|als|gegenüber|dan|"
    r"zoals|après|avant|before|beyond|surpass\w*|take on|rivaliz\w+)\s+(?:the |l'|le |la |"
    r"el |den |de |het )?(?:\w+'s\s+)?$"
)
_AFTER_BLOCK = re.compile(
    r"(?<![\w-])(?:for|about|than|with|without|after|like|unlike|versus|vs|against|into|"
    r"that|whether|if|at|in|on|ahead|from|during|over|under|pour|sur|avec|contre|que|qu'|"
    r"si|dans|chez|lors|pendant|aux?|para|con|contra|durante|sobre|für|mit|gegen|als|dass|"
    r"ob|auf|bei|während|voor|met|tegen|dan|dat|tijdens|bij)(?![\w-])"
    r"|(?<=\w)\s+(?:of|de|d'|du|des|von|van|del)(?![\w-])"
)
_BEFORE_BLOCK = re.compile(
    r"(?<![\w-])(?:than|like|unlike|versus|vs|que|como|als|wie|dan|whether|if)(?![\w-])"
)
_ADJACENT_GAP = re.compile(
    r"[\s,(:–-]*(?:(?:on|op|le|am|el|the|at|à|au|lors de|during|in|en|de|du|van|vom|"
    r"from|la|its|sa|son|conférence|conference|developer|developers|annual|annuelle|"
    r"\d{4}|\w+'s|event|evento|konferenz|conferentie|ontwikkelaarsconferentie|"
    r"développeurs|des développeurs|scheduled for|is|are|will be|est|sera|ist|es|será|"
    r"wordt|set for)[\s,]*)*"
)
_YEAR_AFTER = re.compile(r"\s+((?:19|20)\d{2})\b")
# "Microsoft announces X" is released, unless the item gives X a later date.
_ANNOUNCE = re.compile(r"(?:a |ont )?(?:announc|annonc|anunci|angekündigt|kondig)")
_PASSIVE_FUTURE = re.compile(
    r"(?:will|'ll|shall|going to|to|could|might|may|would|should|sera|seront|être|"
    r"será|serán|ser|wird|werden|zal|zullen|worden)\s+(?:\w+\s+)?(?:be\s+|get\s+)?$"
)
# Same-length replacements, so spans still index the caller's text.
_TYPOGRAPHY = (("’", "'"), ("‘", "'"), ("‑", "-"), ("‐", "-"), ("\u00a0", " "), ("\u202f", " "))
_WINDOW = 70  # characters between a cue and the thing after it
_BEFORE_WINDOW = 50  # ... and the thing before it


# --- reading ----------------------------------------------------------------------------


@dataclass
class _Verdict:
    """The best signal one sentence gives one watch."""

    signal: Signal
    dates: tuple[str, ...] = ()
    rumored: bool = False
    span: tuple[int, int] = (0, 0)
    order: int = 0
    announced: bool = False  # released only in the sense of "announced"


@dataclass
class _Entity:
    start: int
    end: int
    watch: str | None  # None: another thing
    anaphor: bool = False
    compared: bool = False


@dataclass
class _Context:
    text: str  # typography folded, same length as the caller's text
    lowered: str
    reference: date
    known_reference: bool
    sentences: list[_Sentence]
    mentions: dict[int, list[Match]]  # sentence index -> matches in it
    single_watch: str | None
    hits: list[_Hit] = field(default_factory=list)
    dates: list[DateMention] = field(default_factory=list)
    names: list[tuple[int, int]] = field(default_factory=list)  # other things' names
    anaphors: list[tuple[int, int]] = field(default_factory=list)
    sourced: bool = False  # some sentence read cites a second-hand source


@dataclass
class _Reading:
    """What one sentence holds: tied cues, clause markers, dates, names, clauses."""

    cues: list[_Hit]
    markers: list[_Hit]
    dates: list[DateMention]
    entities: list[_Entity]
    clauses: list[tuple[int, int]]

    def has(self, kind: str, start: int, end: int) -> bool:
        return any(h.kind == kind and start <= h.start < end for h in self.markers)

    def last(self, kind: str, start: int, end: int) -> _Hit | None:
        found = [h for h in self.markers if h.kind == kind and start <= h.start < end]
        return found[-1] if found else None


def classify(
    text: str, matches: Sequence[Match], published: datetime | None
) -> dict[str, Classification]:
    """One Classification per watch named in ``matches``; spans index ``text``."""
    if not matches:
        return {}
    if published is None:
        reference, known = datetime.now(UTC).date(), False
    else:
        reference = (published.astimezone(UTC) if published.tzinfo else published).date()
        known = True
    original = text
    for fancy, plain in _TYPOGRAPHY:
        if fancy in text:
            text = text.replace(fancy, plain)
    lowered = _lower(text)
    sentences = _sentences(text)
    mentions: dict[int, list[Match]] = {}
    for match in matches:
        index = _sentence_of(sentences, match.start)
        if index is not None:
            mentions.setdefault(index, []).append(match)
    watches = list(dict.fromkeys(m.watch for m in matches))
    ctx = _Context(
        text,
        lowered,
        reference,
        known,
        sentences,
        mentions,
        watches[0] if len(watches) == 1 else None,
    )
    to_read = list(_sentences_to_read(ctx))
    _scan(ctx, matches, known)

    verdicts: dict[str, list[_Verdict]] = {}
    for index in to_read:
        for watch, verdict in _read_sentence(ctx, index).items():
            verdicts.setdefault(watch, []).append(verdict)

    result: dict[str, Classification] = {}
    for watch in watches:
        found = verdicts.get(watch, [])
        best = max(found, key=_rank, default=None)
        if best is not None and best.signal is Signal.RELEASED and best.announced:
            later = [v for v in found if v.signal is Signal.DATED and v.dates]
            best = later[0] if later else best
        if best is None or best.signal is Signal.MENTION:
            first = min((m.start for m in matches if m.watch == watch), default=0)
            span = _sentence_span(ctx, first)
            result[watch] = Classification(Signal.MENTION, evidence=_clean(original, span))
            continue
        rumored = any(v.rumored for v in found if v.signal is best.signal) or (
            ctx.sourced and best.signal in (Signal.RUMOR, Signal.DATED)
        )
        result[watch] = Classification(
            best.signal, rumored, best.dates, _clean(original, best.span)
        )
    return result


def strongest(classifications: Mapping[str, Classification]) -> Classification | None:
    """The classification with the highest signal; among equals, one that has dates."""
    if not classifications:
        return None
    return max(classifications.values(), key=lambda c: (c.signal.rank, bool(c.dates)))


def _rank(verdict: _Verdict) -> tuple[int, bool, int]:
    return (verdict.signal.rank, bool(verdict.dates), -verdict.order)


def _lower(text: str) -> str:
    """Lower-case without moving offsets (a few letters lower-case to two characters)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _sentence_of(sentences: Sequence[_Sentence], position: int) -> int | None:
    for index, sentence in enumerate(sentences):
        if sentence.start <= position < sentence.end:
            return index
    return None


def _sentence_span(ctx: _Context, position: int) -> tuple[int, int]:
    index = _sentence_of(ctx.sentences, position)
    if index is None:
        return (position, position)
    return (ctx.sentences[index].start, ctx.sentences[index].end)


def _linked(ctx: _Context, a: int, b: int) -> bool:
    """Whether two sentences may refer to each other: same passage, or title and lede."""
    return ctx.sentences[a].passage == ctx.sentences[b].passage or 0 in (a, b)


def _sentences_to_read(ctx: _Context) -> Iterable[int]:
    """Sentences naming a watch, their neighbours in the passage, and (for one watch) its
    whole passages: "It", "the model" and "Die" may stand for the watch there."""
    wanted: set[int] = set()
    passages = {ctx.sentences[i].passage for i in ctx.mentions}
    for index in ctx.mentions:
        wanted.add(index)
        for neighbour in (index - 1, index + 1):
            if 0 <= neighbour < len(ctx.sentences) and _linked(ctx, index, neighbour):
                wanted.add(neighbour)
    if ctx.single_watch is not None:
        wanted.update(
            i
            for i, s in enumerate(ctx.sentences)
            if s.passage in passages
            and (
                _ANAPHORIC_START.match(ctx.lowered, s.start)
                or _ANAPHORIC.search(ctx.lowered, s.start, s.end)
            )
        )
    return sorted(wanted)


def _neighbour_watch(ctx: _Context, index: int) -> str | None:
    """The one watch named in the sentence before (else after) this one, in its passage."""
    for neighbour in (index - 1, index + 1):
        if not 0 <= neighbour < len(ctx.sentences) or not _linked(ctx, index, neighbour):
            continue
        names = {m.watch for m in ctx.mentions.get(neighbour, [])}
        if len(names) == 1:
            return names.pop()
    if ctx.single_watch is not None:
        passages = {ctx.sentences[i].passage for i in ctx.mentions}
        if ctx.sentences[index].passage in passages:
            return ctx.single_watch
    return None


def _scan(ctx: _Context, matches: Sequence[Match], known: bool) -> None:
    """Look up cues, dates, names and pronouns once for the whole item."""
    lowered, text = ctx.lowered, ctx.text
    ctx.hits = _LEXICON.find(lowered, text)
    # Without a publication date, "Build 2026 ... opens June 2" tells the year of June 2.
    default_year = None
    if not known:
        for match in matches:
            year = _YEAR_AFTER.match(text, match.end)
            if year:
                default_year = int(year[1])
                break
    ctx.dates = find_dates(text, ctx.reference, default_year=default_year)
    taken = [(m.start, m.end) for m in matches] + [(d.start, d.end) for d in ctx.dates]

    def free(start: int, end: int) -> bool:
        return not any(start < te and ts < end for ts, te in taken)

    for m in _OTHER_NAME.finditer(text):
        if free(m.start(), m.end()):
            taken.append((m.start(), m.end()))
            ctx.names.append((m.start(), m.end()))
    for word in set(_WORD.findall(lowered)):
        if word in _PRONOUNS or word.endswith(_GENERIC_NOUNS):
            ctx.anaphors += [
                (at, at + len(word))
                for at in _occurrences(lowered, word)
                if free(at, at + len(word))
            ]
    for sentence in ctx.sentences:  # "Die vindt plaats ...": a demonstrative opens it
        first = _WORD.match(text, sentence.start)
        if first and first[0] in _SENTENCE_PRONOUNS and free(first.start(), first.end()):
            ctx.anaphors.append((first.start(), first.end()))


def _read(ctx: _Context, index: int, own: Sequence[Match]) -> _Reading:
    sentence = ctx.sentences[index]
    start, end = sentence.start, sentence.end
    hits = [h for h in ctx.hits if start <= h.start < end]
    dates = [d for d in ctx.dates if start <= d.start < end]
    if not hits and not dates:
        return _Reading([], [], [], [], [(start, end)])
    tied = sorted((h for h in hits if h.kind in _TIED), key=lambda h: (h.start, h.start - h.end))
    cues: list[_Hit] = []
    for hit in tied:
        if not cues or hit.start >= cues[-1].end:
            cues.append(hit)
    markers = [h for h in hits if h.kind not in _TIED]
    entities = _entities(ctx, start, end, own)
    return _Reading(cues, markers, dates, entities, _clauses(ctx, start, end, markers))


def _read_sentence(ctx: _Context, index: int) -> dict[str, _Verdict]:
    own = ctx.mentions.get(index, [])
    reading = _read(ctx, index, own)
    sentence = ctx.sentences[index]
    if reading.has(_SOURCE, sentence.start, sentence.end):
        ctx.sourced = True
    if not reading.cues and not reading.dates and not reading.has(_EVE, 0, len(ctx.text)):
        return {}
    text = ctx.text
    verdicts: dict[str, _Verdict] = {}

    def offer(watch: str, verdict: _Verdict) -> None:
        verdict.order = index
        current = verdicts.get(watch)
        if current is None or _rank(verdict) > _rank(current):
            verdicts[watch] = verdict

    for cue in reading.cues:
        targets = _targets(ctx, index, cue, reading)
        if not targets:
            continue
        clause = _clause_of(reading.clauses, cue.start)
        if _negated(ctx, reading, clause, cue):
            continue
        dates = _dates_for(ctx, cue, clause, reading)
        if not dates and index > 0 and reading.has(_THEN, clause[0], clause[1]):
            dates = _previous_dates(ctx, index)
        for watch in targets:
            verdict = _decide(ctx, cue, clause, dates, reading)
            if verdict is not None:
                verdict.announced = bool(_ANNOUNCE.match(ctx.lowered, cue.start))
                verdict.span = _evidence_span(text, clause, cue, dates, reading, watch)
                offer(watch, verdict)

    # "Build, May 7-9" / "Build op 6 mei": a date right next to the name, no verb needed.
    for entity in reading.entities:
        if entity.watch is None or entity.anaphor or entity.compared:
            continue
        for mention in reading.dates:
            if mention.start >= entity.end:
                gap_start, gap_end = entity.end, mention.start
            else:
                gap_start, gap_end = mention.end, entity.start
            if gap_end - gap_start > 45 or gap_end < gap_start:
                continue
            if not _ADJACENT_GAP.fullmatch(ctx.lowered, gap_start, gap_end):
                continue
            if not _future(ctx, mention.value) or _not_release_date(ctx, mention, sentence.start):
                continue
            clause = _clause_of(reading.clauses, mention.start)
            cue = _Hit("date", "", "either", mention.start, mention.end)
            if _negated(ctx, reading, clause, cue):
                continue
            rumored = reading.has(_HEDGE, clause[0], clause[1])
            span = _evidence_span(text, clause, cue, [mention], reading, entity.watch)
            offer(entity.watch, _Verdict(Signal.DATED, (mention.value,), rumored, span))

    # "The day before the start of Build, ...": the event is tomorrow.
    for eve in (h for h in reading.markers if h.kind == _EVE):
        for entity in reading.entities:
            if entity.watch and not entity.anaphor and 0 <= entity.start - eve.end <= 40:
                value = (ctx.reference + timedelta(days=1)).isoformat()
                offer(
                    entity.watch, _Verdict(Signal.DATED, (value,), False, (eve.start, entity.end))
                )
                break
    return verdicts


def _previous_dates(ctx: _Context, index: int) -> list[DateMention]:
    if not _linked(ctx, index, index - 1):
        return []
    previous = ctx.sentences[index - 1]
    return [d for d in ctx.dates if previous.start <= d.start < previous.end][-1:]


def _entities(ctx: _Context, start: int, end: int, own: Sequence[Match]) -> list[_Entity]:
    lowered = ctx.lowered
    result = [
        _Entity(
            m.start,
            m.end,
            m.watch,
            compared=bool(_COMPARED.search(lowered, max(start, m.start - 40), m.start)),
        )
        for m in own
    ]
    result += [_Entity(s, e, None) for s, e in ctx.names if start <= s < end]
    result += [_Entity(s, e, None, anaphor=True) for s, e in ctx.anaphors if start <= s < end]
    result.sort(key=lambda e: e.start)
    return result


def _clauses(ctx: _Context, start: int, end: int, markers: Sequence[_Hit]) -> list[tuple[int, int]]:
    breaks = [(m.start(), m.end()) for m in _PUNCTUATION_BREAK.finditer(ctx.lowered, start, end)]
    if len([b for b in breaks if _DASH.fullmatch(ctx.lowered, b[0], b[1])]) >= 2:
        breaks = [b for b in breaks if not _DASH.fullmatch(ctx.lowered, b[0], b[1])]
    breaks += [(h.start, h.end) for h in markers if h.kind == _BREAK]
    result: list[tuple[int, int]] = []
    cursor = start
    for b_start, b_end in sorted(breaks):
        if b_start < cursor:
            continue
        result.append((cursor, b_start))
        cursor = b_end
    result.append((cursor, end))
    return result


def _clause_of(clauses: Sequence[tuple[int, int]], position: int) -> tuple[int, int]:
    for clause in clauses:
        if clause[0] <= position <= clause[1]:
            return clause
    return clauses[-1]


def _without_dates(text: str, start: int, end: int, dates: Sequence[DateMention]) -> str:
    parts: list[str] = []
    cursor = start
    for d in dates:
        if d.end <= start or d.start >= end:
            continue
        parts.append(text[cursor : max(cursor, d.start)])
        cursor = max(cursor, d.end)
    parts.append(text[cursor:end])
    return " ".join(parts)


def _targets(ctx: _Context, index: int, cue: _Hit, reading: _Reading) -> list[str]:
    """The watches a cue is about: the nearest thing on its side, within its clause."""
    lowered, entities = ctx.lowered, reading.entities
    clause = _clause_of(reading.clauses, cue.start)

    def first_after() -> tuple[int, _Entity] | None:
        for e in entities:
            if e.start < cue.end or e.start > clause[1]:
                continue
            gap = _without_dates(lowered, cue.end, e.start, reading.dates).strip()
            if len(gap) > _WINDOW or _AFTER_BLOCK.search(gap):
                return None
            return (len(gap), e)
        return None

    def first_before() -> tuple[int, _Entity] | None:
        for e in reversed(entities):
            if e.end > cue.start or e.start < clause[0]:
                continue
            gap = _without_dates(lowered, e.end, cue.start, reading.dates).strip()
            if len(gap) > _BEFORE_WINDOW or _BEFORE_BLOCK.search(gap):
                return None
            return (len(gap), e)
        return None

    after, before = first_after(), first_before()
    if cue.side == "after":
        pick = after or before
    elif cue.side == "before":
        pick = before or after
    else:
        pick = min((x for x in (after, before) if x), key=lambda x: x[0], default=None)
    if pick is None:
        return []
    chosen = [pick[1]]
    # "MAI-Voice-1 and MAI-1-preview": a cue for one is a cue for the list.
    position = entities.index(pick[1])
    for step in (1, -1):
        j = position + step
        while 0 <= j < len(entities):
            left, right = sorted((entities[j - step], entities[j]), key=lambda e: e.start)
            if not _LIST_GLUE.fullmatch(lowered, left.end, right.start):
                break
            chosen.append(entities[j])
            j += step
    watches: list[str] = []
    for entity in chosen:
        if entity.compared:
            continue
        if entity.watch is not None:
            watches.append(entity.watch)
        elif entity.anaphor:
            resolved = _resolve_anaphor(ctx, index, entity, entities)
            if resolved:
                watches.append(resolved)
    return list(dict.fromkeys(watches))


_LIST_GLUE = re.compile(r"\s*(?:,|,?\s*(?:and|et|y|und|en|&|or|ou|o|oder|of))\s*(?:the\s+)?")


def _resolve_anaphor(
    ctx: _Context, index: int, anaphor: _Entity, entities: Sequence[_Entity]
) -> str | None:
    before = ctx.text[max(0, anaphor.start - 30) : anaphor.start]
    owner = re.search(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z][\w-]*)\s+$", before)
    if owner and not ctx.text[anaphor.start].isupper():
        return None  # "the new Claude model": a name of its own
    named = [e for e in entities if e.watch is not None and not e.compared]
    preceding = [e for e in named if e.end <= anaphor.start and anaphor.start - e.end <= 90]
    if preceding:
        return preceding[-1].watch
    following = [e for e in named if e.start >= anaphor.end and e.start - anaphor.end <= 60]
    if following:
        return following[0].watch
    if any((e.watch is None and not e.anaphor) or e.compared for e in entities):
        return None  # another named thing is around, or the watch is only compared
    return _neighbour_watch(ctx, index)


def _negated(ctx: _Context, reading: _Reading, clause: tuple[int, int], cue: _Hit) -> bool:
    lowered = ctx.lowered
    window = max(clause[0], cue.start - 40)
    comma = max(lowered.rfind(",", window, cue.start), lowered.rfind("(", window, cue.start))
    window = comma + 1 if comma >= 0 else window
    spared = [(h.start, h.end) for h in reading.markers if h.kind == _NOT_NEGATION]
    for hit in reading.markers:
        if hit.kind != _NEGATION or any(s <= hit.start < e for s, e in spared):
            continue
        if window <= hit.start < cue.start:
            return True
        if cue.end <= hit.start <= cue.end + 2 and lowered[hit.start : hit.end] in (
            "pas",
            "nicht",
            "niet",
            "not",
        ):
            return True
    return False


def _not_release_date(ctx: _Context, mention: DateMention, floor: int) -> bool:
    return bool(
        _NOT_RELEASE_DATE.search(ctx.lowered, max(floor, mention.start - 40), mention.start)
    )


def _dates_for(
    ctx: _Context, cue: _Hit, clause: tuple[int, int], reading: _Reading
) -> list[DateMention]:
    result: list[DateMention] = []
    for mention in reading.dates:
        if not clause[0] <= mention.start < clause[1] or _not_release_date(ctx, mention, clause[0]):
            continue
        # Another product named between this cue and the date claims it ("GPT-4 ... 2023").
        lo, hi = (cue.end, mention.start) if mention.start >= cue.end else (mention.end, cue.start)
        if any(
            e.watch is None and not e.anaphor and lo <= e.start and e.end <= hi
            for e in reading.entities
        ):
            continue
        result.append(mention)
    return result


def _future(ctx: _Context, value: str) -> bool:
    """Whether a date value is still to come (unknown reference: assume so).

    A day must be after the reference; a window ("later this year", "this month") only
    must not be over yet.
    """
    if not ctx.known_reference:
        return True
    first, last = _bounds(value.split("/")[0])
    return first > ctx.reference if first == last else last >= ctx.reference


def _past_or_today(ctx: _Context, value: str) -> bool:
    return _bounds(value.split("/")[-1])[1] <= ctx.reference


_WINDOW_MONTHS = {
    "Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12), "H1": (1, 6), "H2": (7, 12),
    "early": (1, 4), "mid": (5, 8), "late": (9, 12), "spring": (3, 5), "summer": (6, 8),
    "autumn": (9, 11), "winter": (12, 14),
}  # fmt: skip


def _bounds(value: str) -> tuple[date, date]:
    """First and last day a date value covers."""
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            d = date.fromisoformat(value)
            return d, d
        if m := re.fullmatch(r"(\d{4})-W(\d{2})", value):
            first = date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return first, first + timedelta(days=6)
        if m := re.fullmatch(r"(\d{4})-(\d{2})", value):
            year, month = int(m[1]), int(m[2])
            first = date(year, month, 1)
            following = date(year + month // 12, month % 12 + 1, 1)
            return first, following - timedelta(days=1)
        if m := re.fullmatch(r"(\d{4})-(\w+)", value):
            year = int(m[1])
            low, high = _WINDOW_MONTHS[m[2]]
            first = date(year, low, 1)
            end_year, end_month = year + (high - 1) // 12, (high - 1) % 12 + 1
            following = date(end_year + end_month // 12, end_month % 12 + 1, 1)
            return first, following - timedelta(days=1)
        year = int(value[:4])
        return date(year, 1, 1), date(year, 12, 31)
    except (ValueError, KeyError):
        return date.min, date.max


def _decide(
    ctx: _Context,
    cue: _Hit,
    clause: tuple[int, int],
    dates: Sequence[DateMention],
    reading: _Reading,
) -> _Verdict | None:
    lowered = ctx.lowered
    lead_start = max(clause[0], cue.start - 45)
    tense = cue.tense
    if tense == "past" and _PASSIVE_FUTURE.search(lowered, lead_start, cue.start):
        tense = "future"  # "will be released", "sera lancé"
    if tense == "" and reading.has(_VERB_FINAL, clause[0], cue.start):
        tense = "future"  # "wird ... GPT-5 der Welt vorstellen"
    if tense not in ("future", "past") and cue.kind in (_RELEASE, _EVENT):
        aux = reading.last(_AUX, lead_start, cue.start)
        if aux is not None and not re.search(r"[,.;]", lowered[aux.end : cue.start]):
            tense = "future"
    hedged = reading.has(_HEDGE, clause[0], clause[1]) or reading.has(_MODAL, lead_start, cue.start)
    spared = [(h.start, h.end) for h in reading.markers if h.kind == _NOT_NOW]
    now = any(
        h.kind == _NOW
        and clause[0] <= h.start < clause[1]
        and not any(s <= h.start < e for s, e in spared)
        for h in reading.markers
    )
    values = tuple(dict.fromkeys(d.value for d in dates))
    future_values = tuple(v for v in values if _future(ctx, v))
    past_values = tuple(v for v in values if ctx.known_reference and _past_or_today(ctx, v))
    scheduled = any(
        c.kind in (_SCHEDULE, _UPCOMING) and clause[0] <= c.start < clause[1] for c in reading.cues
    )

    if cue.kind == _RUMOR:
        return _Verdict(Signal.DATED if future_values else Signal.RUMOR, future_values, True)
    if cue.kind == _DEVELOP:
        return _Verdict(Signal.RUMOR, (), hedged)
    if cue.kind in (_SCHEDULE, _UPCOMING):
        if future_values:
            return _Verdict(Signal.DATED, future_values, hedged)
        return _Verdict(Signal.RUMOR, (), hedged)
    # release and event cues
    if tense == "past":
        return _Verdict(Signal.RELEASED, values, hedged)
    if tense == "future":
        if future_values:
            return _Verdict(Signal.DATED, future_values, hedged)
        if values:
            return _Verdict(Signal.DATED, values, hedged)
        return _Verdict(Signal.RUMOR, (), hedged)
    if tense == "present":
        if future_values and (ctx.known_reference or cue.kind == _EVENT):
            return _Verdict(Signal.DATED, future_values, hedged)
        if reading.has(_MODAL, lead_start, cue.start) and not now:
            return _Verdict(Signal.RUMOR, (), True)
        return _Verdict(Signal.RELEASED, values, hedged)
    # a noun or a bare verb: its surroundings say when
    if now and not future_values:
        return _Verdict(Signal.RELEASED, values, hedged)
    if future_values and (scheduled or hedged or ctx.known_reference):
        return _Verdict(Signal.DATED, future_values, hedged)
    if values and not ctx.known_reference and (scheduled or hedged):
        return _Verdict(Signal.DATED, values, hedged)
    if past_values and not scheduled:
        return _Verdict(Signal.RELEASED, past_values, hedged)
    if scheduled or hedged:
        return _Verdict(Signal.RUMOR, (), hedged)
    return None


def _evidence_span(
    text: str,
    clause: tuple[int, int],
    cue: _Hit,
    dates: Sequence[DateMention],
    reading: _Reading,
    watch: str,
) -> tuple[int, int]:
    """The comma-delimited stretch of the clause that holds the cue, the name and the dates."""
    points = [cue.start, cue.end]
    for d in dates:
        points += [d.start, d.end]
    named = [e for e in reading.entities if e.watch == watch and clause[0] <= e.start < clause[1]]
    if named:
        nearest = min(named, key=lambda e: abs(e.start - cue.start))
        points += [nearest.start, nearest.end]
    low, high = min(points), max(points)
    left = max(text.rfind(",", clause[0], low), text.rfind("(", clause[0], low))
    low = left + 1 if left >= 0 else clause[0]
    right = [
        i for i in (text.find(",", high, clause[1]), text.find(")", high, clause[1])) if i >= 0
    ]
    return (low, min(right) if right else clause[1])


def _clean(text: str, span: tuple[int, int]) -> str:
    snippet = " ".join(text[span[0] : span[1]].split())
    return snippet.strip(" ,;:—–-").rstrip(".")
