"""Tests for company parties recognised by their form when entity tagging missed them."""

from __future__ import annotations

from accords.extract.companies import subject_names, text_companies
from tests.agreement_helpers import doc_for


def test_lower_case_company_names_by_legal_form() -> None:
    clause = "zentara shipping corp and the port of vell signed a deal"
    assert text_companies(clause) == ["Zentara Shipping Corp"]
    assert text_companies("the two sides signed a deal") == []


def test_untagged_brand_before_signed_is_a_subject() -> None:
    sent = "Kolvex Energy signed a supply deal with Freedonia."
    doc = doc_for(sent)
    pos = sent.index("deal")
    assert subject_names(doc, 0, sent, 0, pos, len(sent)) == ["Kolvex Energy"]
