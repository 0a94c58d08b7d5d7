"""Printing results: JSON on stdout with ``--json``, readable text otherwise."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any, Protocol


class Jsonable(Protocol):
    def to_json(self) -> dict[str, Any]: ...


class Output:
    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def one(self, obj: Jsonable, text: str) -> None:
        if self.as_json:
            print(json.dumps(obj.to_json(), ensure_ascii=False, default=str))
        else:
            print(text)

    def many(self, objs: Iterable[Jsonable], line: Any, empty: str = "") -> None:
        items = list(objs)
        if self.as_json:
            print(json.dumps([o.to_json() for o in items], ensure_ascii=False, default=str))
        elif not items and empty:
            message(empty)
        else:
            for obj in items:
                print(line(obj))

    def line(self, obj: Jsonable, text: str) -> None:
        """One JSON object per line (import results), or text."""
        if self.as_json:
            print(json.dumps(obj.to_json(), ensure_ascii=False, default=str), flush=True)
        else:
            print(text, flush=True)

    def raw(self, data: Any, text: str) -> None:
        if self.as_json:
            print(json.dumps(data, ensure_ascii=False, default=str))
        else:
            print(text)


def message(text: str) -> None:
    print(text, file=sys.stderr)
