"""The cue words, by kind, tense and side, in English and French first."""

from __future__ import annotations

from monitor.signals.lexicon import (
    AUX,
    BREAK,
    CANCEL,
    CONDITION,
    DENIAL,
    DEVELOP,
    EVE,
    EVENT,
    FEATURE,
    HABITUAL,
    HEDGE,
    MODAL,
    NEGATION,
    NOT_NEGATION,
    NOT_NOW,
    NOW,
    PRELIMINARY,
    RELEASE,
    RUMOR,
    SCHEDULE,
    SOURCE,
    THEN,
    UPCOMING,
    VERB_FINAL,
    Lexicon,
)
from monitor.signals.patterns import stands_in
from monitor.signals.tables import add_tables

LEXICON = Lexicon(stands_in=stands_in)
# What a launch is moved to: a month, season, year or window ("to August", "to next year").
_WHEN = (
    r"(?:(?:the|a|an|its) )?(?:early|mid|late|end|start|beginning|next|later|first|second|"
    r"[12]\d{3}|q[1-4]|h[12]|spring|summer|fall|autumn|winter|january|february|march|april|"
    r"may|june|july|august|september|october|november|december)\b"
)  # the word pass also finds "it", "the model"...

# fmt: off
# released / happening: verbs tied to their object
LEXICON.add(
    RELEASE, "past", "after",
    r"launched", r"released", r"shipped", r"rolled out", r"unveiled", r"debuted",
    r"introduced", r"announced", r"unleashed", r"open-sourced", r"previewed",
    r"seeded(?=(?: [\w.-]+){0,4} (?:betas?|builds?|release candidates?|to developers))",
    r"showed off", r"shown off", r"presented", r"dropped", r"deployed", r"made available",
    r"a (?:lancé|dévoilé|présenté|annoncé|déployé|publié|mis en ligne|sorti|ouvert)",
    r"ont (?:lancé|dévoilé|présenté|annoncé|déployé|publié)", r"lancée?s?",
    r"dévoilée?s?", r"présentée?s?", r"déployée?s?",
    r"lanzó", r"presentó", r"anunció", r"estrenó", r"liberó", r"ha lanzado",
    r"ha presentado", r"lanzad[oa]", r"veröffentlichte", r"veröffentlicht",
    r"vorgestellt", r"stellte", r"enthüllte", r"enthüllt", r"startete", r"gestartet",
    r"(?:began|started) (?:rolling out|shipping|deploying|releasing)",
    r"herausgebracht", r"lancierte", r"gelanceerd", r"uitgebracht", r"onthulde",
    r"onthuld", r"gepresenteerd", r"geïntroduceerd",
)
LEXICON.add(
    RELEASE, "present", "after",
    r"launches", r"releases", r"ships", r"rolls out", r"unveils", r"debuts",
    r"introduces", r"announces", r"unleashes", r"previews", r"brings", r"deploys",
    r"shows off", r"open-sources", r"open sources", r"gets", r"get",
    r"seeds(?=(?: [\w.-]+){0,4} (?:betas?|builds?|release candidates?|to developers))",
    r"can now (?:download|install|try|use|get|buy|order|access|play|stream|upgrade)",
    # "ya puedes comprar", "já pode ser comprado", "on peut désormais acheter"
    r"ya (?:puedes|se puede|pueden|podéis) (?:comprar|descargar|probar|reservar|jugar)",
    r"já (?:pode|podem|é possível) (?:ser )?(?:comprad[oa]s?|baixad[oa]s?|comprar|baixar)",
    r"(?:peut|pouvez|peuvent) (?:désormais|dès maintenant|maintenant) (?:acheter|télécharger|"
    r"essayer|commander)",
    r"(?:si può|puoi|potete) già (?:acquistare|comprare|scaricare|provare)",
    r"drops", r"(?:is|are) (?:now |finally |officially |already |also |gradually |quietly |"
    r"widely )?(?:launching|releasing|rolling out|shipping|unveiling|introducing|deploying|"
    r"bringing)",
    r"(?:begins|starts) (?:rolling out|shipping|deploying|releasing)", r"now rolling out",
    r"shipping (?:starts|starting|begins|beginning)", r"(?:hits|in) stores (?:on|from)",
    r"rolling out now", r"lance(?:nt)?", r"dévoile(?:nt)?",
    r"présente(?:nt)?", r"annonce(?:nt)?", r"déploie(?:nt)?", r"publie(?:nt)?",
    r"lanza(?:n)?", r"presenta(?:n)?", r"anuncia(?:n)?", r"estrena(?:n)?",
    r"se lanza", r"veröffentlicht", r"stellt", r"enthüllt", r"startet", r"bringt",
    r"lanceert", r"brengt", r"onthult", r"presenteert", r"introduceert",
    r"发布了?", r"推出了?", r"上线", r"出시", r"출시", r"공개", r"発表", r"公開",
)
LEXICON.add(
    RELEASE, "future", "after",
    r"(?:lanc|dévoil|présent|publi|arriv|débarqu)(?:era|eront|erait|eraient)",
    r"(?:sort|ouvr)(?:ira|iront|irait|iraient)", r"déploiera(?:it)?", r"déploieront",
    r"(?:lanz|present|public|estren|lleg)(?:ará|arán|aría|arían)",
    r"(?:lanc|rilasc|present)(?:erà|eranno)",
)
LEXICON.add(
    RELEASE, "", "after",
    r"launch", r"release", r"ship", r"roll out", r"unveil", r"debut", r"introduce",
    r"preview", r"rollout", r"roll-out", r"arrival", r"unveiling", r"premiere",
    r"lancer", r"arriver", r"débarquer", r"dévoiler", r"présenter", r"sortir", r"déployer", r"sortie",
    r"lancement", r"arrivée", r"aperçu", r"présentation", r"lanzar", r"presentar",
    r"lanzamiento", r"llegada", r"estreno", r"presentación", r"veröffentlichen",
    r"vorstellen", r"Veröffentlichung", r"Vorstellung", r"Marktstart", r"Start",
    r"lanceren", r"uitbrengen", r"lancering", r"introductie", r"komst",
    r"発売", r"発売日", r"출시일",
)
# "will be out", "should be ready": the words before it give the tense.
LEXICON.add(
    RELEASE, "", "before",
    r"be (?:out|available|here|ready|finished|completed)", r"fertig(?:gestellt)? sein",
    r"hit (?:store |retail )?(?:shelves|stores)",
)
LEXICON.add(
    RELEASE, "past", "before",
    r"(?:has |have )?(?:appeared|emerged|surfaced|arrived|landed|disappeared|vanished)",
    r"(?:showed|shown|popped|turned) up", r"went live", r"came out", r"went on sale",
    r"reached (?:stable|general availability|ga)",
    r"made (?:a|an|its|their) (?:\w+ ){0,3}(?:appearance|debut)",
    r"(?:est|sont) (?:apparue?s?|arrivée?s?|sortie?s?|disponibles?)",
    r"a (?:fait|faisait) son apparition", r"faisait son apparition", r"a débarqué",
    r"a disparu", r"apareció", r"llegó", r"ha llegado", r"erschien", r"ist erschienen",
    r"aufgetaucht", r"tauchte auf", r"ging an den start", r"gingen an den start", r"verscheen", r"is verschenen", r"opgedoken",
    r"등장", r"登场", r"亮相",
)
LEXICON.add(
    RELEASE, "present", "before",
    r"(?:is|are|s) (?:now |finally |officially |already )?(?:out|here|live|"
    r"available|back(?: online)?|online)", r"(?:now |generally )available",
    r"available (?:now|today|to (?:all|everyone|users|the public))", r"goes live",
    r"appears", r"appearing", r"emerges", r"arrives", r"lands", r"pops up", r"comes out",
    r"goes on sale", r"(?:is|are) (?:now )?on sale", r"est (?:en vente|commercialisée?)",
    r"hits (?:stable|shelves|stores|store shelves|retail shelves|general availability|ga)",
    r"reaches (?:stable|general availability|ga)",
    r"kommt", r"komt (?:\w+ ){0,4}uit", r"geht an den start", r"gehen an den start",
    r"sort(?= (?:le|en|ce|cet|cette|dès|aujourd'hui|demain|lundi|mardi|mercredi|jeudi"
    r"|vendredi|samedi|dimanche)\b)",
    r"shows up", r"est (?:désormais |enfin |officiellement |déjà )?(?:là|disponible|"
    r"en ligne|sorti)", r"disponible", r"arrive", r"débarque", r"apparaît",
    r"fait son apparition", r"(?:ya )?está disponible", r"llega", r"aparece",
    r"ya está aquí", r"ist da", r"verfügbar", r"erhältlich", r"zur Verfügung", r"erscheint",
    r"taucht auf", r"is er", r"beschikbaar", r"verschijnt", r"duikt op",
)
# events: happening or scheduled
LEXICON.add(
    EVENT, "past", "either",
    r"took place", r"kicked off", r"opened", r"began(?!\s+(?:to\b|\w+ing\b|(?:at|from) [$€£\d]))",
    r"wrapped up", r"(?:just )?occurred", r"concluded", r"came to a close",
    r"started(?!\s+(?:to\b|\w+ing\b|(?:at|from) [$€£\d]))", r"was held", r"(?:made|announced|unveiled|shown|revealed|presented|introduced) (?:at|during)",
    r"were held", r"held", r"hosted", r"s'est (?:tenue?|ouverte?)", r"a eu lieu",
    r"a débuté", r"a commencé", r"a ouvert", r"tuvo lugar", r"se celebró", r"arrancó",
    r"comenzó", r"fand statt", r"begann", r"eröffnete", r"vond plaats", r"begon",
)
LEXICON.add(
    EVENT, "present", "either",
    r"takes place", r"kicks off", r"opens", r"begins(?!\s+(?:to\b|\w+ing\b|(?:at|from) [$€£\d]))",
    r"starts(?!\s+(?:to\b|\w+ing\b|(?:at|from) [$€£\d]))", r"is held",
    r"(?:is|are) (?:underway|under way|happening|taking place|kicking off)",
    r"gets underway", r"hosts", r"se tient", r"a lieu", r"s'ouvre", r"débute",
    r"live ?blog", r"live coverage", r"live updates", r"en direct",
    r"commence", r"ouvre ses portes", r"tiene lugar", r"se celebra", r"arranca",
    r"comienza", r"empieza", r"findet statt", r"beginnt", r"eröffnet", r"vindt plaats",
    r"begint", r"(?:the )?first day of", r"day one of", r"premier jour de",
    r"première journée (?:du|de la|de l'|des)",
    # a headline's live coverage or day count: "CES 2026 Live: ...", "CES 2026 : Jour 1, ..."
    r"live(?=\s*[:|–—])", r"day (?:1|2|3|4|5|one|two|three)(?=\s*[:,|–—])",
    r"jour (?:1|2|3|4|5|un|deux|trois)(?=\s*[:,|–—])", r"tag (?:1|2|3|4|5)(?=\s*[:,|–—])",
    r"primer día de", r"erster Tag",
    r"(?:is|are) (?:now |officially |already )(?:underway|under way)", r"(?:is|are) hosting"
)
LEXICON.add(
    EVENT, "", "either",
    r"kick off", r"take place", r"be held", r"open", r"begin(?!\s+(?:to\b|\w+ing\b|(?:at|from) [$€£\d]))",
    r"start(?!\s+(?:to\b|\w+ing\b|(?:at|from) [$€£\d]))", r"host",
    r"se tiendra", r"aura lieu", r"s'ouvrira", r"débutera", r"commencera",
    r"tendrá lugar", r"se celebrará", r"comenzará", r"stattfinden", r"beginnen",
    r"plaatsvinden", r"keynote",
)
# scheduled: needs a date to be "dated"
LEXICON.add(
    SCHEDULE, "future", "either",
    r"scheduled", r"slated", r"set (?:for|to)", r"planned", r"plans? to", r"due",
    r"dates? announced", r"announce[sd]? (?:the |its )?dates?", r"annonce (?:les |la )?dates?",
    r"delay(?:s|ed)?", r"postpone[sd]?", r"push(?:es|ed)? back", r"retarde", r"retardé",
    r"repousse", r"repoussé", r"reporté", r"verschiebt", r"verschoben", r"retrasa",
    r"retrasado", r"aplaza", r"aplazado", r"uitgesteld",
    r"timed for", r"penciled in", r"pencilled in", r"targeting", r"expected",
    # "targets August for X": the cue reaches its "for", so X is the next thing after it
    r"target(?:s|ed|ing)? (?:[\w'-]+ ){1,3}for", r"eye(?:s|d|ing)? (?:[\w'-]+ ){1,3}for",
    r"targets", r"targeted",
    # "pushes X launch to August", "moved to 2026", not "moves production to Vietnam"
    rf"pushed (?:back )?(?:to|until|into)(?= {_WHEN})", rf"moved (?:back |up )?to(?= {_WHEN})",
    rf"push(?:es)?(?= (?:[\w-]+ ){{1,4}}(?:to|until|into) {_WHEN})",
    rf"move[sd]?(?= (?:[\w-]+ ){{1,4}}(?:to|until|into) {_WHEN})",
    r"slip(?:s|ped|ping)?", r"on (?:track|schedule|course) (?:for|to)", r"reporte",
    r"tipped", r"(?:release|launch|ship|shipping|availability) (?:date|timeline|window|schedule|timeframe)",
    r"(?:fenêtre|calendrier) de (?:sortie|lancement)", r"dates? (?:for|of)",
    r"programmée?s?", r"prévue?s?", r"attendue?s?", r"planifiée?s?",
    r"date de (?:sortie|lancement)", r"previst[oa]s?", r"programad[oa]s?",
    r"planead[oa]s?", r"esperad[oa]s?", r"fecha de (?:lanzamiento|salida)",
    r"geplant", r"erwartet", r"gepland", r"verwacht",
    r"预计", r"计划", r"将于", r"予定",
)
# under way: a rumor until it ships
LEXICON.add(
    DEVELOP, "present", "either",
    r"develop(?:s|ed|ing)?", r"working on", r"works on", r"(?:is |are )?training",
    r"trains", r"(?:is |are )?building", r"builds", r"creating", r"prepar(?:es|ing)",
    r"readying", r"gear(?:s|ing) up", r"in (?:the )?(?:process of )?(?:creating|"
    r"developing|building|training)", r"in development", r"under development",
    r"in the works", r"codenamed", r"project", r"développe(?:nt|ment)?",
    r"(?:began|begun|started|begins|starts) (?:mass )?production of",
    r"(?:commencé|démarré|lancé) la production (?:du|de la|de l'|des)",
    r"travaille(?:nt|rait)? sur", r"entraîne(?:nt|ment)?", r"prépare(?:nt)?",
    r"en (?:cours de )?(?:développement|préparation)", r"en chantier", r"projet",
    r"desarroll(?:a|an|ando|o)", r"trabaja(?:n|ndo)? en", r"entrena(?:n|ndo)?",
    r"prepara(?:n|ndo)?", r"proyecto", r"entwickel(?:t|n)", r"Entwicklung",
    r"arbeite(?:t|n) an", r"arbeiten", r"trainiert", r"Projekt", r"ontwikkel(?:t|en)",
    r"werk(?:t|en) aan", r"开发", r"研发", r"训练", r"開発",
)
LEXICON.add(
    UPCOMING, "future", "either",
    r"upcoming", r"forthcoming", r"teases", r"teased", r"teasing", r"tease", r"what to expect",
    r"à quoi s'attendre",
    r"(?:is|are|s) (?:reportedly |now |still |finally |officially |also )?coming", r"will arrive",
    r"next[- ]gen(?:eration)?", r"(?:highly |much[- ])?"
    r"anticipated", r"long[- ]awaited", r"imminente?s?", r"successor", r"any (?:minute|"
    r"day|time) now", r"coming soon", r"à venir", r"très attendue?", r"prochaine?",
    r"próxim[oa]", r"kommende[nrs]?", r"bevorstehende[nrs]?", r"künftige[nrs]?",
    r"aanstaande", r"即将", r"下一代",
)
LEXICON.add(
    RUMOR, "", "either",
    r"rumou?r(?:s|ed)?", r"rumeurs?", r"rumores?", r"Gerüchte?n?", r"geruchten?",
    r"leak(?:s|ed)?", r"fuites?", r"filtraci(?:ón|ones)", r"filtrad[oa]",
    r"speculation", r"speculating", r"spéculations?", r"especulaci(?:ón|ones)",
    r"Spekulation(?:en)?", r"speculaties?", r"传闻", r"传言", r"爆料",
    # "everything we know (so far)": what is said of a thing not out yet
    r"everything we know(?: so far)?(?: about)?",
    r"tout ce (?:que l'on|qu'on) sait(?: sur| de| du)?", r"ce que l'on sait(?: sur| de| du)?",
    # seen in pictures before its launch: "se dévoile en images", "shown in leaked renders"
    r"se (?:dévoile|montre|laisse voir) en (?:images|photos|vidéo|rendus?)",
    r"(?:revealed|shown|pictured|spotted|seen) in (?:leaked|purported|alleged) "
    r"(?:images|photos|renders?|videos?|hands-on video)",
    r"(?:shown|pictured|spotted|seen) in (?:new )?(?:images|photos|renders?)",
    r"(?:alleged|purported|leaked) (?:images|photos|pictures|renders?|specs|details|"
    r"screenshots?)",
    r"(?:a|ont|aurait|auraient) fuité", r"fuitent",
)

