"""Dates as analysts type them, stored as ISO (YYYY, YYYY-MM or YYYY-MM-DD)."""

from __future__ import annotations

import re
from datetime import datetime

from app.errors import InvalidInput

# Month names in English and Spanish (full and short), for "April 2, 2014", "2 abril 2014".
MONTHS = {
    **{m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july",
                                   "august", "september", "october", "november", "december"], 1)},
    **{m: i for i, m in enumerate(["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio",
                                   "agosto", "septiembre", "octubre", "noviembre", "diciembre"], 1)},
    "sept": 9, "setiembre": 9,
}
MONTHS.update({name[:3]: number for name, number in list(MONTHS.items())})


def _check(year: int, month: int | None = None, day: int | None = None) -> str:
    try:
        datetime(year, month or 1, day or 1)
    except ValueError:
        raise InvalidInput(f"not a date: {year}-{month}-{day}") from None
    if not 1000 <= year <= 2999:
        raise InvalidInput(f"not a plausible year: {year}")
    return "-".join([f"{year:04d}", *([f"{month:02d}"] if month else []), *([f"{day:02d}"] if day else [])])


def iso_date(text: str) -> str:
    """``text`` as an ISO date; raises ``InvalidInput`` naming the accepted forms."""
    value = " ".join(text.strip().lower().replace(",", " ").replace(".", " ").split())
    if m := re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", value):
        year, month, day = (int(g) if g else None for g in m.groups())
        assert year is not None
        return _check(year, month, day)
    words = value.replace(" de ", " ").split()
    if len(words) == 3 and words[0] in MONTHS and words[1].isdigit() and words[2].isdigit():
        return _check(int(words[2]), MONTHS[words[0]], int(words[1]))  # April 2 2014
    if len(words) == 3 and words[1] in MONTHS and words[0].isdigit() and words[2].isdigit():
        return _check(int(words[2]), MONTHS[words[1]], int(words[0]))  # 2 April 2014
    if len(words) == 2 and words[0] in MONTHS and words[1].isdigit():
        return _check(int(words[1]), MONTHS[words[0]])  # April 2014
    raise InvalidInput(f"not a date the citation can use: {text!r} (write it as 2014-04-02, "
                       "2014-04, 2014, April 2, 2014 or 2 April 2014)")
