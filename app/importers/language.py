"""Language of a document's text (ISO 639-1), for choosing search stemmers."""

from __future__ import annotations

import py3langid

SAMPLE = 20_000


def detect(text: str) -> str | None:
    sample = text[:SAMPLE].strip()
    if len(sample) < 20:
        return None
    lang, _score = py3langid.classify(sample)
    return str(lang)
