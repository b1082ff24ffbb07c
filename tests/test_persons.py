"""Person recognition details (accords.extract.persons), on sentences written here."""

from __future__ import annotations

from accords.extract.entities import extract_entities


def _persons(text: str) -> list[str]:
    return [e["name"] for e in extract_entities(text)[0] if e["type"] == "PERSON"]


def test_an_initialled_honorific_is_a_title_not_part_of_the_name() -> None:
    # "H.E." looks like initials ("A.W."), but it is the honorific: the name after it is a person.
    assert _persons("The minister will meet H.E. Tomas Vidal Soto in Lima.") == ["Tomas Vidal Soto"]
    assert _persons("The envoy greeted H.E. Amina Wairimu and H.E. Lars Eide Holm.") == [
        "Amina Wairimu", "Lars Eide Holm"]  # fmt: skip


def test_initials_inside_a_name_still_count() -> None:
    assert _persons("Kenyan Minister Peter J. Kamau spoke.") == ["Peter J. Kamau"]


def test_abbreviated_ministerial_titles_head_a_surname() -> None:
    # Press releases shorten "Senior Minister" and "External Affairs Minister" before a surname.
    assert _persons("Later, SM Okafor called on the Governor.") == ["Okafor"]
    assert _persons("EAM Raghavan met the delegation.") == ["Raghavan"]


def test_royal_patronymics_keep_the_fathers_title_inside_the_name() -> None:
    assert _persons("Tunku Hamid ibni Sultan Yusof will visit Oslo.") == ["Hamid ibni Sultan Yusof"]
    assert _persons("His Highness Hamid Ibni Sultan Yusof will visit Oslo.") == ["Hamid Ibni Sultan Yusof"]
