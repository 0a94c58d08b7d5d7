"""Decoding plain text of unknown encoding.

In order: a byte-order mark; UTF-16 without one, told by its pattern of NUL (or other
constant) high bytes; UTF-8; UTF-8 with a few Latin-1/cp1252 lines (files edited by two
tools), decoded line by line; else charset-normalizer's guess, trusted when it is
confident. One correction: it labels real Latin-1/cp1252 Spanish as cp1250 (ñ → ń,
¿ → ż), so for a Central-European guess cp1252 is tried too and the one that reads as
Western text kept. ``suspicious`` says when the result still looks like binary or
mojibake, so the import can warn instead of keeping quiet.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter

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
CHAOS_LIMIT = 0.2  # charset-normalizer's "chaos" share above which its guess is a guess


def _western_share(text: str) -> float:
    """Share of non-ASCII characters that belong to Latin-1 (Spanish, French, ...)."""
    extra = [ch for ch in text if ord(ch) > 127]
    if not extra:
        return 1.0
    western = sum(1 for ch in extra if 0xA0 <= ord(ch) <= 0xFF or ch in "“”‘’–—…€•")
    return western / len(extra)


_PUNCTUATION = "“”‘’–—…€•«»°·"


def _plausible_share(text: str) -> float:
    """Share of non-ASCII characters that read as text in that place: letters, typographic
    punctuation, and ¿ ¡ only where a word starts (Polish "Za¿ó³æ" read as cp1252 fails)."""
    total = good = 0
    for i, ch in enumerate(text[:50000]):
        if ord(ch) < 128:
            continue
        total += 1
        if ch in "¿¡":
            good += i == 0 or not text[i - 1].isalpha()
        else:
            good += ch.isalpha() or ch in _PUNCTUATION
    return good / total if total else 1.0


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 LE or BE: one byte of each pair (the high one) takes only a few values (0 for
    Latin text, 0x04 for Cyrillic, 0x03 for Greek...), the other many."""
    if len(data) < 8 or len(data) % 2:
        return None
    sample = data[:4096]
    even, odd = Counter(sample[0::2]), Counter(sample[1::2])
    for high, low, name in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        top = sum(n for _, n in high.most_common(3))
        if top >= 0.9 * sum(high.values()) and len(low) > 2 * len(high) and 0 in high:
            try:
                text = data.decode(name)
            except UnicodeDecodeError:
                continue
            if _printable_share(text) > 0.95:
                return text
    return None


def _printable_share(text: str) -> float:
    if not text:
        return 1.0
    return sum(1 for ch in text[:20000] if ch.isprintable() or ch in "\n\r\t") / min(len(text), 20000)


def _mixed_utf8(data: bytes) -> str | None:
    """Mostly UTF-8 with some lines in cp1252: each line in the encoding it decodes in."""
    out: list[str] = []
    good = bad = 0  # non-ASCII lines that are UTF-8, and lines that are not
    for line in data.split(b"\n"):
        try:
            out.append(line.decode("utf-8"))
            good += not line.isascii()
        except UnicodeDecodeError:
            out.append(line.decode("cp1252", errors="replace"))
            bad += 1
    return "\n".join(out) if good and bad <= good else None


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name), name
    if b"\x00" in data[:4096] and (text := _utf16_without_bom(data)) is not None:
        return text, "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if (mixed := _mixed_utf8(data)) is not None:
        return mixed, "utf-8+cp1252"
    best = from_bytes(data).best()
    guess = best.encoding if best is not None else "cp1252"
    western = data.decode("cp1252", errors="replace")
    if best is None or guess == "cp1252":
        return western, "cp1252"
    other = data.decode(guess, errors="replace")
    if guess in _CENTRAL_EUROPEAN:
        if _plausible_share(western) >= _plausible_share(other):
            return western, "cp1252"
        return other, guess
    if best.chaos > CHAOS_LIMIT and _western_share(western) == 1.0:
        return western, "cp1252"
    return other, guess


# Mojibake: UTF-8 read as cp1252/Latin-1 ("Ã©", "â€™"), or replacement characters.
_MOJIBAKE = re.compile(r"Ã[\u0080-\u00bf]|â€[\u0080-\u00bf™œ\u009d]|Â[\u00a0-\u00bf]")


def suspicious(text: str) -> str | None:
    """Why a decoded text looks wrong (binary, mojibake), or None."""
    if not text:
        return None
    sample = text[:50000]
    if sample.count("\ufffd") > max(3, len(sample) // 200):
        return "parts of the text could not be decoded (replacement characters)"
    if _printable_share(sample) < 0.9:
        return "the file looks like binary data, not text"
    if len(_MOJIBAKE.findall(sample)) > max(2, len(sample) // 500):
        return "the text looks garbled (UTF-8 read as another encoding)"
    return None
