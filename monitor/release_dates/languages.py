"""One table of date words per language, as data: ``lexicon`` merges them for the rules.

Each table gives month and weekday names, numbers and ordinals, seasons, the words for
the early, middle and late part of a period, and relative phrases with their offset:
days ("tomorrow" +1), weeks, months, years and weekends (+1 next, 0 this, -1 last). The
phrases are lower-case, one space between words; a rule matches them in the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Language:
    """The date words of one language."""

    code: str
    months: tuple[str, ...]  # twelve entries, each a space-separated list of spellings
    weekdays: tuple[str, ...] = ()  # seven entries, Monday first
    numbers: dict[str, int] = field(default_factory=dict)
    ordinals: dict[str, int] = field(default_factory=dict)  # day and quarter ordinals
    seasons: dict[str, str] = field(default_factory=dict)
    parts: dict[str, str] = field(default_factory=dict)  # early, mid, late
    days: dict[str, int] = field(default_factory=dict)  # "tomorrow": 1
    weeks: dict[str, int] = field(default_factory=dict)  # "next week": 1
    months_ahead: dict[str, int] = field(default_factory=dict)  # "next month": 1
    years: dict[str, int] = field(default_factory=dict)  # "next year": 1
    weekends: dict[str, int | None] = field(default_factory=dict)  # None: the tense decides
    units: dict[str, str] = field(default_factory=dict)  # "weeks": "week"
    ago: tuple[str, ...] = ()  # words before a count that put it in the past: "il y a"
    ago_after: tuple[str, ...] = ()  # the same after the count: "ago"
    few: tuple[str, ...] = ()  # an unspecified small count: "a few", "quelques"
    coming: tuple[str, ...] = ()  # before a count of units to come: "the next 3 days"
    past: tuple[str, ...] = ()  # before a count of units gone by: "the past 3 weeks"


ENGLISH = Language(
    "en",
    months=(
        "january jan", "february feb", "march mar", "april apr", "may", "june jun",
        "july jul", "august aug", "september sep sept", "october oct", "november nov",
        "december dec",
    ),
    weekdays=("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    numbers={
        "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
        "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2,
    },
    ordinals={
        "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
        "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
        "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
        "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
        "twenty-first": 21, "twenty-second": 22, "twenty-third": 23, "twenty-fourth": 24,
        "twenty-fifth": 25, "twenty-sixth": 26, "twenty-seventh": 27, "twenty-eighth": 28,
        "twenty-ninth": 29, "thirtieth": 30, "thirty-first": 31, "last": -1,
    },
    seasons={"spring": "spring", "summer": "summer", "fall": "fall", "autumn": "fall",
             "winter": "winter"},
    parts={"early": "early", "beginning": "early", "start": "early", "mid": "mid",
           "middle": "mid", "late": "late", "end": "late"},
    days={
        "today": 0, "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0,
        "tomorrow": 1, "the day after tomorrow": 2, "day after tomorrow": 2,
        "yesterday": -1, "the day before yesterday": -2, "day before yesterday": -2,
        "tmrw": 1, "the day after tmrw": 2,
    },
    weeks={"this week": 0, "next week": 1, "last week": -1, "the coming week": 1,
           "the current week": 0, "current week": 0,
           "the past week": -1, "the week after next": 2},
    months_ahead={"this month": 0, "next month": 1, "last month": -1, "the coming month": 1},
    years={"this year": 0, "next year": 1, "last year": -1, "of this year": 0,
           "of next year": 1, "of last year": -1},
    weekends={"this weekend": 0, "next weekend": 1, "last weekend": -1,
              "over the weekend": None, "this coming weekend": 1, "the weekend": None},
    units={"day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month",
           "months": "month", "year": "year", "years": "year"},
    ago_after=("ago",),
    few=("a few", "few", "several", "some"),
    coming=("the next", "next", "the coming", "the following"),
    past=("the past", "past", "the last", "the previous", "previous"),
)  # fmt: skip

FRENCH = Language(
    "fr",
    months=(
        "janvier janv", "février fevrier févr fevr", "mars", "avril avr", "mai", "juin",
        "juillet juil", "août aout", "septembre sept", "octobre oct", "novembre nov",
        "décembre decembre déc",
    ),
    weekdays=("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    numbers={"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
             "sept": 7, "huit": 8, "neuf": 9, "dix": 10},
    ordinals={"premier": 1, "première": 1, "1er": 1, "deuxième": 2, "seconde": 2, "2e": 2,
              "2ème": 2, "troisième": 3, "3e": 3, "3ème": 3, "quatrième": 4, "4e": 4,
              "4ème": 4, "dernier": -1, "dernière": -1},
    seasons={"printemps": "spring", "été": "summer", "automne": "fall", "hiver": "winter"},
    parts={"début": "early", "debut": "early", "mi": "mid", "milieu": "mid", "fin": "late"},
    days={"aujourd'hui": 0, "ce soir": 0, "ce matin": 0, "demain": 1, "après-demain": 2,
          "après demain": 2, "avant-hier": -2, "avant hier": -2},
    weeks={"cette semaine": 0, "la semaine prochaine": 1, "la semaine dernière": -1,
           "la semaine en cours": 0, "semaine en cours": 0,
           "la semaine passée": -1},
    months_ahead={"ce mois": 0, "ce mois-ci": 0, "le mois prochain": 1, "le mois dernier": -1,
                  "mois prochain": 1, "mois dernier": -1, "mois à venir": 1},
    years={"cette année": 0, "l'année prochaine": 1, "l'an prochain": 1,
           "l'année dernière": -1, "l'an dernier": -1, "l'année passée": -1,
           "de cette année": 0, "de l'année prochaine": 1, "de l'année dernière": -1},
    weekends={"ce week-end": 0, "ce weekend": 0, "le week-end": None, "le weekend": None, "le week-end prochain": 1,
              "le week-end dernier": -1, "le weekend dernier": -1},
    units={"jour": "day", "jours": "day", "semaine": "week", "semaines": "week",
           "mois": "month", "an": "year", "ans": "year", "année": "year", "années": "year"},
    ago=("il y a",),
    few=("quelques",),
    coming=("les prochains", "les prochaines"),
    past=("les derniers", "les dernières", "ces derniers", "ces dernières"),
)  # fmt: skip

SPANISH = Language(
    "es",
    months=(
        "enero ene", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
        "septiembre setiembre", "octubre", "noviembre", "diciembre dic",
    ),
    weekdays=("lunes", "martes", "miércoles miercoles", "jueves", "viernes",
              "sábado sabado", "domingo"),
    numbers={"un": 1, "uno": 1, "una": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5,
             "seis": 6, "siete": 7, "ocho": 8, "nueve": 9, "diez": 10},
    ordinals={"primer": 1, "primero": 1, "primera": 1, "1º": 1, "segundo": 2, "segunda": 2,
              "tercer": 3, "tercero": 3, "tercera": 3, "cuarto": 4, "cuarta": 4,
              "último": -1, "última": -1},
    seasons={"primavera": "spring", "verano": "summer", "otoño": "fall", "otono": "fall",
             "invierno": "winter"},
    parts={"principios": "early", "comienzos": "early", "inicios": "early", "inicio": "early",
           "mediados": "mid", "finales": "late", "fines": "late"},
    days={"hoy": 0, "esta noche": 0, "esta mañana": 0, "esta tarde": 0, "mañana": 1,
          "pasado mañana": 2, "ayer": -1, "anteayer": -2, "antier": -2,
          "el día después de mañana": 2, "el día despues de mañana": 2,
          "el dia despues de mañana": 2, "el día antes de ayer": -2, "el dia antes de ayer": -2,
          "antes de ayer": -2},
    weeks={"esta semana": 0, "la próxima semana": 1, "la proxima semana": 1,
           "la semana actual": 0, "semana actual": 0,
           "la semana que viene": 1, "la semana próxima": 1, "la pasada semana": -1,
           "la semana pasada": -1},
    months_ahead={"este mes": 0, "este mismo mes": 0, "el próximo mes": 1, "el proximo mes": 1, "próximo mes": 1,
                  "el mes que viene": 1, "el mes próximo": 1, "el pasado mes": -1,
                  "el mes pasado": -1},
    years={"de este año": 0, "del próximo año": 1, "próximo año": 1, "del año que viene": 1,
           "del año pasado": -1, "este año": 0, "el próximo año": 1, "el proximo año": 1, "el año que viene": 1,
           "el año próximo": 1, "el pasado año": -1, "el año pasado": -1, "este mismo año": 0},
    weekends={"este fin de semana": 0, "el próximo fin de semana": 1,
              "el fin de semana pasado": -1, "el fin de semana": None},
    units={"día": "day", "días": "day", "dia": "day", "dias": "day", "semana": "week",
           "semanas": "week", "mes": "month", "meses": "month", "año": "year",
           "años": "year"},
    ago=("hace",),
    few=("unos pocos", "unos", "unas", "algunos", "algunas", "varios", "varias"),
    coming=("los próximos", "las próximas", "los proximos", "las proximas", "próximos",
            "próximas"),
    past=("los últimos", "las últimas", "los ultimos", "las ultimas", "las pasadas",
          "los pasados"),
)  # fmt: skip

GERMAN = Language(
    "de",
    months=(
        "januar jänner jan", "februar feb", "märz maerz", "april apr", "mai", "juni",
        "juli", "august aug", "september sept sep", "oktober okt", "november nov",
        "dezember",
    ),
    weekdays=("montag", "dienstag", "mittwoch", "donnerstag", "freitag",
              "samstag sonnabend", "sonntag"),
    numbers={"ein": 1, "eine": 1, "einer": 1, "einem": 1, "zwei": 2, "drei": 3, "vier": 4,
             "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10},
    ordinals={"erste": 1, "ersten": 1, "zweite": 2, "zweiten": 2, "dritte": 3, "dritten": 3,
              "vierte": 4, "vierten": 4, "letzte": -1, "letzten": -1},
    seasons={"frühling": "spring", "frühjahr": "spring", "sommer": "summer",
             "herbst": "fall", "winter": "winter"},
    parts={"anfang": "early", "mitte": "mid", "ende": "late"},
    days={"heute": 0, "heute abend": 0, "heute morgen": 0, "heute nachmittag": 0,
          "übermorgen": 2, "gestern": -1, "vorgestern": -2},
    weeks={"diese woche": 0, "dieser woche": 0, "nächste woche": 1, "nächsten woche": 1,
           "kommende woche": 1, "kommenden woche": 1, "letzte woche": -1,
           "letzten woche": -1, "vergangene woche": -1, "vergangenen woche": -1,
           "übernächste woche": 2},
    months_ahead={"diesen monat": 0, "diesem monat": 0, "nächsten monat": 1,
                  "kommenden monat": 1, "letzten monat": -1, "nächsten monats": 1,
                  "dieses monats": 0},
    years={"dieses jahr": 0, "diesem jahr": 0, "nächstes jahr": 1, "nächsten jahr": 1,
           "kommendes jahr": 1, "kommenden jahr": 1, "letztes jahr": -1,
           "letzten jahr": -1, "dieses jahres": 0, "nächsten jahres": 1, "letzten jahres": -1,
           "des kommenden jahres": 1},
    weekends={"dieses wochenende": 0, "diesem wochenende": 0, "am wochenende": None,
              "nächstes wochenende": 1, "nächsten wochenende": 1,
              "letztes wochenende": -1, "letzten wochenende": -1,
              "vergangenes wochenende": -1, "vergangenen wochenende": -1},
    units={"tag": "day", "tage": "day", "tagen": "day", "woche": "week", "wochen": "week",
           "monat": "month", "monate": "month", "monaten": "month", "jahr": "year",
           "jahre": "year", "jahren": "year"},
    ago=("vor",),
    few=("einigen", "wenigen", "ein paar", "paar"),
    coming=("die nächsten", "in den nächsten", "die kommenden", "in den kommenden"),
    past=("die letzten", "in den letzten", "die vergangenen", "in den vergangenen"),
)  # fmt: skip

ITALIAN = Language(
    "it",
    months=(
        "gennaio", "febbraio feb", "marzo mar", "aprile apr", "maggio", "giugno",
        "luglio", "agosto", "settembre sett", "ottobre", "novembre nov",
        "dicembre dic",
    ),
    weekdays=("lunedì lunedi", "martedì martedi", "mercoledì mercoledi", "giovedì giovedi",
              "venerdì venerdi", "sabato", "domenica"),
    numbers={"un": 1, "uno": 1, "una": 1, "due": 2, "tre": 3, "quattro": 4, "cinque": 5,
             "sei": 6, "sette": 7, "otto": 8, "nove": 9, "dieci": 10},
    ordinals={"primo": 1, "prima": 1, "secondo": 2, "seconda": 2, "terzo": 3, "terza": 3,
              "quarto": 4, "quarta": 4, "ultimo": -1, "ultima": -1},
    seasons={"primavera": "spring", "estate": "summer", "autunno": "fall",
             "inverno": "winter"},
    parts={"inizio": "early", "metà": "mid", "meta": "mid", "fine": "late"},
    days={"oggi": 0, "stasera": 0, "stamattina": 0, "domani": 1, "dopodomani": 2,
          "dopo domani": 2,
          "ieri": -1, "altro ieri": -2, "l'altro ieri": -2, "l'altroieri": -2, "altroieri": -2},
    weeks={"questa settimana": 0, "la prossima settimana": 1, "la settimana prossima": 1,
           "la settimana corrente": 0, "settimana corrente": 0,
           "prossima settimana": 1, "la settimana scorsa": -1, "la scorsa settimana": -1},
    months_ahead={"questo mese": 0, "questo stesso mese": 0, "il mese prossimo": 1, "il prossimo mese": 1,
                  "mese prossimo": 1, "prossimo mese": 1,
                  "il mese scorso": -1, "lo scorso mese": -1},
    years={"quest'anno": 0, "l'anno prossimo": 1, "il prossimo anno": 1,
           "l'anno scorso": -1, "lo scorso anno": -1, "di quest'anno": 0,
           "dell'anno prossimo": 1, "del prossimo anno": 1, "dell'anno scorso": -1},
    weekends={"questo fine settimana": 0, "questo weekend": 0, "il fine settimana": None,
              "nel fine settimana": None, "il weekend": None, "nel weekend": None,
              "il prossimo fine settimana": 1, "lo scorso fine settimana": -1,
              "lo scorso weekend": -1},
    units={"giorno": "day", "giorni": "day", "settimana": "week", "settimane": "week",
           "mese": "month", "mesi": "month", "anno": "year", "anni": "year"},
    ago_after=("fa",),
    few=("qualche", "pochi", "poche", "alcuni", "alcune"),
    coming=("i prossimi", "le prossime", "nei prossimi", "nelle prossime"),
    past=("gli ultimi", "le ultime", "negli ultimi", "nelle ultime"),
)  # fmt: skip

PORTUGUESE = Language(
    "pt",
    months=(
        "janeiro jan", "fevereiro", "março", "abril", "maio", "junho jun",
        "julho jul", "agosto", "setembro", "outubro", "novembro nov",
        "dezembro",
    ),
    weekdays=("segunda-feira", "terça-feira terca-feira", "quarta-feira", "quinta-feira",
              "sexta-feira", "sábado sabado", "domingo"),
    numbers={"um": 1, "uma": 1, "dois": 2, "duas": 2, "três": 3, "tres": 3, "quatro": 4,
             "cinco": 5, "seis": 6, "sete": 7, "oito": 8, "nove": 9, "dez": 10},
    ordinals={"primeiro": 1, "primeira": 1, "1o": 1, "1º": 1, "segundo": 2, "segunda": 2,
              "terceiro": 3, "terceira": 3, "quarto": 4, "quarta": 4, "último": -1,
              "última": -1},
    seasons={"primavera": "spring", "verão": "summer", "verao": "summer", "outono": "fall",
             "inverno": "winter"},
    parts={"início": "early", "inicio": "early", "meados": "mid", "final": "late",
           "fim": "late", "finais": "late"},
    days={"hoje": 0, "hoje à noite": 0, "amanhã": 1, "amanha": 1, "depois de amanhã": 2,
          "depois de amanha": 2, "ontem": -1, "anteontem": -2, "antes de ontem": -2,
          "dia antes de ontem": -2},
    weeks={"esta semana": 0, "nesta semana": 0, "próxima semana": 1, "proxima semana": 1,
           "semana atual": 0,
           "semana que vem": 1, "a semana passada": -1, "semana passada": -1},
    months_ahead={"este mês": 0, "neste mês": 0, "este mesmo mês": 0, "neste mesmo mês": 0,
                  "próximo mês": 1, "proximo mes": 1,
                  "mês que vem": 1, "mês passado": -1},
    years={"este ano": 0, "neste ano": 0, "próximo ano": 1, "proximo ano": 1,
           "ano que vem": 1, "ano passado": -1, "deste ano": 0, "do próximo ano": 1,
           "do proximo ano": 1, "do ano que vem": 1, "do ano passado": -1},
    weekends={"este fim de semana": 0, "neste fim de semana": 0, "no fim de semana": None,
              "o fim de semana": None,
              "próximo fim de semana": 1, "fim de semana passado": -1},
    units={"dia": "day", "dias": "day", "semana": "week", "semanas": "week", "mês": "month",
           "mes": "month", "meses": "month", "ano": "year", "anos": "year"},
    ago=("há",),
    few=("alguns", "algumas", "poucos", "poucas"),
    coming=("os próximos", "as próximas", "os proximos", "as proximas", "nos próximos",
            "nas próximas"),
    past=("os últimos", "as últimas", "nos últimos", "nas últimas"),
)  # fmt: skip

DUTCH = Language(
    "nl",
    months=(
        "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
        "september", "oktober", "november", "december",
    ),
    weekdays=("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag",
              "zondag"),
    numbers={"een": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7,
             "acht": 8, "negen": 9, "tien": 10},
    ordinals={"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4},
    seasons={"lente": "spring", "voorjaar": "spring", "zomer": "summer", "herfst": "fall",
             "najaar": "fall"},
    parts={"begin": "early", "eerder": "early", "medio": "mid", "midden": "mid",
           "eind": "late"},
    days={"vandaag": 0, "vanavond": 0, "vanochtend": 0, "overmorgen": 2, "gisteren": -1,
          "eergisteren": -2},
    weeks={"deze week": 0, "volgende week": 1, "komende week": 1, "vorige week": -1,
           "afgelopen week": -1},
    months_ahead={"deze maand": 0, "volgende maand": 1, "vorige maand": -1},
    years={"dit jaar": 0, "volgend jaar": 1, "vorig jaar": -1},
    units={"dagen": "day", "weken": "week", "maanden": "month"},
)  # fmt: skip

LANGUAGES: tuple[Language, ...] = (ENGLISH, FRENCH, SPANISH, GERMAN, ITALIAN, PORTUGUESE, DUTCH)
