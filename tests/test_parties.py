"""Tests for the parties of an instrument mention (invented sentences and countries)."""

from __future__ import annotations

from accords.extract.parties import bilateral_pair, list_parties, parties_of
from tests.agreement_helpers import doc_for


def test_countries_of_the_clause_are_the_parties() -> None:
    sent = "Freedonia and Ruritania signed a fisheries agreement in Vell on Tuesday."
    doc = doc_for(sent)
    assert parties_of(doc, 0, sent, 0, len(sent), sent) == (["FRE", "RUR"], False, False)
    assert bilateral_pair(doc) == ("FRE", "RUR")


def test_company_deal_names_the_company_and_the_ministry_stands_for_its_country() -> None:
    sent = "Zentara Shipping Ltd signed a port deal with the Ruritanian Ministry of Tourism."
    doc = doc_for(sent)
    parties, weak, commercial = parties_of(doc, 0, sent, 0, len(sent), sent, sent.index("deal"))
    assert (parties, weak, commercial) == (["Zentara Shipping Ltd", "RUR"], False, True)


def test_two_sides_fall_back_on_the_main_countries() -> None:
    text = "Freedonia and Ruritania held talks. The two sides signed an accord on tourism."
    doc = doc_for(text)
    s0 = text.index("The two")
    sent = text[s0:]
    assert parties_of(doc, s0, sent, 0, len(sent), sent) == (["FRE", "RUR"], True, False)
    header = "They signed the following:"
    doc = doc_for(f"Freedonia and Ruritania held talks. {header}")
    assert list_parties(doc, 36, header) == ["FRE", "RUR"]


def test_hyphenated_country_pair_names_both_parties() -> None:
    from accords.extract.agreement_records import build_agreement_doc
    from accords.extract.parties import _paired_countries

    text = "Ruritania-Freedonia Air Services Agreement"
    ents = [
        {"entity_id": "r", "type": "COUNTRY", "name": "Ruritania", "country_code": "RUR", "aliases": []},
        {"entity_id": "f", "type": "COUNTRY", "name": "Freedonia", "country_code": "FRE", "aliases": []},
    ]
    doc = build_agreement_doc(text, None, None, ents, [{"entity_id": "r", "start": 0, "end": 9}])
    assert _paired_countries(doc, text) == ["RUR", "FRE"]
    assert _paired_countries(doc, "a Ruritania-based firm") == []
