"""Expand the cue lemmas of monitor/signals/cue_lemmas.yaml to every inflected form.

    pip install simplemma && python tools/build_cue_forms.py

A lemmatizer with its dictionaries costs seconds and hundreds of megabytes to load for six
languages, more than the daemon may spend; the detector needs the forms of a few hundred
lemmas only. So this script, run by a developer after editing the lemmas, reverses
simplemma's form → lemma dictionaries (MIT-licensed package) for those lemmas and writes
monitor/signals/cue_forms.json: per language, each form → its lemma. At run time the
detector looks a word up there (lower-cased), and falls back to the word itself.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LEMMAS = ROOT / "monitor" / "signals" / "cue_lemmas.yaml"
FORMS = ROOT / "monitor" / "signals" / "cue_forms.json"


def main() -> int:
    try:
        from simplemma.strategies.dictionaries.dictionary_factory import (
            _load_dictionary_from_disk,
        )
    except ImportError:
        sys.stderr.write("needs simplemma: pip install simplemma\n")
        return 1
    tables = yaml.safe_load(LEMMAS.read_text(encoding="utf-8"))
    out: dict[str, dict[str, str]] = {}
    for lang, kinds in tables.items():
        if lang in ("function_words", "not_cues"):
            continue
        wanted = {
            word.lower()
            for entries in kinds.values()
            for entry in entries
            for word in str(entry).split()
        }
        raw = _load_dictionary_from_disk(lang)
        forms: dict[str, str] = {}
        for form, lemma in raw.items():
            f, lem = form.decode("utf-8").lower(), lemma.decode("utf-8").lower()
            if lem in wanted and f != lem and " " not in f:
                forms[f] = lem
        out[lang] = dict(sorted(forms.items()))
        sys.stdout.write(f"{lang}: {len(wanted)} lemmas, {len(forms)} forms\n")
    FORMS.write_text(json.dumps(out, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
