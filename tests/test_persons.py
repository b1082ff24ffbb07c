"""Person recognition details (accords.extract.persons), on sentences written here."""

from __future__ import annotations

from accords.extract.entities import extract_entities


def _persons(text: str) -> list[str]:
    return [e["name"] for e in extract_entities(text)[0] if e["type"] == "PERSON"]


def test_abbreviated_ministerial_titles_head_a_surname() -> None:
    # Press releases shorten "Senior Minister" and "External Affairs Minister" before a surname.
    assert _persons("Later, SM Okafor called on the Governor.") == ["Okafor"]
    assert _persons("EAM Raghavan met the delegation.") == ["Raghavan"]


def test_bint_joins_an_arabic_name_like_bin() -> None:
    from accords.extract import extract

    text = "Her Excellency Mariam bint Khalid Al Fahad, Minister of Health of Qatar, met Minister Tan."
    persons = [e["name"] for e in extract(text).entities if e["type"] == "PERSON"]
    assert "Mariam bint Khalid Al Fahad" in persons
