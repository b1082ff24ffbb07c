"""Tests for the persons who signed an instrument (invented sentences)."""

from __future__ import annotations

from accords.extract.signatories import signatories_of
from tests.agreement_helpers import doc_for


def test_named_subject_of_signed_is_the_signatory() -> None:
    sent = "Minister Ana Ferrow signed the accord for Freedonia."
    doc = doc_for(sent)
    assert signatories_of(doc, 0, sent, 0, sent.index("accord"), ["FRE"]) == ["Ana Ferrow"]


def test_no_signing_verb_no_signatory() -> None:
    sent = "Minister Ana Ferrow praised the accord with Ruritania."
    doc = doc_for(sent)
    assert signatories_of(doc, 0, sent, 0, sent.index("accord"), ["FRE", "RUR"]) == []
