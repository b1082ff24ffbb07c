"""Tests for one sentence's instrument mentions turned into records (invented sentences)."""

from __future__ import annotations

from accords.extract.agreement_sentence import analyse_sentence
from tests.agreement_helpers import doc_for


def test_a_signed_memorandum_becomes_one_record() -> None:
    sent = "Freedonia and Ruritania signed a memorandum of understanding on tourism in Vell on Tuesday."
    doc = doc_for(sent)
    assert analyse_sentence(doc, 0, len(sent), None) is None  # no list opened
    [rec] = doc.records
    assert (rec.kind, rec.status, rec.parties, rec.fields) == (
        "memorandum_of_understanding", "signed", ["FRE", "RUR"], ["tourism"])  # fmt: skip
    assert rec.name == "memorandum of understanding on tourism"
    assert (rec.date, rec.location) == ("2024-03-05", "Vell")


def test_a_list_header_opens_a_list_and_is_no_record() -> None:
    text = "Freedonia and Ruritania held talks. The following documents were signed:"
    doc = doc_for(text)
    assert analyse_sentence(doc, text.index("The following"), len(text), None) == {
        "status": "signed", "parties": ["FRE", "RUR"]}  # fmt: skip
    assert doc.records == []
