"""Reading the title before a person's name (accords.extract.person_titles), on sentences written here."""

from __future__ import annotations

from accords.extract.entities import extract_entities
from accords.extract.person_titles import name_start, title_parts
from accords.extract.scan import tokens
from accords.extract.segment import Analyzer


def _run(text: str, phrase: str) -> tuple[Analyzer, list]:
    a = Analyzer(text)
    start = text.index(phrase)
    return a, tokens(a.scan, start, start + len(phrase))


def test_the_name_starts_after_the_title_and_the_title_gives_role_and_country() -> None:
    phrase = "Norwegian Fisheries Minister Halvard Oyen"
    a, toks = _run(f"{phrase} arrived in Lima.", phrase)
    i = name_start(a, toks)
    assert i is not None and [t.text for t in toks[i:]] == ["Halvard", "Oyen"]
    assert title_parts(a, toks[:i], None) == ("Fisheries Minister", "NOR")
    assert [(it.type, it.name) for it in a.items] == [("COUNTRY", "NOR")]  # "Norwegian" is emitted


def test_a_portfolio_without_a_name_has_no_name_start() -> None:
    phrase = "Minister of Fisheries and Coastal Affairs"
    a, toks = _run(f"The {phrase} spoke.", phrase)
    assert name_start(a, toks) is None


# Moved from tests/test_entities.py.
def test_malay_honorific_chains() -> None:
    text = "The Minister of Foreign Affairs, Dato' Seri Utama Haji Ahmad Rizal, met his counterpart."
    assert {e["name"] for e in extract_entities(text)[0] if e["type"] == "PERSON"} == {"Ahmad Rizal"}


def test_member_of_parliament_is_a_role_not_an_organization() -> None:
    from accords.extract.entities import extract_entities

    text = "Ms Ana Soto, Member of Parliament for North Lima, is visiting Santiago."
    ents = extract_entities(text)[0]
    assert "Ana Soto" in {e["name"] for e in ents if e["type"] == "PERSON"}
    assert not [e for e in ents if e["type"] == "ORGANIZATION" and "Member" in e["name"]]


def test_the_place_a_role_is_of_is_a_location() -> None:
    from accords.extract.entities import extract_entities

    ents = extract_entities("He met Governor of Tokyo Yuriko Koike and Premier of Sarawak Abang Johari.")[0]
    assert {"Tokyo", "Sarawak"} <= {e["name"] for e in ents if e["type"] == "LOCATION"}
    assert {"Yuriko Koike", "Abang Johari"} <= {e["name"] for e in ents if e["type"] == "PERSON"}
