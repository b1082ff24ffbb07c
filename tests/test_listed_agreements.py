"""Tests for records of listed instruments and bare list headers (invented press-release text)."""

from __future__ import annotations

from accords.extract.annex import find_lists
from accords.extract.listed_agreements import add_listed, bare_header
from accords.extract.sentences import split_sentences
from tests.agreement_helpers import doc_for


def test_each_listed_item_is_a_record_with_the_header_status() -> None:
    text = (
        "Freedonia and Ruritania held talks in Vell on Tuesday.\n"
        "The two ministers witnessed the signing of the following:\n"
        "1. Memorandum of Understanding on Tourism\n"
        "2. Agreement on Fisheries Cooperation\n"
    )
    doc = doc_for(text)
    for blk in find_lists(text, split_sentences(text)):
        add_listed(doc, blk)
    assert [(r.kind, r.status, r.parties, r.name) for r in doc.records] == [
        ("memorandum_of_understanding", "signed", ["FRE", "RUR"], "Memorandum of Understanding on Tourism"),
        ("agreement", "signed", ["FRE", "RUR"], "Agreement on Fisheries Cooperation"),
    ]
    assert doc.records[0].fields == ["tourism"]


def test_bare_header_opens_a_list_context() -> None:
    text = "Freedonia and Ruritania held talks. They signed the following:"
    doc = doc_for(text)
    assert bare_header(doc, text.index("They"), len(text)) == {"status": "signed", "parties": ["FRE", "RUR"]}
    assert bare_header(doc, 0, text.index("They")) is None
