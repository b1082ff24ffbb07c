"""Tests for agreement records being built and the merging of coreferent mentions."""

from __future__ import annotations

from accords.extract.agreement_records import AgreementRecord, add_record, company_deal
from tests.agreement_helpers import doc_for


def _rec(kind: str, status: str, fields: list[str], name: str | None = None) -> AgreementRecord:
    return AgreementRecord(
        kind=kind, status=status, parties=["FRE", "RUR"], weak_parties=False, signatories=[],
        fields=fields, name=name, date=None, location=None, start=0, end=10,
    )  # fmt: skip


def test_an_anaphor_merges_into_the_earlier_record() -> None:
    doc = doc_for("Freedonia and Ruritania agreed an MoU on tourism. The MoU was signed.")
    add_record(doc, _rec("memorandum_of_understanding", "agreed", ["tourism"], "MoU on tourism"), False)
    add_record(doc, _rec("memorandum_of_understanding", "signed", ["culture"]), True)
    assert len(doc.records) == 1
    assert doc.records[0].status == "signed"
    assert doc.records[0].fields == ["culture", "tourism"]  # vocabulary order


def test_another_kind_is_another_record_and_a_lone_anaphor_adds_none() -> None:
    doc = doc_for("Freedonia and Ruritania signed a treaty.")
    add_record(doc, _rec("memorandum_of_understanding", "signed", ["tourism"], "MoU on tourism"), False)
    add_record(doc, _rec("treaty", "signed", [], "treaty on borders"), False)
    add_record(doc, _rec("joint_statement", "signed", []), True)
    assert [r.kind for r in doc.records] == ["memorandum_of_understanding", "treaty"]
    assert not company_deal(doc.records[0])
