"""Instrument-title subjects cut from names (accords.extract.seg_instrument), on sentences written here."""

from __future__ import annotations

from accords.extract.entities import extract_entities
from accords.extract.scan import tokens
from accords.extract.seg_instrument import instrument_subject
from accords.extract.segment import Analyzer


def _cut(text: str, phrase: str) -> tuple[list[str], list[str], bool] | None:
    a = Analyzer(text)
    start = text.index(phrase)
    toks = tokens(a.scan, start, start + len(phrase))
    cut = instrument_subject(a, toks)
    if cut is None:
        return None
    return [t.text for t in toks[: cut[0]]], [t.text for t in toks[cut[1] :]], cut[2]


def test_the_subject_after_on_the_is_cut_from_the_body_before_it() -> None:
    phrase = "Harbour Board on the Dredging of Porto Velho"
    name, subject, is_instrument = _cut(f"The {phrase} met.", phrase)
    assert name == ["Harbour", "Board"]
    assert subject == ["Dredging", "of", "Porto", "Velho"]
    assert not is_instrument


def test_a_body_named_for_its_subject_is_not_cut() -> None:
    phrase = "Tribunal on Maritime Claims"
    assert _cut(f"The {phrase} met.", phrase) is None


def _by_type(text: str, etype: str) -> dict[str, list[str]]:
    return {e["name"]: e["aliases"] for e in extract_entities(text)[0] if e["type"] == etype}


# Moved from tests/test_entities.py: the segmenter applies the cut.
def test_subject_of_an_instrument_is_cut_from_the_name() -> None:
    text = (
        "The leaders signed a Joint Declaration on the Orinoco Waterway and witnessed the agreement "
        "between the Harbour Authority on the Use of Tumaco Port."
    )
    assert {"Orinoco Waterway", "Tumaco Port"} <= set(_by_type(text, "LOCATION"))
    assert set(_by_type(text, "ORGANIZATION")) == {"Harbour Authority"}


def test_an_instrument_topic_after_on_is_no_part_of_the_body_before_it() -> None:
    text = (
        "The MOU between the Lima Development Bank on Enterprise Financing and the Government of the "
        "Republic of Chile on Cooperation in Mining was signed. The Commission on Human Rights and the "
        "Intergovernmental Panel on Climate Change met."
    )
    ents = extract_entities(text)[0]
    orgs = {e["name"] for e in ents if e["type"] == "ORGANIZATION"}
    assert "Lima Development Bank" in orgs
    assert not any("Cooperation" in o or "Financing" in o for o in orgs)
    assert {"Commission on Human Rights", "Intergovernmental Panel on Climate Change"} <= orgs
    assert "CHL" in {e["country_code"] for e in ents if e["type"] == "COUNTRY"}
