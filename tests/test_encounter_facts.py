"""Sides, dates and sameness of encounters (accords.extract.encounter_facts), on data written here."""

from __future__ import annotations

from datetime import date

from accords.extract.context import Ent, build_doc
from accords.extract.encounter_facts import (
    Encounter,
    countries_of,
    first_day,
    is_past,
    same_encounter,
    same_gathering,
    same_person,
)  # fmt: skip

TEXT = "Peru hosted Chile. Peru and Chile met on 2 March 2025. In 2019 they met too. Peru again."
ENTITIES = [
    {"entity_id": "p", "type": "COUNTRY", "name": "Peru", "aliases": [], "country_code": "PER"},
    {"entity_id": "c", "type": "COUNTRY", "name": "Chile", "aliases": [], "country_code": "CHL"},
]


def _doc():  # noqa: ANN202
    mentions = []
    for eid, word in (("p", "Peru"), ("c", "Chile")):
        start = -1
        while (start := TEXT.find(word, start + 1)) >= 0:
            mentions.append({"entity_id": eid, "start": start, "end": start + len(word)})
    return build_doc(TEXT, None, date(2025, 3, 4), ENTITIES, mentions)


def _person(name: str, code: str | None) -> Ent:
    return Ent(id=name, type="PERSON", name=name, code=code, role=None, acronym=None, aliases=[])


def test_unmarked_people_stand_for_the_main_countries_the_others_lack() -> None:
    doc = _doc()
    chilean, unmarked = _person("Ana Rojas", "CHL"), _person("Luis Vega", None)
    meeting = Encounter("meeting", "held", [chilean, unmarked], None, 0, 1)
    assert countries_of(doc, meeting) == ["CHL", "PER"]
    both_marked = Encounter("meeting", "held", [chilean, _person("Eva Paz", "CHL")], None, 0, 1)
    assert countries_of(doc, both_marked) == ["CHL"]  # one side only: dropped by the caller
    visit = Encounter("visit", "held", [chilean], "PER", 0, 1, visitors=[chilean])
    assert countries_of(doc, visit) == ["CHL", "PER"]
    summit = Encounter("summit", "held", [chilean], None, 0, 1)
    assert countries_of(doc, summit) == ["CHL", "PER"]  # a summit gets its second side


def test_first_day_of_a_range_and_past_sentences() -> None:
    doc = _doc()
    assert first_day(doc, "from 17 to 19 May 2025", -1, date(2025, 5, 18)) == "2025-05-17"
    assert first_day(doc, "on 2 March 2025", -1, None) == "2025-03-02"
    second = TEXT.index("Peru and")
    assert not is_past(doc, second, TEXT.index(".", second) + 1)
    third = TEXT.index("In 2019")
    assert is_past(doc, third, TEXT.index(".", third) + 1)


def test_sameness() -> None:
    a, b = _person("Antonio Blanco", "USA"), _person("Antonio J. Blanco", "USA")
    assert same_person(a, b)
    assert not same_person(a, _person("Antonio Blanco", "MEX"))
    host = _person("Ana Rojas", "CHL")
    one = Encounter("meeting", "held", [a, host], None, 0, 1)
    assert same_encounter(one, Encounter("meeting", "held", [host, b], None, 5, 9))
    assert not same_encounter(one, Encounter("meeting", "planned", [host, b], None, 5, 9))
    assert same_gathering("Andean Summit", "9th Summit of Heads of State of the Andean Community")
    assert not same_gathering("Nordic-Baltic Ministers' Meeting", "Ministerial Session of the Oslo Forum")


def test_the_issuing_country_is_the_unmarked_home_side() -> None:
    doc = _doc()
    doc.issuer = "CHL"
    visitor = _person("Ivan Horvat", "HRV")
    meeting = Encounter("meeting", "held", [visitor, _person("Luis Vega", None)], None, 0, 1)
    assert countries_of(doc, meeting) == ["HRV", "CHL"]  # not PER, the most-mentioned country
