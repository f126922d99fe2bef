"""Decide what an item says about each watch it matched: released, dated, rumor or mention.

Pure: text, matches and a publication date in, one Classification per watch out.

Rules, in the order they are applied:

1. The document (title, "\\n\\n", summary, ...) is cut into sentences; the title is its own
   sentence and an ellipsis ("...") ends a passage, as it marks omitted text.
2. Cue words are found in the sentences around each watch mention: release verbs and nouns,
   event verbs, schedule words, development words, rumor nouns, hedges, negations and "now"
   words, in English and French first (Spanish, German, Dutch and a few CJK words too).
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
   rumors and dates, by a second-hand source anywhere in the item ("according to").
7. Per watch, the strongest sentence wins; among equals, the one with dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from monitor.model import Classification, Match, Signal
from monitor.release_dates import DateMention, find_dates

_F = re.IGNORECASE

# --- sentences --------------------------------------------------------------------------

_ABBREVIATION_WORDS = (
    "mr mrs ms dr prof inc corp ltd co jr sr st vs etc approx e.g i.e no nr dept est fig "
    "jan feb mar apr jun jul aug sep sept oct nov dec mme mlle cf env p.ex u.s"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_WORDS.split())
_SENTENCE_END = re.compile(r"(?:[.!?…]+|[。！？])[\"”’»)\]]*(?:\s+|(?<=[。！？]))")
_ELLIPSIS = re.compile(r"(?:\.\s?\.\s?\.|…)")


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
            end = start + m.end()
            word = re.search(r"(\S+?)[.!?…]*$", block[: m.start()])
            token = word[1].lower().strip("(\"'“‘") if word else ""
            is_break = bool(_ELLIPSIS.search(m[0])) or m[0].strip().startswith("…")
            if not is_break and "." in m[0] and (token in _ABBREVIATIONS or len(token) == 1):
                continue
            following = block[m.end() : m.end() + 1]
            if following and following.islower() and not is_break:
                continue
            if block[cursor - start : m.end()].strip():
                result.append(_Sentence(cursor, start + m.start() + len(m[0].rstrip()), passage))
            cursor = end
            if is_break:
                passage += 1
        if block[cursor - start :].strip():
            result.append(_Sentence(cursor, start + len(block.rstrip()), passage))
        # The title and the summary's first sentence tell one story; later blocks do not.
        if start > 0:
            passage += 1
    return result


# --- cue lexicon ------------------------------------------------------------------------

# Kinds of cue. Tense: "past", "present", "future" or "" (a noun or a bare infinitive,
# decided by the words around it). Side: where its thing usually is: "after" (launches X),
# "before" (X is available) or "either".
RELEASE, EVENT, SCHEDULE, DEVELOP, UPCOMING, RUMOR = (
    "release",
    "event",
    "schedule",
    "develop",
    "upcoming",
    "rumor",
)


@dataclass(frozen=True)
class _CueSet:
    kind: str
    tense: str
    side: str
    pattern: re.Pattern[str]


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# "presented as" describes, it does not release.
_DESCRIBED = r"(?!\s+(?:as|comme|como|als|wie)\b)"


def _cues(kind: str, tense: str, side: str, *words: str) -> _CueSet:
    """One regex for a list of cue words; CJK words have no word boundaries to respect."""
    latin = "|".join(w for w in words if not _CJK.search(w))
    cjk = "|".join(w for w in words if _CJK.search(w))
    body = rf"(?<![\w-])(?:{latin})(?![\w-]){_DESCRIBED}"
    return _CueSet(kind, tense, side, re.compile(f"{body}|{cjk}" if cjk else body, _F))


_CUE_SETS: tuple[_CueSet, ...] = (
    # released / happening: verbs tied to their object
    _cues(
        RELEASE, "past", "after",
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
    ),
    _cues(
        RELEASE, "present", "after",
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
    ),
    _cues(
        RELEASE, "future", "after",
        r"(?:lanc|dévoil|présent|publi|arriv|débarqu)(?:era|eront|erait|eraient)",
        r"(?:sort|ouvr)(?:ira|iront|irait|iraient)", r"déploiera(?:it)?", r"déploieront",
        r"(?:lanz|present|public|estren|lleg)(?:ará|arán|aría|arían)",
        r"(?:lanc|rilasc|present)(?:erà|eranno)",
    ),
    _cues(
        RELEASE, "", "after",
        r"launch", r"release", r"ship", r"roll out", r"unveil", r"debut", r"introduce",
        r"preview", r"rollout", r"roll-out", r"arrival", r"unveiling", r"premiere",
        r"lancer", r"dévoiler", r"présenter", r"sortir", r"déployer", r"sortie",
        r"lancement", r"arrivée", r"aperçu", r"présentation", r"lanzar", r"presentar",
        r"lanzamiento", r"llegada", r"estreno", r"presentación", r"veröffentlichen",
        r"vorstellen", r"Veröffentlichung", r"Vorstellung", r"Marktstart", r"Start",
        r"lanceren", r"uitbrengen", r"lancering", r"introductie", r"komst",
    ),
    _cues(
        RELEASE, "past", "before",
        r"(?:has |have )?(?:appeared|emerged|surfaced|arrived|landed|disappeared|vanished)",
        r"(?:showed|shown|popped|turned) up", r"went live",
        r"made (?:a|an|its|their) (?:\w+ ){0,3}(?:appearance|debut)",
        r"(?:est|sont) (?:apparue?s?|arrivée?s?|sortie?s?|disponibles?)",
        r"a (?:fait|faisait) son apparition", r"faisait son apparition", r"a débarqué",
        r"a disparu", r"apareció", r"llegó", r"ha llegado", r"erschien", r"ist erschienen",
        r"aufgetaucht", r"tauchte auf", r"verscheen", r"is verschenen", r"opgedoken",
        r"등장", r"登场", r"亮相",
    ),
    _cues(
        RELEASE, "present", "before",
        r"(?:is|are|'s|’s) (?:now |finally |officially |already )?(?:out|here|live|"
        r"available|back(?: online)?|online)", r"(?:now |generally )available",
        r"available (?:now|today|to (?:all|everyone|users|the public))", r"goes live",
        r"appears", r"appearing", r"emerges", r"arrives", r"lands", r"pops up",
        r"shows up", r"est (?:désormais |enfin |officiellement |déjà )?(?:là|disponible|"
        r"en ligne|sorti)", r"disponible", r"arrive", r"débarque", r"apparaît",
        r"fait son apparition", r"(?:ya )?está disponible", r"llega", r"aparece",
        r"ya está aquí", r"ist da", r"verfügbar", r"zur Verfügung", r"erscheint",
        r"taucht auf", r"is er", r"beschikbaar", r"verschijnt", r"duikt op",
    ),
    # events: happening or scheduled
    _cues(
        EVENT, "past", "either",
        r"took place", r"kicked off", r"opened", r"began(?!\s+(?:to\b|\w+ing\b))",
        r"started(?!\s+(?:to\b|\w+ing\b))", r"was held", r"(?:made|announced|unveiled|shown|revealed|presented|introduced) (?:at|during)",
        r"were held", r"held", r"hosted", r"s'est (?:tenue?|ouverte?)", r"a eu lieu",
        r"a débuté", r"a commencé", r"a ouvert", r"tuvo lugar", r"se celebró", r"arrancó",
        r"comenzó", r"fand statt", r"begann", r"eröffnete", r"vond plaats", r"begon",
    ),
    _cues(
        EVENT, "present", "either",
        r"takes place", r"kicks off", r"opens", r"begins(?!\s+(?:to\b|\w+ing\b))",
        r"starts(?!\s+(?:to\b|\w+ing\b))", r"is held",
        r"(?:is|are) (?:underway|under way|happening|taking place|kicking off)",
        r"gets underway", r"hosts", r"se tient", r"a lieu", r"s'ouvre", r"débute",
        r"commence", r"ouvre ses portes", r"tiene lugar", r"se celebra", r"arranca",
        r"comienza", r"empieza", r"findet statt", r"beginnt", r"eröffnet", r"vindt plaats",
        r"begint", r"(?:the )?first day of", r"day one of", r"premier jour de",
        r"primer día de", r"erster Tag",
    ),
    _cues(
        EVENT, "", "either",
        r"kick off", r"take place", r"be held", r"open", r"begin(?!\s+(?:to\b|\w+ing\b))",
        r"start(?!\s+(?:to\b|\w+ing\b))", r"host",
        r"se tiendra", r"aura lieu", r"s'ouvrira", r"débutera", r"commencera",
        r"tendrá lugar", r"se celebrará", r"comenzará", r"stattfinden", r"beginnen",
        r"plaatsvinden", r"keynote",
    ),
    # scheduled: needs a date to be "dated"
    _cues(
        SCHEDULE, "future", "either",
        r"scheduled", r"slated", r"set (?:for|to)", r"planned", r"plans? to", r"due",
        r"timed for", r"penciled in", r"pencilled in", r"targeting", r"expected",
        r"tipped", r"(?:release|launch|ship|availability) date", r"dates? (?:for|of)",
        r"programmée?s?", r"prévue?s?", r"attendue?s?", r"planifiée?s?",
        r"date de (?:sortie|lancement)", r"previst[oa]s?", r"programad[oa]s?",
        r"planead[oa]s?", r"esperad[oa]s?", r"fecha de (?:lanzamiento|salida)",
        r"geplant", r"erwartet", r"angekündigt", r"gepland", r"verwacht",
        r"预计", r"计划", r"将于", r"予定",
    ),
    # under way: a rumor until it ships
    _cues(
        DEVELOP, "present", "either",
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
    ),
    _cues(
        UPCOMING, "future", "either",
        r"upcoming", r"forthcoming", r"next[- ]gen(?:eration)?", r"(?:highly |much[- ])?"
        r"anticipated", r"long[- ]awaited", r"imminent", r"successor", r"any (?:minute|"
        r"day|time) now", r"coming soon", r"à venir", r"très attendue?", r"prochaine?",
        r"próxim[oa]", r"kommende[nrs]?", r"bevorstehende[nrs]?", r"künftige[nrs]?",
        r"aanstaande", r"即将", r"下一代",
    ),
    _cues(
        RUMOR, "", "either",
        r"rumou?r(?:s|ed)?", r"rumeurs?", r"rumores?", r"Gerüchte?n?", r"geruchten?",
        r"leak(?:s|ed)?", r"fuites?", r"filtraci(?:ón|ones)", r"filtrad[oa]",
        r"speculation", r"speculating", r"spéculations?", r"especulaci(?:ón|ones)",
        r"Spekulation(?:en)?", r"speculaties?", r"传闻", r"传言", r"爆料",
    ),
)  # fmt: skip

_HEDGE = re.compile(
    r"(?<![\w-])(?:reportedly|reports?|reported|according to|sources?|is said to|are said to|"
    r"allegedly|purportedly|could|might|would|expected|likely|possibly|perhaps|"
    r"rumou?r\w*|leak\w*|speculat\w*|claims?|appears? to|seems? to|apparently|"
    r"unconfirmed|not (?:yet )?(?:been )?confirmed|insiders?|people familiar|tipped|"
    r"selon|d'après|pourrai(?:t|ent)|pourrions|pourrons|devrai(?:t|ent)|aurai(?:t|ent)|"
    r"serai(?:t|ent)|rumeurs?|fuites?|apparemment|probablement|vraisemblablement|il semble|"
    r"pas (?:encore )?confirmé|según|podría|podrían|debería|se espera|al parecer|"
    r"supuestamente|presuntamente|teóricamente|rumores|filtraci\w+|laut|soll|sollen|"
    r"sollte|könnte|könnten|angeblich|wahrscheinlich|vermutlich|wie berichtet|"
    r"berichten zufolge|naar verluidt|volgens|zou|zouden|mogelijk|waarschijnlijk)(?![\w-])"
    r"|(?-i:\bmay\b)|\b[a-zéè]{3,}(?:erait|eraient|irait|iraient)\b|"
    r"\b(?:lanzaría|presentaría|llegaría)\b|据|消息人士|传闻|可能|预计|据报道",
    _F,
)
# Second-hand sourcing marks every unconfirmed claim of the item, not just its own clause.
_ATTRIBUTION = re.compile(
    r"(?<![\w-])(?:reportedly|according to|a report|reports? (?:by|from|say)|sources?|"
    r"unconfirmed|not (?:yet )?(?:been )?confirmed|pas (?:encore )?confirmée?|no confirmad[oa]|"
    r"nicht bestätigt|niet bevestigd|"
    r"is said to|allegedly|insiders?|people familiar|selon|d'après|según|laut|wie berichtet|"
    r"berichten zufolge|naar verluidt|volgens|soll|sollen)(?![\w-])|据",
    _F,
)
_NEGATION = re.compile(
    r"(?<![\w-])(?:not|n't|no|never|won't|cannot|pas|jamais|aucune?|ni|sans|nicht|kein\w*|"
    r"nie|niet|geen|nooit|nunca|ningun[oa]?|ningún|sin|ruled out|denied|dément\w*)(?![\w-])"
    r"|n't\b",
    _F,
)
_NOT_NEGATION = re.compile(
    r"(?<![\w-])(?:not only|not just|nicht nur|pas seulement|pas que|no solo|no sólo|"
    r"niet alleen|not (?:yet )?(?:been )?confirmed|pas (?:encore )?confirmé|no later than)"
    r"(?![\w-])",
    _F,
)
_NOW = re.compile(
    r"(?<![\w-])(?:today|now|right now|just|live|désormais|dès maintenant|dès aujourd'hui|"
    r"maintenant|en direct|aujourd'hui|ab sofort|jetzt|heute|ahora|ya|hoy|nu|vandaag|"
    r"liveblog|live blog)(?![\w-])",
    _F,
)
_NOT_NOW = re.compile(r"any (?:minute|day|time) now|until now|for now|jusqu'à maintenant", _F)
_FUTURE_AUX = re.compile(
    r"(?<![\w-])(?:will|'ll|’ll|shall|to|going to|could|might|would|should|may|"
    r"va|vont|pourrai(?:t|ent)|pourrions|devrai(?:t|ent)|s'apprête à|s’apprête à|prévoit de|"
    r"compte|veut|wird|werden|soll|sollen|sollte|könnte|will|zal|zullen|zou|gaat|"
    r"va a|van a|podría|debería|planea|quiere|pretende|将|将于|预计)(?![\w-])",
    _F,
)
_MODAL = re.compile(
    r"(?<![\w-])(?:could|might|would|may|pourrai\w*|pourrions|devrai\w*|aurai\w*|serai\w*|"
    r"podría\w*|debería\w*|könnte\w*|sollte\w*|soll|zou|zouden)(?![\w-])",
    _F,
)
# Dates that belong to money, founding or a starting point are never a release date.
_NOT_RELEASE_DATE = re.compile(
    r"(?:[$€£]\s?\d|\d\s?(?:[$€£]|dollars|euros|million|billion|milliards?|millions|"
    r"millones|Millionen|Milliarden|miljoen|miljard)|\b(?:founded|established|"
    r"incorporated|raised|valued|acquired|since|fondée?|créée?|depuis|levé|gegründet|"
    r"seit|fundada|desde|opgericht|sinds|born|née?)\b)[^.;]{0,25}$",
    _F,
)

# Hard clause boundaries; spaced dashes only when unpaired (paired ones enclose an aside).
_CLAUSE_BREAK = re.compile(
    r";|\s[—–-]\s|—|\bbut\b|\bmais\b|\bpero\b|\baber\b|\bmaar\b|\bwhile\b|\bwhereas\b|"
    r"\btandis que\b|\balors que\b|\bmientras\b|\bwährend\b|\balthough\b|\bbien que\b|"
    r"\baunque\b|\bobwohl\b",
    _F,
)
_DASH = re.compile(r"\s[—–-]\s|—")

# Names of other things: a capitalised word with a version number ("GPT-6", "Kimi K2",
# "Windows 11", "MAI-Voice-1"), which take a cue away from the watch.
_OTHER_NAME = re.compile(
    r"(?<![\w-])(?:[A-Z][\w.]*(?:[-‑][\w.]+)*[-‑ ]?\d+(?:\.\d+)*[a-z]*(?:[-‑][\w]+)*"
    r"|[A-Za-z]*[-‑]?[A-Z]\d+|I/O)(?![\w-])"
)
# Words standing for the watch: pronouns, and generic nouns for models and events.
_ANAPHOR = re.compile(
    r"(?<![\w-])(?:it|it'll|it’ll|this model|the (?:new )?model|the llm|the chatbot|"
    r"the (?:conference|event)|elle|il|celle-ci|celui-ci|(?-i:Es|Er|Sie|Die|Dit|Het|Deze)|"
    r"\w*(?:model|models|modèle|modèles|modelo|modelos|modell|modelle|llm|chatbot|"
    r"conference|conférence|conferencia|konferenz|conferentie|event|événement|evento|"
    r"veranstaltung|evenement|sprachmodell|ki-modell))(?![\w-])",
    _F,
)
_COMPARED = re.compile(
    r"(?:than|outperforms?|outperformed|outperforming|beats?|rivals?|rivaling|rivalling|"
    r"like|unlike|versus|vs\.?|compared (?:to|with)|after|forget|over|successor (?:to|of)|"
    r"que|comme|contrairement à|plutôt que|face à|como|frente a|wie|als|gegenüber|dan|"
    r"zoals|après|avant|before|beyond|surpass\w*|take on|rivaliz\w+)\s+(?:the |l'|le |la |"
    r"el |den |de |het )?(?:\w+['’]s\s+)?$",
    _F,
)
_AFTER_BLOCK = re.compile(
    r"(?<![\w-])(?:for|about|than|with|without|after|like|unlike|versus|vs|against|into|"
    r"that|whether|if|at|in|on|ahead|from|during|over|under|pour|sur|avec|contre|que|qu'|"
    r"si|dans|chez|lors|pendant|aux?|para|con|contra|durante|sobre|für|mit|gegen|als|dass|"
    r"ob|auf|bei|während|voor|met|tegen|dan|dat|tijdens|bij)(?![\w-])"
    r"|(?<=\w)\s+(?:of|de|d'|du|des|von|van|del)(?![\w-])",
    _F,
)
_BEFORE_BLOCK = re.compile(
    r"(?<![\w-])(?:than|like|unlike|versus|vs|que|como|als|wie|dan|whether|if)(?![\w-])",
    _F,
)
_EVE = re.compile(
    r"(?:the day before|the eve of|la veille de|la víspera de|am vorabend|de dag voor)"
    r"\s+(?:the (?:start|opening) of\s+|l'ouverture de\s+|le début de\s+)?",
    _F,
)
_ADJACENT_GAP = re.compile(
    r"^[\s,(:–-]*(?:(?:on|op|le|am|el|the|at|à|au|lors de|during|in|en|de|du|van|vom|"
    r"from|la|its|sa|son|conférence|conference|developer|developers|annual|annuelle|"
    r"\d{4}|['’]s|microsoft|event|evento|konferenz|conferentie|"
    r"ontwikkelaarsconferentie|développeurs|des développeurs|scheduled for|is|are|will be|"
    r"est|sera|ist|es|será|wordt|set for)[\s,]*)*$",
    _F,
)
_YEAR_AFTER = re.compile(r"\s+((?:19|20)\d{2})\b")

# "Microsoft announces X" is released, unless the item gives X a later date.
_ANNOUNCE = re.compile(r"(?:a |ont )?(?:announc|annonc|anunci|angekündigt|kondig)", _F)
_WINDOW = 70  # characters between a cue and the thing after it
_BEFORE_WINDOW = 50  # ... and the thing before it

# Same-length replacements, so spans still index the caller's text.
_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "‑": "-", "‐": "-", "\u00a0": " ", "\u202f": " "})
# "Denn dann wird OpenAI GPT-5 vorstellen": "then" points to the date of the sentence before.
_THEN = re.compile(
    r"(?<![\w-])(?:then|that day|on that day|ce jour-là|alors|dann|an diesem tag|entonces|"
    r"ese día|dan|die dag)(?![\w-])",
    _F,
)
_VERB_FINAL_FUTURE = re.compile(r"(?<![\w-])(?:wird|werden|soll|sollen|zal|zullen)(?![\w-])", _F)
_PASSIVE_FUTURE = re.compile(
    r"(?:will|'ll|shall|going to|to|could|might|may|would|should|sera|seront|être|"
    r"será|serán|ser|wird|werden|zal|zullen|worden)\s+(?:\w+\s+)?(?:be\s+|get\s+)?$",
    _F,
)


@dataclass
class _Verdict:
    """The best signal one sentence gives one watch."""

    signal: Signal
    dates: tuple[str, ...] = ()
    rumored: bool = False
    span: tuple[int, int] = (0, 0)
    order: int = 0
    announced: bool = False  # released only in the sense of "announced"


@dataclass(frozen=True)
class _Cue:
    kind: str
    tense: str
    side: str
    start: int
    end: int


@dataclass
class _Entity:
    start: int
    end: int
    watch: str | None  # None: another thing
    anaphor: bool = False
    compared: bool = False


@dataclass
class _Context:
    text: str
    reference: date
    known_reference: bool
    sentences: list[_Sentence]
    mentions: dict[int, list[Match]]  # sentence index -> matches in it
    single_watch: str | None
    default_years: dict[str, int] = field(default_factory=dict)


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
    original, text = text, text.translate(_TYPOGRAPHY)
    sentences = _sentences(text)
    mentions: dict[int, list[Match]] = {}
    for match in matches:
        index = _sentence_of(sentences, match.start)
        if index is not None:
            mentions.setdefault(index, []).append(match)
    watches = list(dict.fromkeys(m.watch for m in matches))
    ctx = _Context(
        text, reference, known, sentences, mentions, watches[0] if len(watches) == 1 else None
    )
    verdicts_by_watch: dict[str, list[_Verdict]] = {}
    for match in matches:
        year = _YEAR_AFTER.match(text, match.end)
        if year and match.watch not in ctx.default_years:
            ctx.default_years[match.watch] = int(year[1])

    best: dict[str, _Verdict] = {}
    for index in _sentences_to_read(ctx):
        for watch, verdict in _read_sentence(ctx, index).items():
            verdicts_by_watch.setdefault(watch, []).append(verdict)
            current = best.get(watch)
            if current is None or _better(verdict, current):
                best[watch] = verdict

    for watch, winner in best.items():
        if winner.signal is Signal.RELEASED and winner.announced:
            later = [v for v in verdicts_by_watch[watch] if v.signal is Signal.DATED and v.dates]
            if later:
                best[watch] = later[0]
    attributed = bool(_ATTRIBUTION.search(text))
    result: dict[str, Classification] = {}
    for watch in watches:
        found = best.get(watch)
        if found is None or found.signal is Signal.MENTION:
            first = min(
                (m for m in matches if m.watch == watch), key=lambda m: m.start, default=None
            )
            span = _sentence_span(ctx, first.start) if first else (0, 0)
            result[watch] = Classification(Signal.MENTION, evidence=_clean(original, span))
            continue
        rumored = any(v.rumored for v in verdicts_by_watch[watch] if v.signal is found.signal) or (
            attributed and found.signal in (Signal.RUMOR, Signal.DATED)
        )
        result[watch] = Classification(
            found.signal, rumored, found.dates, _clean(original, found.span)
        )
    return result


def strongest(classifications: Mapping[str, Classification]) -> Classification | None:
    """The classification with the highest signal; among equals, one that has dates."""
    if not classifications:
        return None
    return max(classifications.values(), key=lambda c: (c.signal.rank, bool(c.dates)))


# --- reading ----------------------------------------------------------------------------


def _better(new: _Verdict, old: _Verdict) -> bool:
    return (new.signal.rank, bool(new.dates), -new.order) > (
        old.signal.rank,
        bool(old.dates),
        -old.order,
    )


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


def _sentences_to_read(ctx: _Context) -> Iterable[int]:
    """Sentences naming a watch, their neighbours in the passage, and (for one watch) its
    whole passages: "It", "the model" and "Die" may stand for the watch there."""
    wanted: set[int] = set()
    passages = {ctx.sentences[i].passage for i in ctx.mentions}
    for index in ctx.mentions:
        wanted.add(index)
        for neighbour in (index - 1, index + 1):
            if 0 <= neighbour < len(ctx.sentences) and (
                ctx.sentences[neighbour].passage == ctx.sentences[index].passage
                or index == 0
                or neighbour == 0
            ):
                wanted.add(neighbour)
    if ctx.single_watch is not None:
        wanted.update(i for i, s in enumerate(ctx.sentences) if s.passage in passages)
    return sorted(wanted)


def _neighbour_watch(ctx: _Context, index: int) -> str | None:
    """The one watch named in the sentence before (else after) this one, in its passage."""
    passage = ctx.sentences[index].passage
    for neighbour in (index - 1, index + 1):
        if not 0 <= neighbour < len(ctx.sentences):
            continue
        if ctx.sentences[neighbour].passage != passage and index != 0 and neighbour != 0:
            continue
        names = {m.watch for m in ctx.mentions.get(neighbour, [])}
        if len(names) == 1:
            return names.pop()
    if ctx.single_watch is not None:
        passages = {ctx.sentences[i].passage for i in ctx.mentions}
        if passage in passages:
            return ctx.single_watch
    return None


def _read_sentence(ctx: _Context, index: int) -> dict[str, _Verdict]:
    sentence = ctx.sentences[index]
    text = ctx.text
    start, end = sentence.start, sentence.end
    body = text[start:end]
    own = ctx.mentions.get(index, [])

    cues = _find_cues(body, start)
    eve = list(_EVE.finditer(body))
    if not cues and not eve and not own:
        return {}

    default_year = None
    for match in own:
        default_year = ctx.default_years.get(match.watch, default_year)
    dates = [
        DateMention(d.start + start, d.end + start, d.value, d.text)
        for d in find_dates(body, ctx.reference, default_year=default_year)
    ]
    if not cues and not dates and not eve:
        return {}

    entities = _entities(text, start, end, own, dates)
    clauses = _clauses(body, start)
    verdicts: dict[str, _Verdict] = {}

    def offer(watch: str, verdict: _Verdict) -> None:
        current = verdicts.get(watch)
        if current is None or _better(verdict, current):
            verdicts[watch] = verdict

    for cue in cues:
        targets = _targets(ctx, index, cue, entities, clauses, dates)
        if not targets:
            continue
        clause = _clause_of(clauses, cue.start)
        if _negated(text, clause, cue):
            continue
        own_dates = _dates_for(text, cue, clause, dates, cues, entities)
        if not own_dates and index > 0 and _THEN.search(text, clause[0], clause[1]):
            own_dates = _previous_dates(ctx, index)
        for watch in targets:
            verdict = _decide(ctx, cue, clause, own_dates)
            if verdict is not None:
                verdict.announced = bool(_ANNOUNCE.match(text, cue.start))
                verdict.order = index
                verdict.span = _evidence_span(text, clause, cue, own_dates, entities, watch)
                offer(watch, verdict)

    # "Build, May 7-9" / "Build op 6 mei": a date right next to the name, no verb needed.
    for entity in entities:
        if entity.watch is None or entity.anaphor or entity.compared:
            continue
        for mention in dates:
            gap = (
                text[entity.end : mention.start]
                if mention.start >= entity.end
                else text[mention.end : entity.start]
            )
            if len(gap) > 45 or not _ADJACENT_GAP.match(gap):
                continue
            if not _future(ctx, mention.value) or _NOT_RELEASE_DATE.search(
                text[max(start, mention.start - 40) : mention.start]
            ):
                continue
            clause = _clause_of(clauses, mention.start)
            cue = _Cue("date", "", "either", mention.start, mention.end)
            if _negated(text, clause, cue):
                continue
            rumored = bool(_HEDGE.search(text, clause[0], clause[1]))
            span = _evidence_span(text, clause, cue, [mention], entities, entity.watch)
            offer(entity.watch, _Verdict(Signal.DATED, (mention.value,), rumored, span, index))

    # "The day before the start of Build, ...": the event is tomorrow.
    for m in eve:
        after = start + m.end()
        for entity in entities:
            if entity.watch and not entity.anaphor and 0 <= entity.start - after <= 40:
                value = (ctx.reference + timedelta(days=1)).isoformat()
                span = (start + m.start(), entity.end)
                offer(entity.watch, _Verdict(Signal.DATED, (value,), False, span, index))
                break
    return verdicts


def _previous_dates(ctx: _Context, index: int) -> list[DateMention]:
    previous = ctx.sentences[index - 1]
    if previous.passage != ctx.sentences[index].passage and index != 1:
        return []
    body = ctx.text[previous.start : previous.end]
    return [
        DateMention(d.start + previous.start, d.end + previous.start, d.value, d.text)
        for d in find_dates(body, ctx.reference)
    ][-1:]


def _find_cues(body: str, offset: int) -> list[_Cue]:
    found: list[_Cue] = []
    for cue_set in _CUE_SETS:
        for m in cue_set.pattern.finditer(body):
            found.append(
                _Cue(
                    cue_set.kind, cue_set.tense, cue_set.side, offset + m.start(), offset + m.end()
                )
            )
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[_Cue] = []
    for cue in found:
        if kept and cue.start < kept[-1].end:
            continue
        kept.append(cue)
    return kept


def _entities(
    text: str, start: int, end: int, own: Sequence[Match], dates: Sequence[DateMention]
) -> list[_Entity]:
    taken = [(m.start, m.end) for m in own] + [(d.start, d.end) for d in dates]
    result: list[_Entity] = []
    for match in own:
        before = text[max(start, match.start - 40) : match.start]
        result.append(
            _Entity(match.start, match.end, match.watch, compared=bool(_COMPARED.search(before)))
        )
    body = text[start:end]
    for pattern, anaphor in ((_OTHER_NAME, False), (_ANAPHOR, True)):
        for m in pattern.finditer(body):
            s, e = start + m.start(), start + m.end()
            if any(s < te and ts < e for ts, te in taken):
                continue
            if (
                anaphor
                and m[0][:1].isupper()
                and m[0] in ("Es", "Er", "Sie", "Die", "Dit", "Het", "Deze")
            ) and m.start() != 0:
                continue
            taken.append((s, e))
            result.append(_Entity(s, e, None, anaphor=anaphor))
    result.sort(key=lambda e: e.start)
    return result


def _clauses(body: str, offset: int) -> list[tuple[int, int]]:
    breaks = list(_CLAUSE_BREAK.finditer(body))
    if len([b for b in breaks if _DASH.fullmatch(b[0])]) >= 2:
        breaks = [b for b in breaks if not _DASH.fullmatch(b[0])]
    result: list[tuple[int, int]] = []
    cursor = 0
    for b in breaks:
        result.append((offset + cursor, offset + b.start()))
        cursor = b.end()
    result.append((offset + cursor, offset + len(body)))
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


def _targets(
    ctx: _Context,
    index: int,
    cue: _Cue,
    entities: Sequence[_Entity],
    clauses: Sequence[tuple[int, int]],
    dates: Sequence[DateMention],
) -> list[str]:
    """The watches a cue is about: the nearest thing on its side, within its clause."""
    text = ctx.text
    clause = _clause_of(clauses, cue.start)
    after = [e for e in entities if e.start >= cue.end and e.start <= clause[1]]
    before = [e for e in reversed(entities) if e.end <= cue.start and e.start >= clause[0]]

    def first_after() -> tuple[int, _Entity] | None:
        for e in after:
            gap = _without_dates(text, cue.end, e.start, dates)
            if len(gap.strip()) > _WINDOW or _AFTER_BLOCK.search(gap):
                return None
            return (len(gap.strip()), e)
        return None

    def first_before() -> tuple[int, _Entity] | None:
        for e in before:
            gap = _without_dates(text, e.end, cue.start, dates)
            if len(gap.strip()) > _BEFORE_WINDOW or _BEFORE_BLOCK.search(gap):
                return None
            return (len(gap.strip()), e)
        return None

    a, b = first_after(), first_before()
    if cue.side == "after":
        pick = a or b
    elif cue.side == "before":
        pick = b or a
    else:
        pick = min((x for x in (a, b) if x), key=lambda x: x[0], default=None)
    if pick is None:
        return []
    chosen = [pick[1]]
    # "MAI-Voice-1 and MAI-1-preview": a cue for one is a cue for the list.
    position = entities.index(pick[1])
    for step in (1, -1):
        j = position + step
        while 0 <= j < len(entities):
            left, right = sorted((entities[j - step], entities[j]), key=lambda e: e.start)
            gap = text[left.end : right.start]
            if not re.fullmatch(
                r"\s*(?:,|,?\s*(?:and|et|y|und|en|&|or|ou|o|oder|of))\s*(?:the\s+)?", gap, _F
            ):
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


def _negated(text: str, clause: tuple[int, int], cue: _Cue) -> bool:
    window_start = max(clause[0], cue.start - 40)
    segment = text[window_start : cue.start]
    comma = max(segment.rfind(","), segment.rfind("("))
    if comma >= 0:
        segment = segment[comma + 1 :]
    cleaned = _NOT_NEGATION.sub(" ", segment)
    if _NEGATION.search(cleaned):
        return True
    after = _NOT_NEGATION.sub(" ", text[cue.end : min(clause[1], cue.end + 12)])
    return bool(re.match(r"\s*(?:pas|nicht|niet|not)\b", after, _F))


def _dates_for(
    text: str,
    cue: _Cue,
    clause: tuple[int, int],
    dates: Sequence[DateMention],
    cues: Sequence[_Cue],
    entities: Sequence[_Entity],
) -> list[DateMention]:
    result: list[DateMention] = []
    for mention in dates:
        if not clause[0] <= mention.start < clause[1]:
            continue
        if _NOT_RELEASE_DATE.search(text[max(clause[0], mention.start - 40) : mention.start]):
            continue
        # Another product named between this cue and the date claims it ("GPT-4 ... 2023").
        lo, hi = (
            sorted((cue.end, mention.start))
            if mention.start >= cue.end
            else sorted((mention.end, cue.start))
        )
        if any(
            e.watch is None and not e.anaphor and lo <= e.start and e.end <= hi for e in entities
        ):
            continue
        result.append(mention)
    return result


def _future(ctx: _Context, value: str) -> bool:
    """Whether a date value lies after the reference (unknown reference: assume so)."""
    if not ctx.known_reference:
        return True
    return _value_start(value) > ctx.reference


def _past_or_today(ctx: _Context, value: str) -> bool:
    return _value_end(value) <= ctx.reference


def _value_start(value: str) -> date:
    first = value.split("/")[0]
    return _bounds(first)[0]


def _value_end(value: str) -> date:
    last = value.split("/")[-1]
    return _bounds(last)[1]


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
            nxt = date(year + month // 12, month % 12 + 1, 1)
            return first, nxt - timedelta(days=1)
        if m := re.fullmatch(r"(\d{4})-(\w+)", value):
            year = int(m[1])
            lo, hi = _WINDOW_MONTHS[m[2]]
            first = date(year, lo, 1)
            end_year, end_month = year + (hi - 1) // 12, (hi - 1) % 12 + 1
            nxt = date(end_year + end_month // 12, end_month % 12 + 1, 1)
            return first, nxt - timedelta(days=1)
        year = int(value[:4])
        return date(year, 1, 1), date(year, 12, 31)
    except (ValueError, KeyError):
        return date.min, date.max


def _decide(
    ctx: _Context, cue: _Cue, clause: tuple[int, int], dates: Sequence[DateMention]
) -> _Verdict | None:
    text = ctx.text
    lead = text[max(clause[0], cue.start - 45) : cue.start]
    tense = cue.tense
    if tense == "past" and _PASSIVE_FUTURE.search(lead):
        tense = "future"  # "will be released", "sera lancé"
    if tense == "" and _VERB_FINAL_FUTURE.search(text, clause[0], cue.start):
        tense = "future"  # "wird ... GPT-5 der Welt vorstellen": the auxiliary comes first
    if tense != "future" and _FUTURE_AUX.search(lead) and cue.kind in (RELEASE, EVENT):
        aux = list(_FUTURE_AUX.finditer(lead))[-1]
        between = lead[aux.end() :]
        if not re.search(r"[,.;]", between) and tense != "past":
            tense = "future"
    clause_text = text[clause[0] : clause[1]]
    hedged = bool(_HEDGE.search(clause_text)) or bool(_MODAL.search(lead))
    now = bool(_NOW.search(_NOT_NOW.sub(" ", clause_text)))
    values = tuple(dict.fromkeys(d.value for d in dates))
    future_values = tuple(v for v in values if _future(ctx, v))
    past_values = tuple(v for v in values if ctx.known_reference and _past_or_today(ctx, v))
    scheduled = any(c.kind in (SCHEDULE, UPCOMING) for c in _find_cues(clause_text, clause[0]))

    if cue.kind == RUMOR:
        return _Verdict(Signal.DATED if future_values else Signal.RUMOR, future_values, True)
    if cue.kind == DEVELOP:
        return _Verdict(Signal.RUMOR, (), hedged)
    if cue.kind in (SCHEDULE, UPCOMING):
        if future_values:
            return _Verdict(Signal.DATED, future_values, hedged)
        return _Verdict(Signal.RUMOR, (), hedged)
    # release and event cues
    if tense == "past":
        return _Verdict(Signal.RELEASED, values, hedged)
    if tense == "future":
        if future_values or (values and not ctx.known_reference):
            return _Verdict(Signal.DATED, future_values or values, hedged)
        if values:
            return _Verdict(Signal.DATED, values, hedged)
        return _Verdict(Signal.RUMOR, (), hedged)
    if tense == "present":
        if future_values and (ctx.known_reference or cue.kind == EVENT):
            return _Verdict(Signal.DATED, future_values, hedged)
        if _MODAL.search(lead) and not now:
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
    cue: _Cue,
    dates: Sequence[DateMention],
    entities: Sequence[_Entity],
    watch: str,
) -> tuple[int, int]:
    """The comma-delimited stretch of the clause that holds the cue, the name and the dates."""
    points = [cue.start, cue.end]
    for d in dates:
        points += [d.start, d.end]
    named = [e for e in entities if e.watch == watch and clause[0] <= e.start < clause[1]]
    if named:
        nearest = min(named, key=lambda e: abs(e.start - cue.start))
        points += [nearest.start, nearest.end]
    lo, hi = min(points), max(points)
    left = max(text.rfind(",", clause[0], lo), text.rfind("(", clause[0], lo))
    lo = left + 1 if left >= 0 else clause[0]
    right_candidates = [
        i for i in (text.find(",", hi, clause[1]), text.find(")", hi, clause[1])) if i >= 0
    ]
    hi = min(right_candidates) if right_candidates else clause[1]
    return (lo, hi)


def _clean(text: str, span: tuple[int, int]) -> str:
    snippet = " ".join(text[span[0] : span[1]].split())
    return snippet.strip(" ,;:—–-").rstrip(".")
