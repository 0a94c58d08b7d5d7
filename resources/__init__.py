"""Files that ship with Dossier: sample documents, the memo's default template, the
window's stylesheet."""

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent
SAMPLES = RESOURCES / "samples"
MEMO_TEMPLATE = RESOURCES / "templates" / "memo-template.docx"  # the memo's page and styles by default
STYLESHEET = RESOURCES / "styles" / "dossier.qss"
CSL = RESOURCES / "csl"  # citation styles (Citation Style Language, CC BY-SA 3.0)
