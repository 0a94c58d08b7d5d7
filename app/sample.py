"""The sample project a first run offers: two short fictional reports that ship in
``resources/samples`` (one English, one Spanish), with highlights, tags and a briefing."""

from __future__ import annotations

from pathlib import Path

from app.errors import KnownError
from app.library import Library
from resources import SAMPLES

DOCUMENTS = ("harbour-report.txt", "informe-puertos.txt")
HIGHLIGHTS = (
    (0, "Seizures of synthetic opioids at the three northern ports doubled in the last quarter",
     ["Drugs/Opioids", "Ports"], "The headline figure."),
    (0, "Eleven of the fourteen companies involved had been registered in the previous six months",
     ["Finance/Shell companies"], ""),
    (0, "Payments for the parcels moved through prepaid cards and two money transfer agents",
     ["Finance/Payments"], ""),
    (1, "Las empresas de importación creadas en los últimos seis meses concentran la mayoría de los "
        "pagos sospechosos", ["Finance/Shell companies"], "Matches the northern pattern."),
    (1, "Los pagos se fraccionan en montos pequeños para no superar el umbral de reporte",
     ["Finance/Payments"], ""),
)


def build_sample(path: Path) -> Path:
    """Create the sample project at ``path`` (which must not exist yet)."""
    if path.exists():
        raise KnownError(f"{path}: already exists; the sample project is made only once")
    with Library.open(path) as lib:
        ids = []
        for name, (author, published) in zip(DOCUMENTS, (("Coastal Enforcement Office", "2026-03-12"),
                                                         ("Unidad de Análisis Financiero", "2026-02-04")),
                                             strict=True):
            result = lib.import_file(SAMPLES / name, tags=["Sample"])
            if result.id is None:
                raise KnownError(f"sample document {name}: {result.error}")
            lib.update_document(result.id, author=author, published=published)
            ids.append(result.id)
        notes = []
        for doc, quote, tags, note in HIGHLIGHTS:
            start, end = lib.find_quote(ids[doc], quote)
            notes.append((lib.add_annotation(ids[doc], start, end, tags).id, note))
        brief = lib.create_briefing(
            "Sample briefing: ports and payments", to="Head of Analysis", from_="Sample Analyst",
            date="2026-03-15", subject="Opioid seizures in the north; shell companies in the south",
            classification="UNCLASSIFIED", summary="Seizures are up in the north; the money moves "
            "through new import companies in both regions.")
        lib.add_items(brief.id, [notes[0][0]], section="Seizures", comment=notes[0][1])
        for ann_id, note in notes[1:]:
            lib.add_items(brief.id, [ann_id], section="Money", comment=note)
        lib.wait_for_index()
    return path
