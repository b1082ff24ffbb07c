"""The run analyser's state and rule order (accords.extract.segment), on sentences written here."""

from __future__ import annotations

from accords.extract.entities import extract_entities
from accords.extract.segment import analyze


def test_a_possessor_gives_its_country_to_the_body_it_owns() -> None:
    a = analyze("Chile's Ministry of Mining and Peru's Geological Survey met in Lima.")
    items = [(i.type, i.name, i.country) for i in a.items]
    assert ("COUNTRY", "CHL", "CHL") in items
    assert ("ORGANIZATION", "Ministry of Mining", "CHL") in items
    assert ("LOCATION", "Lima", "PER") in items


def test_unrecognised_pieces_are_kept_as_leftovers() -> None:
    a = analyze("Talks resumed. Later Vantorsk said the offer stood.")
    assert [text for _, _, text, _ in a.leftovers] == ["Vantorsk"]


# Moved from tests/test_entities.py: rules that segment() applies itself.
def test_possessive_inside_body_names() -> None:
    text = "Li Ming, vice chairman of the National People's Congress Standing Committee, spoke."
    orgs = {e["name"] for e in extract_entities(text)[0] if e["type"] == "ORGANIZATION"}
    assert "National People's Congress Standing Committee" in orgs


def test_currency_is_not_a_country_mention() -> None:
    text = "Ghana signed loans worth US$2 billion and 300 million US dollars."
    assert {e["country_code"] for e in extract_entities(text)[0] if e["type"] == "COUNTRY"} == {"GHA"}


def test_direction_word_with_known_region_and_place_pairs() -> None:
    text = "They discussed the Eastern Mediterranean, East Africa and the Indian Ocean."
    locs = {e["name"] for e in extract_entities(text)[0] if e["type"] == "LOCATION"}
    assert {"Eastern Mediterranean", "East Africa", "Indian Ocean"} <= locs
