"""Patterns that tie cues, dates and names together (on lower-cased text unless said)."""

from __future__ import annotations

import re

# Dates that belong to money, founding or a starting point are never a release date.
NOT_RELEASE_DATE = re.compile(
    r"(?:[$€£]\s?\d|\d\s?(?:[$€£]|dollars|euros|million|billion|milliards?|millions|"
    r"millones|millionen|milliarden|miljoen|miljard)|\b(?:founded|established|"
    r"incorporated|raised|valued|acquired|since|fondée?|créée?|depuis|levé|gegründet|"
    r"seit|fundada|desde|opgericht|sinds|born|née?)\b)[^.;]{0,25}$"
)
# A byline opening a line: "Publicado el 04/08/2025 por ...", "Published on May 5, 2025".
_BYLINE_WORDS = (
    r"(?:published|posted|updated|last updated|publié|mis à jour|publicado|actualizado|"
    r"atualizado|veröffentlicht|aktualisiert|pubblicato|aggiornato)"
    r"(?: on| le| el| em| am| il)?[ \t]*:?[ \t]*"
)
BYLINE = re.compile(r"(?:^|\n|[.!?] )[ \t]*" + _BYLINE_WORDS + "$")  # before a date
BYLINE_WORDS = re.compile(_BYLINE_WORDS)  # from the cue to the date
# A date a delay replaced ("originally set for May 26", "der bisherige Termin", "instead of
# autumn"): the watch's date is the new one (SPEC: a delay keeps only the new date).
SUPERSEDED = re.compile(
    r"\b(?:originally|initially|previously|formerly|at first|instead of|rather than|"
    r"bisherigen?|bisheriger|ursprünglich\w*|zunächst|anstatt|statt|initialement|"
    r"à l'origine|précédemment|auparavant|au lieu de|originalmente|inicialmente|"
    r"anteriormente|en lugar de|en vez de|originariamente|inizialmente|precedentemente|"
    r"invece di|anziché|em vez de|ao invés de)\b[^.;:]{0,50}$"
)
# The same words opening a sentence ("Initially, the studio had said X would come out in
# the first half of 2023"): the whole sentence, up to a "but", tells the superseded plan.
SUPERSEDED_OPENING = re.compile(
    r"\W*(?:originally|initially|at first|initialement|à l'origine|au départ|ursprünglich|"
    r"zunächst|originalmente|inicialmente|originariamente|inizialmente)\b"
    r"(?:(?!\b(?:but|mais|pero|aber|ma|mas|now|désormais|ahora|jetzt|ora|agora)\b)[^;])*$"
)
# "vient de lancer", "acaba de anunciar", "acabou de lançar", "ha appena": a verb of the
# recent past before an infinitive.
JUST_DONE = re.compile(
    r"\b(?:vien(?:t|nent) d|venait d|venaient d|acaba(?:n|m)? de|acabó de|acabou de|"
    r"acabaram de|acabaron de|ha(?:nno)? appena|hat gerade|haben gerade|has just|have just)"
    r"(?:e |')?\s*$"
)
# Articles and possessive determiners of the supported languages, one list for every
# pattern that lets one stand before a noun or a name.
DETERMINER = (
    r"(?:the|its|their|a|an|la|le|les|l'|sa|ses|leur|el|los|las|su|sus|die|der|den|das|"
    r"dem|ihr|ihre|seine?n?|il|lo|gli|i|o|os|as|sua|suas)"
)
# A title that names its genre a review, at its start or end or set off by ":", "|" or ","
# ("X Review", "Review: X", "Test du X", "X im Test", "Análisis | X", "X, análisis").
_REVIEW_WORD = (
    r"(?:review|hands-on|critique|im test|test(?= du | de la | des )|testbericht|análisis|"
    r"reseña|recensione|análise)"
)
REVIEW_TITLE = re.compile(
    rf"^\W*{_REVIEW_WORD}(?![\w-])|(?<![\w-]){_REVIEW_WORD}\W*$|"
    rf"(?<![\w-]){_REVIEW_WORD}\s*[:|]|[:|,]\s*{_REVIEW_WORD}(?![\w-])"
)
# Hard clause boundaries besides BREAK words; spaced dashes only when unpaired.
PUNCTUATION_BREAK = re.compile(r";|\s[—–-]\s|—")
DASH = re.compile(r"\s[—–-]\s|—")
# Names of other things (on the text as written): a capitalised word, or one whose capital
# follows a short lower-case prefix ("iPhone 17e", "macOS 16"), with a version number
# ("GPT-6", "Kimi K2", "Windows 11", "MAI-Voice-1"); they take cues from the watch.
# The second form is letters ending in a capital, or letters, "-" and a capital, then digits
# ("xA100", "pro-X2"); the letters are taken at once ("*+"), not given back one by one.
OTHER_NAME = re.compile(
    r"(?<![\w-])(?:(?:[A-Z]|[a-z]{1,6}(?=[A-Z]))[\w.]*(?:-[\w.]+)*[- ]?\d+(?:\.\d+)*[a-z]*(?:-\w+)*"
    r"|[A-Za-z]*+(?:(?<=[A-Z])|-[A-Z])\d+|I/O)(?![\w-])"
)
# Every name OTHER_NAME finds holds a digit, or is "I/O".
NAME_HINT = re.compile(r"\d|I/O")
# Words standing for the watch: pronouns, and generic nouns for models and events.
PRONOUNS = frozenset({"it", "elle", "il", "celle", "celui"})
SENTENCE_PRONOUNS = frozenset({"Es", "Er", "Sie", "Die", "Dit", "Het", "Deze"})
# Nouns of an event ("the conference", "l'événement"): they stand for a watch that is one.
EVENT_NOUNS = ("conference", "conférence", "conferencia", "konferenz", "conferentie", "event",
               "événement", "evento", "veranstaltung", "evenement")  # fmt: skip
