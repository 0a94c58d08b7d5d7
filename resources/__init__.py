"""Files that ship with Dossier: sample documents (and, later, templates and styles)."""

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent
SAMPLES = RESOURCES / "samples"
