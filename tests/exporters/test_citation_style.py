"""Citations through pandoc's CSL processor: positions, locales, types and the processor's
own safety (issue 20)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from exporters import pandoc_citeproc
from exporters.citation_style import Cited, Reference, cite_all, short_title
from exporters.rich import plain
from exporters.styles import BUILT_IN
from resources import CSL
from storage.errors import KnownError

REPORT = Reference(key="r", kind="report", title="Annual Report on Port Security: Findings",
                   author="Research Office", issued="2022-05-17")
HEARING = Reference(key="h", kind="speech", title="Senate Hearing on Border Finance", author="US Senate",
                    issued="2021-06-01", genre="Testimony", url="https://senate.example.gov/hearing")
DECK = Reference(key="s", kind="speech", title="Port Security Update", author="Harbour Authority",
                 issued="2025-03", genre="Slide presentation")
PAGE = Reference(key="w", kind="webpage", title="CBP Officers Seize $2 Million in Fentanyl",
                 author="U.S. Customs and Border Protection", url="https://www.cbp.gov/news",
                 accessed="2026-11-03")


def cite(style: str, language: str, refs: tuple[Reference, ...],
         cites: tuple[tuple[str, tuple[str, str] | None], ...]) -> Cited:
    return cite_all(BUILT_IN[style], language, refs, cites)


def notes(style: str, language: str, refs: tuple[Reference, ...],
          cites: tuple[tuple[str, tuple[str, str] | None], ...]) -> list[str]:
    return [plain(n) for n in cite(style, language, refs, cites).notes]


def test_each_style_file_ships_and_says_whether_it_is_a_note_style() -> None:
    for info in BUILT_IN.values():
        assert info.path.parent == CSL
        head = info.path.read_text(encoding="utf-8")[:3000]
        kind = re.search(r'<style[^>]*\bclass="([a-z-]+)"', head)
        assert kind is not None and (kind.group(1) == "note") == info.note, info.name


def test_chicago_full_then_short_and_the_16th_editions_ibid() -> None:
    cites = (("r", ("page", "2")), ("r", ("page", "2")), ("r", ("page", "3")), ("h", None), ("r", ("page", "3")))
    assert notes("chicago", "en", (REPORT, HEARING), cites) == [
        "Research Office, Annual Report on Port Security: Findings (2022), 2.",
        "Research Office, Annual Report on Port Security, 2.",  # the same source again: short
        "Research Office, Annual Report on Port Security, 3.",
        "US Senate, “Senate Hearing on Border Finance,” Testimony, June 1, 2021, "
        "https://senate.example.gov/hearing.",
        "Research Office, Annual Report on Port Security, 3.",  # after another source: short
    ]
    assert notes("chicago-16th", "en", (REPORT, HEARING), cites) == [
        "Research Office, Annual Report on Port Security: Findings, May 17, 2022, 2.",
        "Ibid.",  # same source, same page
        "Ibid., 3.",  # same source, another page
        "US Senate, “Senate Hearing on Border Finance,” (Testimony, June 1, 2021), "
        "https://senate.example.gov/hearing.",
        "Research Office, Annual Report on Port Security, 3.",
    ]


def test_locators_are_read_in_each_language() -> None:
    # The processor knows only the locale's own words: a locator it did not read would
    # come after the web address instead of before it.
    cites = (("w", ("paragraph", "1")), ("s", ("slide", "3")))
    assert notes("chicago", "en", (PAGE, DECK), cites) == [
        "U.S. Customs and Border Protection, “CBP Officers Seize $2 Million in Fentanyl,” para. 1, "
        "accessed November 3, 2026, https://www.cbp.gov/news.",
        "Harbour Authority, “Port Security Update,” Slide presentation, March 2025, slide 3.",
    ]
    assert notes("chicago", "es", (PAGE, DECK), cites) == [
        "U.S. Customs and Border Protection, «CBP Officers Seize $2 Million in Fentanyl», párr. 1, "
        "accedido 3 de noviembre de 2026, https://www.cbp.gov/news.",
        "Harbour Authority, «Port Security Update», Slide presentation, marzo de 2025, diapositiva 3.",
    ]
    assert notes("apa", "fr", (PAGE, DECK), cites) == [
        "(U.S. Customs and Border Protection, s.\u00a0d., paragr. 1)",
        "(Harbour Authority, 2025, diapositive 3)",
    ]


def test_quotes_inside_titles_nest_and_punctuation_follows_the_locale() -> None:
    quoted = Reference(key="q", kind="speech", title='Statement on "Operation Blue"', author="Dept. of State",
                       issued="2024", genre="Testimony", url="https://state.example/s")
    assert notes("chicago", "en", (quoted,), (("q", None),))[0].startswith(
        "Dept. of State, “Statement on ‘Operation Blue,’” Testimony")  # the comma inside both
    assert notes("chicago", "es", (quoted,), (("q", None),))[0].startswith(
        "Dept. of State, «Statement on “Operation Blue”», Testimony")


def test_a_source_without_an_author_is_named_once_by_its_title() -> None:
    anonymous = Reference(key="a", kind="report", title="Annual Report", issued="2022")
    assert notes("chicago", "en", (anonymous,), (("a", None), ("a", None))) == [
        "Annual Report (2022).", "Annual Report."]
    bib = cite("apa", "en", (anonymous,), (("a", None),)).bibliography
    assert [plain(e) for e in bib] == ["Annual Report. (2022)."]


def test_the_bibliography_is_the_styles_own() -> None:
    cites = (("w", None), ("s", None), ("r", None))
    chicago = [plain(e) for e in cite("chicago", "en", (PAGE, DECK, REPORT), cites).bibliography]
    # Alphabetical; Chicago's 18th edition leaves an unpublished talk out (CMOS 14.115).
    assert chicago == [
        "Research Office. Annual Report on Port Security: Findings. 2022.",
        "U.S. Customs and Border Protection. “CBP Officers Seize $2 Million in Fentanyl.” "
        "Accessed November 3, 2026. https://www.cbp.gov/news.",
    ]
    apa = cite("apa", "en", (PAGE, DECK, REPORT), cites).bibliography
    assert plain(apa[0]) == "Harbour Authority. (2025, March). Port Security Update [Slide presentation]."
    italic = [r.text for r in apa[1] if r.italic]
    assert italic == ["Annual Report on Port Security: Findings"]
    links = [r.url for e in apa for r in e if r.url]
    assert links == ["https://www.cbp.gov/news"]


def test_text_from_documents_stays_text() -> None:
    hostile = Reference(key="x", kind="report", title="*Bold* [link](file:///etc/passwd) @r $x$ <script>",
                        author="A \\ B", issued="2020")
    cited = cite("chicago", "en", (hostile, REPORT), (("x", ("page", "1]; [@r")),))
    note = plain(cited.notes[0])
    # Chicago's title case, but no markup read: no link, no second citation, no script.
    assert note == "A \\ B, *Bold* [Link](file:///Etc/Passwd) @r $x$ <Script> (2020), 1]; [@r."
    assert not any(run.url or run.bold for run in cited.notes[0])
    assert len(cited.bibliography) == 1  # the source cited, not the one a locator named


def test_short_titles_stop_on_whole_words() -> None:
    assert short_title("CBP Officers Seize $2 Million in Fentanyl") == "CBP Officers Seize $2 Million"
    assert short_title("Annual Report on Port Security: Findings") == "Annual Report on Port Security"
    assert short_title("Weekly Brief") == "Weekly Brief"


def test_a_missing_or_failing_processor_is_a_clear_error(monkeypatch: pytest.MonkeyPatch,
                                                        tmp_path: Path) -> None:
    with monkeypatch.context() as m:
        m.setattr(pandoc_citeproc.importlib.util, "find_spec", lambda _name: None)
        pandoc_citeproc.pandoc.cache_clear()
        with pytest.raises(KnownError, match="pandoc, the citation processor, is not installed"):
            pandoc_citeproc.render(CSL / "apa.csl", "en-US", [REPORT.csl()], [("r", None)], ("“", "”", "‘", "’"))
    pandoc_citeproc.pandoc.cache_clear()
    broken = tmp_path / "broken.csl"
    broken.write_text("<style>not a style", encoding="utf-8")
    with pytest.raises(KnownError, match="the citation processor failed"):
        pandoc_citeproc.render(broken, "en-US", [REPORT.csl()], [("r", None)], ("“", "”", "‘", "’"))