GENERIC_NOUNS = (
    "model", "models", "modèle", "modèles", "modelo", "modelos", "modell", "modelle", "llm",
    "chatbot", *EVENT_NOUNS,
)  # fmt: skip


# Generic nouns for products, matched as whole words ("phone", not "iPhone"). Unlike the
# nouns above they do not make a whole passage worth reading (ANAPHORIC), only the
# sentences next to one naming the watch ("... Switch 2 preorders ... The console launches").
PRODUCT_NOUNS = frozenset(
    {
        "device", "console", "handset", "smartphone", "phone", "game", "headset", "laptop",
        "tablet", "appareil", "jeu", "téléphone", "gerät", "konsole", "spiel", "consola",
        "juego", "dispositivo", "gioco", "jogo", "aparelho", "telefono", "teléfono",
    }
)  # fmt: skip


# A watch is an event when a name carries a year ("CES 2026") or an event noun sits by it.
EVENT_BESIDE = re.compile(
    r"(?<![\w-])(?:conference|conférence|conferencia|conferenza|conferência|konferenz|"
    r"entwicklerkonferenz|event|événement|evento|veranstaltung|keynote|summit|expo|show|"
    r"salon|messe|fair|feria|fiera|feira|developer conference|showcase|direct)(?![\w-])"
)


def stands_in(word: str) -> bool:
    """Whether a lower-cased word may stand for a watch: a pronoun or a generic noun."""
    return word in PRONOUNS or word in PRODUCT_NOUNS or word.endswith(GENERIC_NOUNS)


