"""The shared article index (accords.extract.context), on a small article written here."""

from __future__ import annotations

from datetime import date

from accords.extract.context import build_doc, day_in, is_old, mentions_in, place_in

TEXT = "Peru and Chile signed a pact in Lima on 3 March 2025. Peru welcomed it. The 2019 pact lapsed."
ENTITIES = [
    {"entity_id": "p", "type": "COUNTRY", "name": "Peru", "aliases": [], "country_code": "PER"},
    {"entity_id": "c", "type": "COUNTRY", "name": "Chile", "aliases": [], "country_code": "CHL"},
    {"entity_id": "l", "type": "LOCATION", "name": "Lima", "aliases": [], "country_code": "PER"},
]


def _mentions() -> list[dict]:
    out = []
    for eid, word in (("p", "Peru"), ("c", "Chile"), ("l", "Lima")):
        start = -1
        while (start := TEXT.find(word, start + 1)) >= 0:
            out.append({"entity_id": eid, "start": start, "end": start + len(word)})
    return out


def test_main_countries_rank_by_mentions_and_title() -> None:
    doc = build_doc(TEXT, None, date(2025, 3, 4), ENTITIES, _mentions())
    assert doc.main_countries == ["PER", "CHL"]
    titled = build_doc(TEXT, "Chile in the news", date(2025, 3, 4), ENTITIES, _mentions())
    assert titled.main_countries == ["CHL", "PER"]  # a title mention counts double


def test_mentions_in_a_span_and_the_place_and_day_of_a_sentence() -> None:
    doc = build_doc(TEXT, None, date(2025, 3, 4), ENTITIES, _mentions())
    end = TEXT.index(".") + 1
    assert [e.name for _a, _b, e in mentions_in(doc, 0, end)] == ["Peru", "Chile", "Lima"]
    assert place_in(doc, 0, end) == "Lima"
    assert day_in(doc, 0, end) == "2025-03-03"
    assert place_in(doc, end, len(TEXT)) is None


def test_is_old_only_for_dates_well_before_publication() -> None:
    doc = build_doc(TEXT, None, date(2025, 3, 4), ENTITIES, _mentions())
    last = TEXT.rindex("The 2019")
    assert is_old(doc, last, len(TEXT))
    assert not is_old(doc, 0, TEXT.index(".") + 1)


def test_the_sign_off_names_the_issuing_country() -> None:
    text = "Peru and Chile met in Lima.\n\nMINISTRY OF FOREIGN AFFAIRS\nCHILE\n3 MARCH 2025"
    doc = build_doc(text, None, date(2025, 3, 4), ENTITIES, _mentions())
    assert doc.issuer == "CHL"
    assert build_doc(TEXT, None, date(2025, 3, 4), ENTITIES, _mentions()).issuer is None
