"""Context evidence for persons (accords.extract.person_context), on sentences written here."""

from __future__ import annotations

from accords.extract.entities import extract_entities
from accords.extract.person_context import before_role, person_evidence, title_before
from accords.extract.scan import tokens
from accords.extract.segment import Analyzer


def _at(text: str, name: str) -> tuple[Analyzer, int]:
    return Analyzer(text), text.index(name)


def test_a_lowercase_role_before_a_name_gives_the_role() -> None:
    a, start = _at("The fisheries minister Halvard Oyen arrived.", "Halvard Oyen")
    assert before_role(a, start) == ("fisheries minister", None)


def test_a_title_and_comma_make_a_title_slot() -> None:
    a, start = _at("She thanked the Deputy Governor, Marit Solberg, for the visit.", "Marit Solberg")
    assert title_before(a, start)
    a, start = _at("She thanked the village, Marit Solberg said.", "Marit Solberg")
    assert not title_before(a, start)


def test_a_speech_verb_after_an_unknown_pair_is_evidence_of_a_person() -> None:
    text = "Later Orvik Tandberg said the talks went well."
    a, start = _at(text, "Orvik Tandberg")
    toks = tokens(a.scan, start, start + len("Orvik Tandberg"))
    assert person_evidence(a, toks) == (None, None)
    text = "Later Orvik Tandberg opened the plant."
    a, start = _at(text, "Orvik Tandberg")
    assert person_evidence(a, tokens(a.scan, start, start + len("Orvik Tandberg"))) is None


# Moved from tests/test_persons.py.
def test_a_title_ending_in_its_acronym_heads_the_name_after_it() -> None:
    def persons(text: str) -> list[str]:
        return [e["name"] for e in extract_entities(text)[0] if e["type"] == "PERSON"]

    text = "She met the Minister of Foreign Affairs of the Republic of Palau (ROP) Tomas Ngirmang Remeliik."
    assert persons(text) == ["Tomas Ngirmang Remeliik"]
    # an organization's acronym alone does not make the next words a person
    assert persons("The Ministry of Trade (MOT) Director Board met.") == []