# what the thing will have ("iPhone 18 to get a 48MP telephoto, analyst claims"): a rumor
# about it when the clause is hedged or the item second-hand; no verdict otherwise
LEXICON.add(
    FEATURE, "future", "before",
    r"(?:to|will|could|may|might|would) (?:get|feature|adopt|ditch|sport|pack|gain|"
    r"lose|come with|switch to|use|offer|include|support|cost|add)",
    r"(?:aurait|auront|aura|pourrait|devrait) (?:droit à|un|une|des)",
)

# the thing's fate: a hedged report of it is a rumor ("reportedly canceled")
LEXICON.add(
    CANCEL, "", "either",
    r"cancel(?:s|ed|led|ing|ling)?", r"cancel(?:l)?ation", r"scrap(?:s|ped|ping)?",
    r"shelve[sd]?", r"shelving", r"ax(?:e[sd]?|ing)",
    r"abandon(?:s|ed|ing)?", r"pull(?:s|ed|ing)? the plug on",
    r"drop(?:s|ped|ping)? plans? (?:for|to)",
    r"annul(?:e|é|ée|és|ées|ent|ation)", r"abandonn(?:e|é|ée|és|ées|ent)",
    r"cancelad[oa]s?", r"cancela(?:n|do)?", r"cancelación", r"cancellat[oa]",
    r"cancella(?:no)?", r"eingestellt", r"gestrichen", r"gestoppt", r"abgesagt",
    # "stellt X ein": the particle closes the clause
    r"stell(?:t|en)(?= (?:[\w-]+ ){1,6}ein\s*(?:[.,;:!?]|$))",
)

