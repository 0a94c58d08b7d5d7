"""The memo's fixed words, by memo language."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {"to": "TO", "from": "FROM", "date": "DATE", "subject": "SUBJECT",
           "summary": "Bottom Line Up Front", "sources": "Sources", "comment": "Comment",
           "page": "Page", "of": "of"},
    "es": {"to": "PARA", "from": "DE", "date": "FECHA", "subject": "ASUNTO",
           "summary": "Conclusión principal", "sources": "Fuentes", "comment": "Comentario",
           "page": "Página", "of": "de"},
    "fr": {"to": "À", "from": "DE", "date": "DATE", "subject": "OBJET",
           "summary": "L’essentiel", "sources": "Sources", "comment": "Commentaire",
           "page": "Page", "of": "sur"},
}
LANGUAGES = tuple(LABELS)


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["en"])
