"""Citation metadata a text states about itself: its date, author and address.

Only the document's own date is taken (a release or publication line, a dated byline, a
dateline, a "(March 3, 2021) - -" opener, a closing "published"/"posted" line); a "Last
updated" date is a revision and is not the publication date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.dates import MONTHS, iso_date
from app.errors import InvalidInput

_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_WEEKDAY = (r"(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunes|martes|"
            r"miércoles|jueves|viernes|sábado|domingo),?\s+)?")
# "April 2, 2014", "Apr. 2 2014", "2 April 2014", "2 de abril de 2014", "2014-04-02", "04/02/2014"
DATE = (
    rf"{_WEEKDAY}(?:(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}\s+(?:de\s+)?(?:{_MONTH})\.?,?\s+(?:de\s+|del\s+)?\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})"
)
_DATE = re.compile(DATE, re.IGNORECASE)
_LABELLED = re.compile(
    r"^\s*(?:release date|date|dated|published(?: on)?|publication date|posted(?: on)?|issued(?: on)?|"
    r"date of release|fecha(?: de publicación)?|publicado(?: el)?|fecha de emisión|emitido el)"
    rf"\s*:?\s*({DATE})\b", re.IGNORECASE)
_OPENER = re.compile(rf"^\s*\(({DATE})\)\s*[-–—]", re.IGNORECASE)
_DATELINE = re.compile(rf"^\s*[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ .,'-]{{2,60}}[,(–—-]\s*\(?({DATE})\)?\s*[-–—(]",
                       re.IGNORECASE)
_ONLY_DATE = re.compile(rf"^\s*({DATE})\s*$", re.IGNORECASE)
_CLOSING = re.compile(rf"\b(?:published|posted|publicado|issued)\b.*?\b(?:on\s+|el\s+)?({DATE})",
                      re.IGNORECASE)
_REVISION = re.compile(r"^\s*(?:last (?:updated|modified|reviewed)|updated|page last|última|actualizado)",
                       re.IGNORECASE)
_BYLINE = re.compile(r"^\s*(?:by|por|written by|escrito por|author|autor|autora)\s*:?\s+(.{3,120})$",
                     re.IGNORECASE)
_TESTIMONY = re.compile(
    r"^\s*(?:(?:written |prepared )?(?:testimony|statement|remarks)\s+(?:of|by)|"
    r"(?:testimonio|declaración|discurso)\s+de)\s+(.{3,150})$", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
_URL_LABEL = re.compile(r"\b(?:published at|source|url|retrieved from|available at|fuente|disponible en|"
                        r"publicad[oa] en)\b", re.IGNORECASE)
_ROLE_CUT = re.compile(r"\s*(?:,|\||\s[-–—]\s|;|\bfor\b|\bon\b|\bbefore\b|\bante\b)\s*", re.IGNORECASE)

_ORG_START = re.compile(
    r"^(?:the\s+)?(?:u\.s\.\s+|united states\s+)?(?:department|ministry|office|bureau|embassy|secretariat|"
    r"agency|commission|council|administration|secretar[íi]a|ministerio|embajada|oficina|comisi[óo]n|"
    r"procuradur[íi]a|fiscal[íi]a|gobierno|consulate|consulado)\s+(?:of|for|on|de|del|para)\b",
    re.IGNORECASE)
_ORG_END = re.compile(
    r"\b(?:protection|service|agency|administration|commission|council|bureau|office|department|police|"
    r"court|senate|government|embassy|ministry|secretariat|institute|white house|casa blanca|"
    r"guard|patrol|command|authority)$", re.IGNORECASE)
_SMALL_WORDS = {"of", "and", "for", "the", "on", "de", "del", "la", "las", "los", "y", "el", "e", "para", "&"}


def is_organisation(line: str) -> bool:
    """A line that is an issuing body's name ("U.S. Customs and Border Protection",
    "Secretaría de Relaciones Exteriores"): short, capitalised, no sentence."""
    line = line.strip()
    words = line.split()
    if not 2 <= len(words) <= 9 or line[-1:] in ".:;!?," or any(ch.isdigit() for ch in line):
        return False
    capitalised = all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words)
    return capitalised and bool(_ORG_START.match(line) or _ORG_END.search(line))


HEAD_LINES = 40
TAIL_LINES = 25


@dataclass
class TextMeta:
    published: str | None = None
    author: str | None = None
    source: str | None = None


def to_iso(raw: str, day_first: bool = False) -> str | None:
    """A date as the text writes it, to ISO; None when it is not a real date."""
    raw = re.sub(_WEEKDAY, "", raw.strip(), count=1, flags=re.IGNORECASE)
    raw = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", raw)
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", raw):
        a, b, year = (int(g) for g in m.groups())
        month, day = (b, a) if day_first or a > 12 else (a, b)
        raw = f"{year:04d}-{month:02d}-{day:02d}"
    try:
        return iso_date(raw)
    except InvalidInput:
        return None


def _person(raw: str) -> str | None:
    name = _ROLE_CUT.split(raw.strip(), maxsplit=1)[0].strip(" .:")
    name = _DATE.sub("", name).strip(" ,|-–—")
    words = name.split()
    if not 1 <= len(words) <= 8 or any(ch.isdigit() for ch in name) or not name[0].isupper():
        return None
    if name.isupper():
        name = " ".join(w.capitalize() if len(w) > 2 or not w.endswith(".") else w for w in words)
    return name


def is_byline(line: str) -> bool:
    """A short line that states the text's date or author rather than saying something."""
    if len(line.split()) > 15 or "\n" in line:
        return False
    return any(p.match(line) for p in (_LABELLED, _ONLY_DATE, _BYLINE, _REVISION)) or bool(
        re.match(r"^\s*(?:for immediate release|para (?:su )?publicación inmediata|media contact|"
                 r"contacto de prensa|contact)\b", line, re.IGNORECASE))


def find_meta(lines: list[str], day_first: bool = False) -> TextMeta:
    """Metadata stated in a text's opening and closing lines (content or set-aside)."""
    meta = TextMeta()
    numbered = [line.strip() for line in lines]
    head = numbered[:HEAD_LINES]
    tail = numbered[-TAIL_LINES:] if len(numbered) > HEAD_LINES else []
    for line in head:
        if not line or _REVISION.match(line):
            continue
        if meta.published is None:
            for pattern in (_LABELLED, _OPENER, _DATELINE, _ONLY_DATE):
                if m := pattern.match(line):
                    meta.published = to_iso(m.group(1), day_first)
                    break
        if meta.author is None and (m := _BYLINE.match(line) or _TESTIMONY.match(line)):
            meta.author = _person(m.group(1))
            if meta.published is None and (d := _DATE.search(m.group(1))):
                meta.published = to_iso(d.group(0), day_first)
    for line in [*head, *tail]:
        if meta.source is None and _URL_LABEL.search(line) and (u := _URL.search(line)):
            meta.source = u.group(0).rstrip(".,;")
        if meta.published is None and not _REVISION.match(line) and (m := _CLOSING.search(line)):
            meta.published = to_iso(m.group(1), day_first)
    if meta.source is None:
        lone = [u.group(0) for line in head if (u := _URL.fullmatch(line))]
        meta.source = lone[0] if lone else None
    if meta.author is None:  # no byline: the issuing body named at the top of the page
        meta.author = next((line for line in head[:20] if is_organisation(line)), None)
    return meta