# A sentence that may speak of the watch without naming it (read only when it does).
# Whether a sentence read holds a stand-in is told by the cue pass (``reading._may_refer``).
ANAPHORIC_START = re.compile(
    r"\W*(?:it|this|they|elle|il|celle|celui|es|er|sie|die|dit|het|deze|ce|cette)\b"
)
ANAPHORIC = re.compile(
    r"model|modèle|modell|llm|chatbot|conf[ée]ren|konferenz|event|événement|evento|"
    r"veranstaltung"
)
COMPARED = re.compile(
    r"(?:than|outperforms?|outperformed|outperforming|beats?|rivals?|rivaling|rivalling|"
    r"like|unlike|versus|vs\.?|compared (?:to|with)|after|forget|over|successor (?:to|of)|"
    r"que|comme|contrairement à|plutôt que|face à|como|frente a|wie|als|gegenüber|dan|"
    r"zoals|après|avant|before|beyond|surpass\w*|take on|rivaliz\w+|concurrencer|"
    r"rivaliser avec)\s+(?:the |an? |l'|le |la |une? |el |den |de |het )?(?:\w+'s\s+)?$"
)
# "after GPT-5 launch", "avant la sortie de...": a name before its own launch noun is a point in
# time, not a thing compared (see COMPARED), so the noun's cue stays tied to it.
OWN_LAUNCH = re.compile(
    r"(?:'s)?\s+(?:launch|release|debut|rollout|roll-out|unveiling|lancement|sortie)\b"
)
# A name after "on", "to", "for" or "by" is where or with what something else arrives ("Hades 2
# arrives on Switch 2 in May", "brings Fortnite to Switch 2", "powered by Snapdragon"): a
# platform or component, not the thing released. "on"/"sur" alone also keep a date after it
# from being the name's own ("... on the Switch 2 next month").
_ARTICLE_BEFORE_NAME = r"\s+(?:the\s+|an?\s+|la\s+|le\s+|l'|une?\s+)?$"
DESTINATION = re.compile(
    r"(?<![\w-])(?:to|onto|on|sur|à|for|pour|by|"
    # "together with": what the thing comes with, not the thing
    r"alongside|along with|together with|aux côtés de|junto (?:a|con|com)|assieme a|"
    r"insieme a|zusammen mit)" + _ARTICLE_BEFORE_NAME
)
DESTINATION_ON = re.compile(r"(?<![\w-])(?:onto|on|sur)" + _ARTICLE_BEFORE_NAME)
# "Two years after the GPT-4 launch": long gone, background rather than news.
LONG_AGO = re.compile(
    r"(?:years?|decades?|ans|années)\s+(?:after|since|following|après|depuis)\s+[^.;]*$"
)
# A launch noun named as a reference point gone by: "after GPT-5 launch", "since its release",
# "following the launch of", "depuis le lancement de", "post-launch" (up to three words
# between, on the text just before the noun).
PAST_REFERENCE = re.compile(
    r"(?<![\w-])(?:after|since|following|post-|après|depuis|suite à|dopo|desde|nach|seit)"
    r"(?:\s+|(?<=-))(?:[\w.'-]+\s+){0,3}$"
)
# "..., which it began in 2024": an event verb whose subject is an agent and whose object is
# the relative pronoun before it tells what was begun (the work), not that the thing began.
RELATIVE_OBJECT = re.compile(
    r"(?<![\w-])(?:which|that|qu'|que)\s*(?:it|they|we|he|she|il|elle|ils|elles|on)\s+"
    r"(?:(?:has|have|had|only|first|already|a|ont|avait)\s+)?$"
)
# A verb right after a name: the name is the subject of a clause of its own ("announces X is
# in development"), which, not the verb before it, says what happens to X.
CLAUSE_VERB = re.compile(
    r"(?:'s)?\s+(?:is|are|was|were|will|won't|would|could|should|may|might|can|has|have|had|"
    r"isn't|wasn't|hasn't|est|sera|serait|va|a été|n'est)(?![\w'-])"
)
# Plans in a clause: "after X launch" there is what the plan waits for, not what happened.
PLANNED = re.compile(
    r"(?<![\w-])(?:plans?|planning|planned|prepar\w*|prépar\w*|coming|expected|will|"
    r"to be|set to|intends?|aims?|pr[ée]vu\w*|va|vont)(?![\w-])"
)
AFTER_BLOCK = re.compile(
    r"(?<![\w-])(?:for|about|than|with|without|after|like|unlike|versus|vs|against|into|"
    r"that|whether|if|at|in|on|ahead|from|during|over|under|by|using|via|pour|sur|avec|"
    r"contre|que|qu'|"
    r"si|dans|chez|lors|pendant|aux?|para|con|contra|durante|sobre|für|mit|gegen|als|dass|"
    r"ob|auf|bei|während|voor|met|tegen|dan|dat|tijdens|bij|"
    # "after", "like", "without" and "with" in the other languages
    r"après|después|nach|dopo|depois|comme|como|wie|come|sans|sin|ohne|senza|sem|com)(?![\w-])"
    r"|(?<=\w)\s+(?:of|de|d'|du|des|von|van|del)(?![\w-])"
)
# A name followed by the noun it qualifies ("Switch 2 accessories", "a GPT-6 rival", "PS6 dev
# kits"): what a cue tells is about that noun's thing, not the watch.
MODIFIER_OF = re.compile(
    r"(?:'s)?(?:\s+(?:19|20)\d\d)?\s+(?:accessor(?:y|ies)|cases?|controllers?|docks?|chargers?|skins?|games?|"
    r"wallpapers?|dev ?kits?|devkits?|emulators?|ads?|campaigns?|commercials?|trailers?|"
    r"teasers?|bande-annonce|mods?|rivals?|competitors?|alternatives?|clones?|killers?|"
    r"knock-?offs?|wrappers?|plug-?ins?|extensions?|integrations?|concurrents?|components?|"
    r"parts|prototypes?|units|features?|panels|samples|buyers|users|owners|customers|"
    r"subscribers|players|fans|price|prices|pricing|registrations?|tickets|leaks?|rumou?rs?|"
    r"renders?|images|photos|pictures|screenshots?)(?![\w-])"
)
# "access to", "upgrade to", "switch to": the name after is what one gets, not a platform.
NOT_DESTINATION = re.compile(
    r"(?:access|upgrade|upgrades|update|updates|switch|switches|migrate|migration|move|"
    r"transition|path|accès|passage)\s+(?:to|onto|à)\s+(?:the\s+|la\s+|le\s+|l')?$"
)
BEFORE_BLOCK = re.compile(
    r"(?<![\w-])(?:than|like|unlike|versus|vs|que|como|als|wie|dan|whether|if)(?![\w-])"
)
ADJACENT_GAP = re.compile(
    r"[\s,(:–-]*(?:(?:on|op|le|am|el|the|at|à|au|lors de|during|in|en|de|du|van|vom|"
    r"from|la|its|sa|son|conférence|conference|developer|developers|annual|annuelle|"
    r"\d{4}|\w+'s|event|evento|konferenz|conferentie|ontwikkelaarsconferentie|"
    r"développeurs|des développeurs|scheduled for|is|are|will be|est|sera|ist|es|será|"
    r"wordt|set for)[\s,]*)*"
)
YEAR_AFTER = re.compile(r"\s+((?:19|20)\d{2})\b")
# "Microsoft announces X" is released, unless the item gives X a later date.
ANNOUNCE = re.compile(
    r"(?:a |ont )?(?:announc|annonc|anunci|angekündigt|kündigt|kondig|unveil|dévoil|introduc)"
)
PASSIVE_FUTURE = re.compile(
    r"\b(?:will|'ll|shall|going to|to|could|might|may|would|should|sera|seront|serait|"
    r"seraient|être|"
    r"sarà|saranno|verrà|verranno|será|serão|"
    r"será|serán|ser|wird|werden|zal|zullen|worden)\s+(?:\w+\s+)?(?:be\s+|get\s+)?$"
)
# German puts the participle last: "wird am Dienstag ... veröffentlicht" (will be published).
VERB_LAST_FUTURE = re.compile(r"\b(?:wird|werden)\b(?:[^.;:!?]|(?<=\d)\.){0,120}$")  # "am 20. Mai"
# Same-length replacements, so spans still index the caller's text.
# "open source", "open-weight": one adjective, not the event verb "open" nor a "source"; joined
# by a modifier letter (U+02BC, the same length), they read as one word.
OPEN_COMPOUND = re.compile(r"\b(open)[ -](source|weights?)\b", re.IGNORECASE)
TYPOGRAPHY = (("’", "'"), ("‘", "'"), ("‑", "-"), ("‐", "-"), ("\u00a0", " "), ("\u202f", " "))
WINDOW = 70  # characters between a cue and the thing after it
BEFORE_WINDOW = 50  # ... and the thing before it


