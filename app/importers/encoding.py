"""Decoding plain text of unknown encoding.

charset-normalizer does the detection, with one correction: it labels real
Latin-1/cp1252 Spanish as cp1250 (ñ → ń, ¿ → ż). Our sources are mostly
English and Spanish, so when it picks a Central-European single-byte code page
we decode as cp1252 too and keep whichever reads as Western text.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CENTRAL_EUROPEAN = {
    "cp1250", "iso8859_2", "cp852", "mac_latin2", "iso8859_16", "cp1257", "iso8859_4", "iso8859_13",
}


def _western_share(text: str) -> float:
    """Share of non-ASCII letters that belong to Latin-1 (Spanish, French, ...)."""
    extra = [ch for ch in text if ord(ch) > 127]
    if not extra:
        return 1.0
    western = sum(1 for ch in extra if 0xA0 <= ord(ch) <= 0xFF or ch in "“”‘’–—…€•")
    return western / len(extra)


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name), name
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    guess = best.encoding if best is not None else "cp1252"
    if guess in _CENTRAL_EUROPEAN or guess not in ("utf_8", "utf_16", "utf_32"):
        western = data.decode("cp1252", errors="replace")
        if guess == "cp1252" or best is None:
            return western, "cp1252"
        other = data.decode(guess, errors="replace")
        if _western_share(western) > _western_share(other):
            return western, "cp1252"
        return other, guess
    return data.decode(guess, errors="replace"), guess