# markers that qualify a clause
LEXICON.add(
    HEDGE, "", "",
    r"reportedly", r"reports?", r"reported", r"according to", r"sources?", r"is said to",
    r"are said to", r"allegedly", r"purportedly", r"could", r"might", r"would",
    r"expected", r"likely", r"possibly", r"perhaps", r"rumou?r\w*", r"leak\w*",
    r"speculat\w*", r"claims?", r"appears? to", r"seems? to", r"apparently",
    r"unconfirmed", r"not (?:yet )?(?:been )?confirmed", r"insiders?", r"people familiar",
    r"tipped", r"may", r"should", r"selon", r"d'après", r"pourrai(?:t|ent)", r"pourrions", r"pourrons",
    r"devrai(?:t|ent)", r"aurai(?:t|ent)", r"serai(?:t|ent)", r"rumeurs?", r"fuites?",
    r"apparemment", r"probablement", r"vraisemblablement", r"il semble",
    r"(?:est|sont) attendue?s?",
    r"pas (?:encore )?confirmée?", r"según", r"podría", r"podrían", r"debería",
    r"se espera", r"al parecer", r"supuestamente", r"presuntamente", r"teóricamente",
    r"rumores", r"filtraci\w+", r"laut", r"soll", r"sollen", r"sollte", r"könnte",
    r"könnten", r"angeblich", r"wahrscheinlich", r"vermutlich", r"wie berichtet",
    r"berichten zufolge", r"naar verluidt", r"volgens", r"zou", r"zouden", r"mogelijk",
    r"waarschijnlijk", r"lanzaría", r"presentaría", r"llegaría", r"habría", r"habrían",
    r"sarebbe(?:ro)?",
    r"据", r"消息人士", r"传闻", r"可能", r"预计", r"据报道",
)
# Second-hand sourcing marks every unconfirmed claim of the item, not just its own clause.
LEXICON.add(
    SOURCE, "", "",
    r"reportedly", r"according to", r"a report", r"reports? (?:by|from|say)", r"sources?",
    r"analysts? (?:[\w.'-]+ ){0,3}?(?:says?|said|claims?|claimed|believes?|expects?|predicts?|"
    r"thinks?|notes?|reports?|suggests?)", r"analyst:", r"leakers?", r"tipsters?", r"report:",
    r"unconfirmed", r"not (?:yet )?(?:been )?confirmed", r"is said to", r"allegedly",
    r"insiders?", r"people familiar", r"selon", r"d'après", r"pas (?:encore )?confirmée?",
    r"según", r"no confirmad[oa]", r"laut", r"wie berichtet", r"berichten zufolge",
    r"nicht bestätigt", r"naar verluidt", r"volgens", r"niet bevestigd", r"soll", r"sollen",
    r"据",
)
LEXICON.add(
    NEGATION, "", "",
    r"not", r"no", r"never", r"won't", r"cannot", r"can't", r"isn't", r"aren't",
    r"wasn't", r"doesn't", r"don't", r"didn't", r"hasn't", r"haven't", r"pas", r"jamais",
    r"aucune?", r"ni", r"sans", r"nicht", r"kein\w*", r"nie", r"niet", r"geen", r"nooit",
    r"nunca", r"ningun[oa]?", r"ningún", r"sin", r"ruled out",
)
# Denials negate every cue after them up to the next comma ("denies reports that it will
# launch GPT-5 in August"), not just the next few words.
LEXICON.add(
    DENIAL, "", "",
    r"den(?:y|ies|ied|ying)", r"debunk(?:s|ed|ing)?", r"push(?:es|ed|ing)? back on",
    r"shoots? down", r"shot down", r"dismiss(?:es|ed|ing)?", r"refut(?:es|ed|ing)",
    r"rules? out", r"ruling out", r"pours? cold water on", r"poured cold water on",
    r"dément\w*", r"démenti\w*", r"réfut\w*", r"dementier\w*", r"bestreite\w*",
    r"bestritt\w*", r"desmient\w*", r"desmintió", r"niega\w*", r"negó", r"smentisc\w*",
    r"smentit\w*", r"nega", r"negam", r"negou", r"desment\w*", r"ontken\w*",
    r"descart(?:a|an|ó|aron|ado|ada)", r"scart(?:a|ano|ato|ata)",
    # "put an end to the speculation", "a mis fin aux spéculations"
    r"put(?:s|ting)? an end to (?:the )?(?:speculation|rumou?rs)",
    r"(?:met|mis|mettre|mettent) fin aux (?:spéculations|rumeurs)",
    r"pone fin a (?:los rumores|las especulaciones)", r"puso fin a (?:los rumores|las especulaciones)",
)
LEXICON.add(
    NOT_NEGATION, "", "",
    r"not only", r"not just", r"nicht nur", r"pas seulement", r"pas que", r"no solo",
    r"no sólo", r"niet alleen", r"not (?:yet )?(?:been )?confirmed",
    r"pas (?:encore )?confirmée?", r"no later than",
)
LEXICON.add(
    NOW, "", "",
    r"today", r"now", r"right now", r"just", r"live", r"désormais", r"dès maintenant",
    r"dès aujourd'hui", r"maintenant", r"en direct", r"aujourd'hui", r"ab sofort", r"jetzt",
    r"heute", r"ahora", r"ya", r"hoy", r"nu", r"vandaag", r"liveblog", r"live blog",
)
LEXICON.add(
    NOT_NOW, "", "",
    r"any (?:minute|day|time) now", r"until now", r"for now", r"jusqu'à maintenant",
)
LEXICON.add(
    AUX, "", "",
    r"will", r"ll", r"shall", r"to", r"going to", r"could", r"might", r"would", r"should",
    r"may", r"va", r"vont", r"pourrai(?:t|ent)", r"pourrions", r"devrai(?:t|ent)",
    r"s'apprête à", r"prévoit de", r"compte", r"veut", r"wird", r"werden", r"soll",
    r"sollen", r"sollte", r"könnte", r"zal", r"zullen", r"zou", r"gaat", r"va a", r"van a",
    r"podría", r"debería", r"planea", r"quiere", r"pretende", r"将", r"将于", r"预计",
)
LEXICON.add(
    MODAL, "", "",
    r"could", r"might", r"would", r"may", r"pourrai\w*", r"pourrions", r"devrai\w*",
    r"aurai\w*", r"serai\w*", r"podría\w*", r"debería\w*", r"könnte\w*", r"sollte\w*",
    r"soll", r"zou", r"zouden", r"habría\w*", r"sarebbe(?:ro)?",
)
# "If Gemini 3 lands as promised, ...", "when it's released in a few months": a release
# still to come. "if" words hedge too; "when" words turn only a present verb to come.
LEXICON.add(
    CONDITION, "if", "",
    r"if", r"unless", r"in case", r"au cas où", r"falls", r"caso", r"a menos que",
)
LEXICON.add(
    CONDITION, "when", "",
    r"when", r"whenever", r"once", r"as soon as", r"quand", r"lorsque", r"lorsqu",
    r"dès que", r"dès qu", r"une fois que", r"cuando", r"en cuanto", r"una vez que",
    r"sobald", r"wenn", r"non appena", r"una volta che", r"assim que", r"logo que",
)
for _language in ("fr", "es"):
    LEXICON.add_language_words(_language, CONDITION, "if", "", "si")
