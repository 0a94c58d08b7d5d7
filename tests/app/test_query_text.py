"""What the search box turns into while a word is being typed."""

from __future__ import annotations

from app.query_text import as_you_type


def test_search_as_you_type_adds_a_prefix_to_the_last_word() -> None:
    assert as_you_type("merida fund") == "merida (fund OR fund*)"
    assert as_you_type("merida fun") == "merida fun"  # three letters: not yet
    assert as_you_type("merida fund ") == "merida fund"
    assert as_you_type("me") == "me"  # too short to expand
    assert as_you_type('"exact phrase') == '"exact phrase'
    assert as_you_type("tag:drugs") == "tag:drugs"
    assert as_you_type("Mérida") == "(Mérida OR Mérida*)"
