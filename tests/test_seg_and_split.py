"""And-splitting inside runs (accords.extract.seg_and_split), on sentences written here."""

from __future__ import annotations

from accords.extract.entities import extract_entities
from accords.extract.scan import tokens
from accords.extract.seg_and_split import split_and
from accords.extract.segment import Analyzer


def _split(text: str, phrase: str) -> tuple[bool, list[str]]:
    a = Analyzer(text)
    start = text.index(phrase)
    cut = split_and(a, tokens(a.scan, start, start + len(phrase)), None)
    return cut, [i.surface for i in a.items]


def test_two_titled_people_joined_by_and_are_cut_apart() -> None:
    phrase = "President Ilse Marwick and Prime Minister Tomas Erlend"
    cut, surfaces = _split(f"{phrase} met in Oslo.", phrase)
    assert cut
    assert surfaces == ["Ilse Marwick", "Tomas Erlend"]


def test_a_portfolio_joined_by_and_stays_one_body() -> None:
    phrase = "Ministry of Mining and Energy"
    cut, surfaces = _split(f"The {phrase} will lead.", phrase)
    assert not cut and surfaces == []


def _orgs(text: str) -> set[str]:
    return {e["name"] for e in extract_entities(text)[0] if e["type"] == "ORGANIZATION"}


# Moved from tests/test_entities.py.
def test_department_named_by_portfolio_and_country() -> None:
    text = "An arrangement between Natural Resources Canada and Fisheries and Oceans Canada was renewed."
    assert _orgs(text) == {"Natural Resources Canada", "Fisheries and Oceans Canada"}
    assert {e["country_code"] for e in extract_entities(text)[0] if e["type"] == "COUNTRY"} == {"CAN"}


def test_two_bodies_joined_by_and_are_two_organizations() -> None:
    text = (
        "The Football Association of Chile and the Lima Football Association met. "
        "The Ministry of Energy of the Republic of Peru and AndesPower of the Republic of Chile signed. "
        "Fellows of the Lima School of Public Policy and CAPG attended. "
        "The Ministry of Trade and Industry and the Department of Foreign Affairs and Trade spoke."
    )
    orgs = _orgs(text)
    assert {"Football Association of Chile", "Lima Football Association"} <= orgs
    assert "Ministry of Energy of the Republic of Peru" in orgs
    assert not any("AndesPower" in o and "Ministry" in o for o in orgs)
    assert "Lima School of Public Policy" in " ".join(orgs) and not any("CAPG" in o for o in orgs)
    assert {"Ministry of Trade and Industry", "Department of Foreign Affairs and Trade"} <= orgs