# A release word inside a description of the thing, not an event: a superlative noun phrase
# just before it ("the largest model Microsoft has deployed", "le plus grand modèle déployé
# par", "the fastest PCs ever built", "el modelo más potente lanzado"). Per language, the
# superlative's form; the release word follows within four words.
_SUPERLATIVES = (
    r"\b(?:the|its|their|our|his|her) (?:[\w-]+ )?(?:most [\w-]+|[\w-]+est|best|worst)",
    r"\b(?:le|la|les|du|des) (?:[\w-]+ )?plus [\w-]+",
    r"\b(?:el|la|los|las|del) (?:[\w-]+ )?más [\w-]+",
    r"\b(?:il|la|lo|i|gli|le|del|della) (?:[\w-]+ )?più [\w-]+",
    r"\b(?:o|a|os|as|do|da) (?:[\w-]+ )?mais [\w-]+",
    r"\b(?:der|die|das|den|dem|des) (?:[\w-]+ )?(?:[\w-]+ste[nmrs]?|meisten)",
)
_SUPERLATIVE = "|".join(_SUPERLATIVES)
# Or what the thing is: a copula and an indefinite noun phrase ("X is a large language model
# developed by Y", "X est un modèle conçu par", "X ist ein Modell, das von ... entwickelt").
_DEFINITION = (
    r"\b(?:is|was|are|est|es|ist|war|è|é) (?:a|an|un|une|una|uno|ein|eine|einen|um|uma)"
    r"(?: [\w'’-]+){0,5},?"
)
DESCRIBED = re.compile(
    rf"(?:(?:{_SUPERLATIVE})(?: [\w'’-]+){{0,4}}|\b(?:ever|jamais|jemals|nunca|mai)"
    rf"|{_DEFINITION}) $"
)