LEXICON.add_language_words("it", CONDITION, "if", "", "se")
LEXICON.add(
    HABITUAL, "", "",
    r"traditionally", r"usually", r"typically", r"normally", r"generally",
    r"every year", r"each year", r"traditionnellement", r"habituellement", r"généralement",
    r"d'habitude", r"chaque année", r"tous les ans", r"tradicionalmente",
    r"habitualmente", r"normalmente", r"generalmente", r"cada año", r"todos los años",
    r"suele", r"suelen", r"traditionell", r"normalerweise", r"üblicherweise", r"gewöhnlich",
    r"jedes jahr", r"alljährlich", r"di solito", r"solitamente", r"tradizionalmente",
    r"ogni anno", r"geralmente", r"todo ano", r"todos os anos", r"costuma", r"costumam",
)
# French nouns of a delay; in English "report" is a source, not a delay.
LEXICON.add_language_words(
    "fr", SCHEDULE, "future", "either", "report", "reports", "retard", "retards", replace=True
)
# "Denn dann wird OpenAI GPT-5 vorstellen": "then" points to the date of the sentence before.
LEXICON.add(
    THEN, "", "",
    r"then", r"that day", r"on that day", r"ce jour-là", r"alors", r"dann",
    r"an diesem tag", r"entonces", r"ese día", r"die dag",
)
# "wird ... GPT-5 der Welt vorstellen": the auxiliary comes well before the verb.
LEXICON.add(VERB_FINAL, "", "", r"wird", r"werden", r"soll", r"sollen", r"zal", r"zullen")
# "The day before the start of Build, ...": the event is tomorrow.
LEXICON.add(
    EVE, "", "",
    r"(?:the day before|the eve of|la veille de|la víspera de|am vorabend|de dag voor)"
    r"(?: (?:the (?:start|opening) of|l'ouverture de|le début de))?",
)
LEXICON.add(
    BREAK, "", "",
    r"but", r"mais", r"pero", r"aber", r"maar", r"while", r"whereas", r"tandis que",
    r"alors que", r"mientras", r"während", r"although", r"bien que", r"aunque", r"obwohl",
)
# Italian and Portuguese, and a few more German and Spanish forms.
LEXICON.add(
    RELEASE, "past", "after",
    r"ha (?:lanciato|rilasciato|presentato|annunciato|svelato|pubblicato)",
    r"hanno (?:lanciato|rilasciato|presentato|annunciato)", r"lanciat[oa]",
    r"rilasciat[oa]", r"svelat[oa]", r"lançou", r"lançad[oa]", r"apresentou",
    r"anunciou", r"divulgou", r"revelou", r"liberou",
)
LEXICON.add(
    RELEASE, "present", "after",
    r"lancia(?:no)?", r"rilascia(?:no)?", r"svela(?:no)?", r"lança(?:m)?",
    r"apresenta(?:m)?", r"anuncia(?:m)?", r"kündigt",
)
LEXICON.add(
    RELEASE, "future", "after",
    r"(?:arriv|usc|svel|pubblic)(?:erà|eranno)", r"presentat[oa]", r"(?:lanç|apresent|cheg|anunci)(?:ará|arão)",
    r"(?:lanç|apresent|cheg)(?:aria|ariam)", r"saldrá", r"estará disponible",
    r"sarà disponibile", r"estará disponível",
)
LEXICON.add(
    RELEASE, "", "after",
    r"lancio", r"rilascio", r"uscita", r"arrivo", r"lanciare", r"rilasciare", r"arrivare",
    r"presentare", r"lançamento", r"chegada", r"estreia", r"lançar", r"chegar",
    r"apresentar", r"erscheinen", r"Erscheinen", r"llegue", r"lance", r"salga",
)
LEXICON.add(
    RELEASE, "present", "before",
    r"(?:è|sono) (?:ora |già |finalmente )?disponibil[ei]", r"disponibile",
    r"(?:já )?(?:está|estão) disponíve(?:l|is)", r"disponível", r"chega", r"arriva",
    r"ya disponible",
)
LEXICON.add(
    SCHEDULE, "future", "either",
    r"previst[oa]", r"programmat[oa]", r"attes[oa]", r"prevista para", r"programad[oa]",
    r"esperad[oa]", r"voraussichtlich", r"adiado", r"rinviat[oa]",
)
LEXICON.add(
    RUMOR, "", "either",
    r"indiscrezion[ei]", r"boatos?", r"vazamentos?", r"vazad[oa]",
)
LEXICON.add(
    HEDGE, "", "",
    r"potrebbe(?:ro)?", r"dovrebbe(?:ro)?", r"secondo", r"pare", r"sembra",
    r"presumibilmente", r"probabilmente", r"indiscrezion[ei]", r"pode(?:m|ria|riam)?",
    r"poderá", r"deve(?:m|ria|riam)?", r"deverá", r"segundo", r"supostamente",
    r"provavelmente", r"boatos?", r"voraussichtlich", r"offenbar", r"mutmaßlich",
    r"se rumorea", r"probablemente",
)
LEXICON.add(
    SOURCE, "", "",
    r"secondo (?:fonti|indiscrezioni|quanto)", r"segundo (?:fontes|rumores|boatos)",
    r"fonti", r"fontes",
)
LEXICON.add(
    AUX, "", "",
    r"potrebbe(?:ro)?", r"dovrebbe(?:ro)?", r"pode(?:m|ria|riam)?", r"poderá",
    r"deve(?:m|ria|riam)?", r"deverá", r"vai", r"vão",
)
LEXICON.add(
    MODAL, "", "",
    r"potrebbe(?:ro)?", r"dovrebbe(?:ro)?", r"poderia(?:m)?", r"deveria(?:m)?",
)
# Steps before the launch itself: their dates give way to a launch date in the same item.
LEXICON.add(
    PRELIMINARY, "", "",
    r"pre-?orders?", r"pre-?ordering", r"reservations?", r"waitlist", r"wait list",
    r"sign-?ups?", r"registrations?", r"beta", r"early access",
    r"(?:announcement|launch|unveiling|hardware|product|press) event",
    r"précommandes?", r"pré-commandes?", r"réservations?", r"inscriptions?",
    r"Vorbestellungen?", r"Vorverkauf", r"reservas?", r"preventa", r"pre-?venta",
    r"prenotazioni", r"preordini", r"pré-vendas?",
)
# fmt: on
# Spanish, German, Italian and Portuguese: every form of the lemma tables (``tables``).
add_tables(LEXICON)
LEXICON.freeze()
