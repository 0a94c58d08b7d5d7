"""Web pages saved as text: each furniture rule, metadata from the text, and the body kept
whole (files written by the tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.importers import Limits, extract_file
from app.importers.textmeta import find_meta, to_iso
from app.importers.webtext import split_capture

ARTICLE_EN = [
    "PHARR, Texas—U.S. Customs and Border Protection officers at the Pharr International Bridge "
    "seized 62 pounds of cocaine hidden in a tractor trailer on Monday, the agency said.",
    '"This seizure reflects the vigilance of our officers," said Port Director Efrain Solis Jr. '
    "in a statement issued on Tuesday.",
    "Yes.",
    "The driver, a 34-year-old Mexican citizen, was turned over to Homeland Security "
    "Investigations for further investigation of the case.",
    "Short line kept.",
    "Share information about suspicious activity with the agency by calling its tip line, which "
    "is open around the clock.",
]
HEAD_EN = [
    "An official website of the United States government",
    "Here's how you know",
    "Official websites use .gov",
    "A .gov website belongs to an official government organization in the United States.",
    "Secure .gov websites use HTTPS",
    "A lock ( ) or https:// means you've safely connected to the .gov website. Share sensitive "
    "information only on official, secure websites.",
    "Skip to main content",
    "Menu",
    "Search",
    "1. Home",
    "2. Newsroom",
    "3. News",
    "4. Local Media Release",
    "CBP Officers Seize $2 Million in Cocaine at Pharr International Bridge",
    "Release Date: April 2, 2014",
]
TAIL_EN = [
    "Share this page", "Facebook", "Twitter", "Email", "Was this page helpful?", "Yes", "No",
    "Last Updated: 04/03/2014", "Most Popular", "1. CBP Announces New Travel Rules",
    "2. Officers Seize Fentanyl at Nogales Port", "Contact Us", "Privacy Policy",
    "We use cookies to improve your experience on our site.", "Accept all cookies",
]
ARTICLE_ES = [
    "(3 de marzo de 2021) - - La Secretaría de Relaciones Exteriores informó hoy que ambos "
    "gobiernos acordaron fortalecer la cooperación en materia de seguridad fronteriza.",
    "El acuerdo contempla el intercambio de información y la capacitación conjunta de agentes en "
    "los principales puertos de entrada del país.",
    "Sí, dijo el canciller.",
    "La próxima reunión bilateral se celebrará en la Ciudad de México durante el mes de junio.",
]
HEAD_ES = [
    "Saltar al contenido principal", "Menú", "Buscar",
    "InicioPrensaComunicados de prensaMéxico y Estados Unidos acuerdan fortalecer la cooperación",
    "Por MARÍA LÓPEZ, corresponsal",
]
TAIL_ES = [
    "Compartir", "Imprimir", "¿Le resultó útil esta página?", "Sí", "No",
    "Última actualización: 4 de marzo de 2021", "Lo más leído", "Otra noticia sin relación",
    "3 comentarios", "Deja un comentario",
    "Excelente noticia para la región, ojalá se cumpla pronto lo que prometen los gobiernos hoy.",
    "Publicado en https://www.gob.mx/sre/prensa/acuerdo-cooperacion",
]


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _extract(path: Path):  # type: ignore[no-untyped-def]
    return extract_file(path, path.read_bytes(), Limits())


def _sentences(paragraphs: list[str]) -> list[str]:
    return [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p) if s]


def test_english_capture_keeps_every_sentence_and_sets_furniture_aside(tmp_path: Path) -> None:
    result = _extract(_write(tmp_path, "cbp.txt", [*HEAD_EN, *ARTICLE_EN, *TAIL_EN]))
    for sentence in _sentences(ARTICLE_EN):
        assert sentence in result.text
    for furniture in ("official website", "Skip to", "Newsroom", "Local Media", "Share this",
                      "helpful", "Last Updated", "Most Popular", "Nogales", "Privacy", "cookies"):
        assert furniture not in result.text, furniture
        assert any(furniture in line for line in result.set_aside), furniture
    assert result.title == "CBP Officers Seize $2 Million in Cocaine at Pharr International Bridge"
    assert result.published == "2014-04-02"  # the release date, not the "Last Updated" one
    body = [result.text[s.start:s.end] for s in result.spans if s.kind == "paragraph"]
    assert body == ARTICLE_EN  # para. N counts the article's paragraphs only


def test_spanish_capture_with_glued_breadcrumbs_byline_and_comments(tmp_path: Path) -> None:
    result = _extract(_write(tmp_path, "sre.txt", [*HEAD_ES, *ARTICLE_ES, *TAIL_ES]))
    for sentence in _sentences(ARTICLE_ES):
        assert sentence in result.text
    assert result.title == "México y Estados Unidos acuerdan fortalecer la cooperación"
    assert "InicioPrensa" not in result.text
    assert result.author == "María López"
    assert result.published == "2021-03-03"
    assert result.source == "https://www.gob.mx/sre/prensa/acuerdo-cooperacion"
    assert "Excelente noticia" not in result.text  # a reader's comment is not the article
    assert "Lo más leído" in result.set_aside


@pytest.mark.parametrize(("rule", "lines"), [
    ("banner", ["An official website of the United States government", "Here's how you know"]),
    ("skip link", ["Skip to main content"]),
    ("breadcrumb", ["Home > News > Press Releases"]),
    ("share", ["Share this page", "LinkedIn", "Print"]),
    ("helpful", ["Was this page helpful?", "Yes", "No"]),
    ("updated", ["Last Updated: March 4, 2021"]),
    ("comments", ["3 comments Leave a Reply"]),
    ("cookies", ["This website uses cookies to give you the best experience."]),
    ("list", ["Related Content", "Another release entirely"]),
])
def test_each_rule_removes_its_furniture(rule: str, lines: list[str]) -> None:
    text = "\n".join(["Skip to main content", "Was this page helpful?",
                      "A Headline That Names the Article", *ARTICLE_EN[:2], *lines])
    capture = split_capture(text)
    assert capture is not None
    for line in lines:
        assert line in capture.set_aside, (rule, line)
    assert capture.rules.get(rule, 0) >= 1 or rule in ("helpful", "skip link")


def test_prose_is_never_dropped_by_a_generic_rule() -> None:
    prose = ("Search and rescue teams worked through the night to reach the village, officials "
             "said, and more crews will arrive on Friday.")
    text = "\n".join(["Skip to main content", "Menu", "Storm Leaves Villages Cut Off", prose,
                      "Was this page helpful?", "Yes"])
    capture = split_capture(text)
    assert capture is not None and prose in capture.lines


def test_ordinary_text_is_not_taken_for_a_page(tmp_path: Path) -> None:
    text = ["Notes on the hearing", "", "Yes, the witness said so.", "", "Search the record later."]
    assert split_capture("\n".join(text)) is None
    result = _extract(_write(tmp_path, "notes.txt", text))
    assert "Search the record later." in result.text and result.set_aside == []


def test_markdown_capture(tmp_path: Path) -> None:
    lines = ["[Skip to main content](#main)", "* [Home](/)", "* [News](/news)",
             "# Ministry Announces New Border Rules", "", "By Jane Doe | April 2, 2014", "",
             ARTICLE_EN[0], "", "Was this page helpful?", "", "* [Yes](#)", "* [No](#)"]
    result = _extract(_write(tmp_path, "page.md", lines))
    assert result.title == "Ministry Announces New Border Rules"
    assert "Skip" not in result.text and "helpful" not in result.text
    assert ARTICLE_EN[0] in result.text
    assert result.author == "Jane Doe" and result.published == "2014-04-02"


@pytest.mark.parametrize(("lines", "published", "author", "source"), [
    (["Release Date: April 2, 2014"], "2014-04-02", None, None),
    (["(March 3, 2021) - - The department said today."], "2021-03-03", None, None),
    (["WASHINGTON, Sept. 5, 2019 — The agency said."], "2019-09-05", None, None),
    (["By JANE DOE, former ambassador to Mexico"], None, "Jane Doe", None),
    (["Testimony of John Smith, Director, Office of Field Operations"], None, "John Smith", None),
    (["Last Updated: April 9, 2014"], None, None, None),
    (["Official news published at https://www.gob.mx/sre/prensa/x on 5 de mayo de 2020"],
     "2020-05-05", None, "https://www.gob.mx/sre/prensa/x"),
    (["By the numbers: what changed"], None, None, None),
    (["Fecha de publicación: 12/03/2021"], "2021-12-03", None, None),
])
def test_metadata_from_text(lines: list[str], published: str | None, author: str | None,
                            source: str | None) -> None:
    meta = find_meta(["A Title", *lines, "Body text follows here."])
    assert (meta.published, meta.author, meta.source) == (published, author, source)


def test_dates_that_are_not_dates() -> None:
    assert to_iso("February 30, 2020") is None
    assert to_iso("13/02/2020") == "2020-02-13"


def test_set_aside_kept_in_the_project_and_shown_by_the_cli(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from app.cli.main import run

    page = _write(tmp_path, "cbp.txt", [*HEAD_EN, *ARTICLE_EN, *TAIL_EN])
    project = str(tmp_path / "p.dossier")
    assert run(["--project", project, "import", str(page)]) == 0
    capsys.readouterr()
    assert run(["--project", project, "--json", "show", "1", "--set-aside"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["title"].startswith("CBP Officers Seize")
    assert shown["published"] == "2014-04-02"
    assert "Skip to main content" in shown["set_aside"]
    assert run(["--project", project, "search", "secure website"]) in (0, 1)
    assert "official" not in capsys.readouterr().out.lower()  # the banner is not searchable


def test_the_site_s_name_is_the_author_not_the_title(tmp_path: Path) -> None:
    lines = ["Skip to main content", "U.S. Customs and Border Protection", "Menu", "1. Home", "2. Newsroom",
             "Officers Seize Fentanyl at Nogales Port",
             "The seizure is the largest at the port this year, officials said on Monday.",
             "Release Date: May 5, 2020", ARTICLE_EN[0], ARTICLE_EN[3], "Was this page helpful?", "Yes"]
    result = _extract(_write(tmp_path, "nogales.txt", lines))
    assert result.title == "Officers Seize Fentanyl at Nogales Port"
    assert result.author == "U.S. Customs and Border Protection"
    assert result.published == "2020-05-05"


@pytest.mark.parametrize(("line", "organisation"), [
    ("U.S. Customs and Border Protection", True),
    ("Secretaría de Relaciones Exteriores", True),
    ("Department of Homeland Security", True),
    ("An official website of the United States government", False),
    ("Ministry Announces New Border Rules", False),
    ("The agency said the office was closed.", False),
])
def test_organisation_lines(line: str, organisation: bool) -> None:
    from app.importers.textmeta import is_organisation

    assert is_organisation(line) is organisation