# A name right after one of these is where, for what or with what something else arrives
# ("arrives on Switch 2 in May", "sort sur PS5", "powered by Vela Chip 8"), not the subject
# a date next to it belongs to.
OBLIQUE = re.compile(
    r"\b(?:on|onto|to|for|by|using|via|with|sur|pour|par|avec|para|con|auf|für|mit|per|su|"
    r"em|no|na|com)"
    r"(?: (?:the|la|le|les|el|il|lo|a|o|die|der|das))? $"
)

# A perfect or passive auxiliary before a participle makes it past: right before it in the
# Romance languages ("ha comenzado", "è stato rilasciato", "foi lançado"), anywhere before
# it in its German clause, which puts the participle last ("hat ... begonnen").
PERFECT = re.compile(
    r"\b(?:ha|han|había|habían|hanno|aveva|è|sono|era|stato|stata|stati|tem|têm|tinha|foi|"
    r"foram|sido)(?: [\w-]+)? $"
)
PERFECT_VERB_LAST = re.compile(r"\b(?:hat|haben|hatte|hatten|ist|sind|war|waren|wurde|wurden)\b")

# What lies between a verb and the noun it takes as its object: an article, maybe an
# adjective ("announced the official launch of", "anunció el lanzamiento de").
NOUN_OBJECT = re.compile(
    r" (?:the|its|their|a|an|le|la|l'|les|son|sa|el|lo|los|su|il|i|gli|o|os|seu|sua|den|die|"
    r"das|der|seinen|ihren)(?: [\w-]+)? ?"
)
# ... whose complement is the thing: "the launch of X", "le lancement de", "il lancio di"
# (not "a launch event for X", where the launch qualifies the event).
OF_THING = re.compile(r" (?:of|de|du|des|d'|del|de la|di|della|dello|von|vom|der|do|da|dos|das) ")
# "available since April 29", "disponible depuis le 29 avril": right after a release word,
# "since" gives the release date itself (elsewhere it is a founding or a history date).
SINCE_RELEASE = re.compile(
    r" (?:since|from|depuis|dès|seit|ab|desde|dal|dalla|dallo|a partir de|à partir de)"
    r"(?: (?:the|le|la|l'|el|dem|den|il|o|a))? ?"
)
