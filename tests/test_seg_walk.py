"""The longest-match gazetteer walk (accords.extract.seg_walk), on sentences written here."""

from __future__ import annotations

from accords.extract.entities import extract_entities
from accords.extract.scan import tokens
from accords.extract.seg_walk import walk
from accords.extract.segment import Analyzer


def _walk(text: str, phrase: str, keep_only: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    a = Analyzer(text)
    start = text.index(phrase)
    walk(a, tokens(a.scan, start, start + len(phrase)), None, keep_only)
    return [(i.type, i.name) for i in a.items]


def test_known_names_in_a_piece_are_emitted_left_to_right() -> None:
    assert _walk("Flights from Peru Chile Bolivia resumed.", "Peru Chile Bolivia") == [
        ("COUNTRY", "PER"),
        ("COUNTRY", "CHL"),
        ("COUNTRY", "BOL"),
    ]


def test_a_hyphenated_pair_of_countries_is_split() -> None:
    assert _walk("The Peru-Chile Trade Council met.", "Peru-Chile Trade Council", keep_only=("COUNTRY",)) == [
        ("COUNTRY", "PER"),
        ("COUNTRY", "CHL"),
    ]


def _aliases(text: str, etype: str) -> dict[str, list[str]]:
    return {e["name"]: e["aliases"] for e in extract_entities(text)[0] if e["type"] == etype}


# Moved from tests/test_entities.py.
def test_world_cities_and_town_chains() -> None:
    places = _aliases(
        "The transport ministers agreed to modernise the rail link between Szczecin and Poznan, and to "
        "open a bus line on the Isiolo-Moyale-Marsabit road in 2026.",
        "LOCATION",
    )
    assert {"Szczecin", "Poznań", "Isiolo", "Moyale", "Marsabit"} <= set(places)
    assert "Poznan" in places["Poznań"]


def test_world_city_that_is_also_a_given_name_stays_a_person() -> None:
    text = "Vladimir Putin said on Monday that talks were useful."
    assert set(_aliases(text, "PERSON")) == {"Vladimir Putin"}
    assert _aliases(text, "LOCATION") == {}


def test_join_known_rejoins_a_hyphenated_place() -> None:
    from accords.extract.seg_walk import _join_known

    gaz = {"Chile": 1, "Guinea-Bissau": 1, "Timor-Leste": 1}
    assert _join_known(["Chile", "Guinea", "Bissau"], gaz) == ["Chile", "Guinea-Bissau"]
    assert _join_known(["Timor", "Leste", "Chile"], gaz) == ["Timor-Leste", "Chile"]
