"""Write resources/templates/memo-template.docx: the memo's default page and styles
(python-docx's default document with Dossier's memo styles, in Word's current mode).
Run it after changing the styles in exporters/docx_writer.py, and commit the file."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import docx

from exporters.docx_writer import ensure_styles, mark_current_word
from resources import MEMO_TEMPLATE


def main() -> None:
    doc = docx.Document()
    ensure_styles(doc)
    mark_current_word(doc)
    props = doc.core_properties
    props.title, props.author, props.comments = "Dossier memo template", "Dossier", ""
    props.keywords = props.subject = props.category = ""
    MEMO_TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(MEMO_TEMPLATE))
    print(MEMO_TEMPLATE)


if __name__ == "__main__":
    main()
