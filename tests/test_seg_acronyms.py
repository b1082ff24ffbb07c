"""Acronym definitions after names (accords.extract.seg_acronyms), on sentences written here."""

from __future__ import annotations

from accords.extract.entities import extract_entities
from accords.extract.scan import tokens
from accords.extract.seg_acronyms import defines_acronym
from accords.extract.segment import Analyzer, analyze


def test_an_acronym_after_a_body_becomes_its_acronym_and_later_mentions() -> None:
    a = analyze("The Andean Fisheries Board (AFB) met in Quito. The AFB later issued a report.")
    board = a.acronyms["AFB"]
    assert board is not None and board.name == "Andean Fisheries Board" and board.acronym == "AFB"
    surfaces = [i.surface for i in a.items if i.name == "Andean Fisheries Board"]
    assert surfaces == ["Andean Fisheries Board", "AFB", "AFB"]  # the name, "(AFB)", the later "AFB"


def test_initials_before_a_bracketed_acronym_define_a_body_but_a_title_does_not() -> None:
    text = "Coastal Wind Power (CWP) and the Deputy Minister (DM) spoke."
    a = Analyzer(text)

    def defines(phrase: str) -> bool:
        start = text.index(phrase)
        return defines_acronym(a, tokens(a.scan, start, start + len(phrase)))

    assert defines("Coastal Wind Power")
    assert not defines("Deputy Minister")


# Moved from tests/test_entities.py.
def test_a_title_defining_its_acronym_is_no_organization() -> None:
    text = "Senior Minister (SM) met the Agency for Science, Technology and Research. The SM spoke."
    orgs = {e["name"] for e in extract_entities(text)[0] if e["type"] == "ORGANIZATION"}
    assert orgs == {"Agency for Science, Technology and Research"}
