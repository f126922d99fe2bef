"""Month, weekday, number, season and ordinal words, by language."""

from __future__ import annotations

import re

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan janvier janv enero ene januar jänner januari gennaio janeiro",
        "february feb février fevrier févr fevr febrero februar februari febbraio fevereiro",
        "march mar mars marzo märz maerz maart março",
        "april apr avril avr abril aprile",
        "may mai mayo mei maggio maio",
        "june jun juin junio juni giugno junho",
        "july jul juillet juil julio juli luglio julho",
        "august aug août aout agosto augustus",
        "september sep sept septembre septiembre setiembre settembre setembro",
        "october oct octobre octubre oktober ottobre outubro",
        "november nov novembre noviembre novembro",
        "december dec décembre decembre déc dic diciembre dezember dicembre dezembro",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

# English month names that are also common words: only capitalised ones are months.
AMBIGUOUS_MONTHS = frozenset({"may", "march", "mar", "jan", "dec", "sep", "oct", "nov"})

WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "monday lundi lunes montag maandag lunedì lunedi",
        "tuesday mardi martes dienstag dinsdag martedì martedi",
        "wednesday mercredi miércoles miercoles mittwoch woensdag mercoledì mercoledi",
        "thursday jeudi jueves donnerstag donderdag giovedì giovedi",
        "friday vendredi viernes freitag vrijdag venerdì venerdi",
        "saturday samedi sábado sabado samstag sonnabend zaterdag sabato",
        "sunday dimanche domingo sonntag zondag domenica",
    )
):
    for _name in _names.split():
        WEEKDAYS[_name] = _number

NUMBERS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "un": 1, "une": 1, "ein": 1, "eine": 1, "einer": 1,
    "einem": 1, "uno": 1, "una": 1, "een": 1,
    "two": 2, "deux": 2, "zwei": 2, "dos": 2, "twee": 2, "due": 2,
    "three": 3, "trois": 3, "drei": 3, "tres": 3, "drie": 3, "tre": 3,
    "four": 4, "quatre": 4, "vier": 4, "cuatro": 4, "quattro": 4,
    "five": 5, "cinq": 5, "fünf": 5, "cinco": 5, "vijf": 5, "cinque": 5,
    "six": 6, "sechs": 6, "seis": 6, "zes": 6, "sei": 6,
    "seven": 7, "sept": 7, "sieben": 7, "siete": 7, "zeven": 7,
    "eight": 8, "huit": 8, "acht": 8, "ocho": 8, "otto": 8,
    "nine": 9, "neuf": 9, "neun": 9, "nueve": 9, "negen": 9,
    "ten": 10, "dix": 10, "zehn": 10, "diez": 10, "tien": 10,
}  # fmt: skip

SEASONS: dict[str, str] = {
    "spring": "spring", "printemps": "spring", "primavera": "spring", "frühling": "spring",
    "frühjahr": "spring", "lente": "spring", "voorjaar": "spring",
    "summer": "summer", "été": "summer", "verano": "summer", "sommer": "summer",
    "zomer": "summer", "estate": "summer", "verão": "summer",
    "fall": "autumn", "autumn": "autumn", "automne": "autumn", "otoño": "autumn",
    "herbst": "autumn", "herfst": "autumn", "najaar": "autumn", "autunno": "autumn",
    "outono": "autumn",
    "winter": "winter", "hiver": "winter", "invierno": "winter", "inverno": "winter",
}  # fmt: skip


def alternation(words: object) -> str:
    """A regex alternation of the words, longest first so "sept" wins over "sep"."""
    names = sorted(words, key=len, reverse=True)  # type: ignore[call-overload]
    return "|".join(re.escape(w) for w in names)


PART_WORDS = {
    "early": "early", "beginning": "early", "start": "early", "début": "early",
    "debut": "early", "principios": "early", "comienzos": "early", "inicios": "early",
    "anfang": "early", "begin": "early", "inizio": "early", "início": "early",
    "inicio": "early",
    "mid": "mid", "middle": "mid", "mi": "mid", "milieu": "mid", "mediados": "mid",
    "mitte": "mid", "medio": "mid", "midden": "mid", "metà": "mid", "meados": "mid",
    "late": "late", "end": "late", "fin": "late", "finales": "late", "fines": "late",
    "ende": "late", "eind": "late", "eerder": "early", "fine": "late", "fim": "late",
}  # fmt: skip


DAY_PARTS = ("nachmittag", "morgen", "abend", "nacht")


ORDINALS = {
    "first": 1, "1st": 1, "premier": 1, "première": 1, "1er": 1, "primer": 1, "primero": 1,
    "erste": 1, "ersten": 1, "eerste": 1,
    "second": 2, "2nd": 2, "deuxième": 2, "seconde": 2, "2e": 2, "2ème": 2, "segundo": 2,
    "zweite": 2, "zweiten": 2, "tweede": 2,
    "third": 3, "3rd": 3, "troisième": 3, "3e": 3, "3ème": 3, "tercer": 3, "tercero": 3,
    "dritte": 3, "dritten": 3, "derde": 3,
    "fourth": 4, "4th": 4, "quatrième": 4, "4e": 4, "4ème": 4, "cuarto": 4, "vierte": 4,
    "vierten": 4, "vierde": 4,
}  # fmt: skip

DAY_WORDS: tuple[tuple[str, int], ...] = (
    (r"after tomorrow|après-demain|übermorgen|pasado mañana|overmorgen|dopodomani", 2),
    (r"before yesterday|avant-hier|vorgestern|anteayer|eergisteren|altro ieri", -2),
    (r"tomorrow|demain|morgen|mañana|domani", 1),
    (r"yesterday|hier|gestern|ayer|gisteren|ieri", -1),
)
CJK_DIGITS = "〇一二三四五六七八九十"
