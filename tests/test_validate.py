"""Cross-record rules and partitioning into valid and quarantined records."""

from __future__ import annotations

from accords import validate
from accords.records import Extraction
from tests.test_schemas import FIXTURES

TEXT = "Chile signed it."
MEETING_ID = FIXTURES["meeting"]["meeting_id"]
BORIC, LEE = FIXTURES["meeting"]["participant_ids"]


def ctx() -> validate.ArticleContext:
    return validate.ArticleContext(text=TEXT, entity_ids={"0123456789abcdef", BORIC, LEE},
                                   person_names={"Gabriel Boric", "Lee Jae-myung"}, meeting_ids={MEETING_ID})


def test_mention_span_must_match_text() -> None:
    good = {**FIXTURES["mention"], "start": 0, "end": 5, "text": "Chile"}
    assert validate.check("mention", good, ctx()) == []
    shifted = {**good, "start": 1, "end": 6}
    errs = validate.check("mention", shifted, ctx())
    assert errs and errs[0]["path"] == "/text"
    outside = {**good, "start": 10, "end": 99}
    assert "outside the text" in validate.check("mention", outside, ctx())[0]["message"]


def test_mention_must_refer_to_an_entity() -> None:
    orphan = {**FIXTURES["mention"], "entity_id": "ffffffffffffffff", "start": 0, "end": 5, "text": "Chile"}
    assert validate.check("mention", orphan, ctx())[0]["path"] == "/entity_id"


def test_agreement_rules() -> None:
    rec = {**FIXTURES["agreement"], "evidence": TEXT, "evidence_start": 0, "evidence_end": len(TEXT)}
    assert validate.check("agreement", rec, ctx()) == []
    bad = {**rec, "parties": ["CHL", "XYZ"], "signatories": ["Nobody Here"]}
    paths = [e["path"] for e in validate.check("agreement", bad, ctx())]
    assert paths == ["/parties/1", "/signatories/0"]


def test_unknown_country_code_on_entity() -> None:
    rec = {**FIXTURES["entity"], "country_code": "QQQ"}
    assert validate.check("entity", rec, ctx())[0]["path"] == "/country_code"
    assert validate.check("entity", {**rec, "country_code": "SUN"}, ctx()) == []


def test_partition_keeps_valid_and_returns_every_error() -> None:
    good = {**FIXTURES["mention"], "start": 0, "end": 5, "text": "Chile"}
    bad = {**good, "start": -1, "run_id": "nope"}
    valid, quarantined = validate.partition("mention", [good, bad], ctx())
    assert valid == [good]
    assert len(quarantined) == 1
    assert {e["path"] for e in quarantined[0][1]} >= {"/start", "/run_id"}


def _variants(record: dict) -> list[dict]:
    """Valid and invalid variants of a record: each field removed, nulled, retyped, garbled."""
    out = [record]
    for key, value in record.items():
        out.append({k: v for k, v in record.items() if k != key})
        out.append({**record, key: None})
        out.append({**record, key: 12345})
        out.append({**record, key: "not-a-valid-value-!"})
        out.append({**record, key: [value]})
        if isinstance(value, list):
            out.append({**record, key: [*value, *value]})
            out.append({**record, key: [None]})
        if isinstance(value, int):
            out.append({**record, key: -1})
    out.append({**record, "unexpected": 1})
    return out


def test_compiled_fast_path_agrees_with_jsonschema() -> None:
    from tests.test_schemas import FIXTURES

    for rtype, record in FIXTURES.items():
        validator = validate._validator(rtype)
        for variant in _variants(record):
            fast_ok = validate.schema_errors(rtype, variant) == []
            assert fast_ok == validator.is_valid(variant), (rtype, variant)


def test_organization_acronym_is_a_valid_party() -> None:
    from tests.test_schemas import FIXTURES

    rec = {**FIXTURES["agreement"], "evidence": TEXT, "evidence_start": 0, "evidence_end": len(TEXT),
           "parties": ["CHL", "IMF"], "signatories": [], "meeting_id": None}
    with_org = validate.ArticleContext(text=TEXT, org_names={"International Monetary Fund", "IMF"})
    assert validate.check("agreement", rec, with_org) == []
    assert [e["path"] for e in validate.check("agreement", rec, ctx())] == ["/parties/1"]


def _meeting(**changes: object) -> dict:
    span = {"evidence": TEXT, "evidence_start": 0, "evidence_end": len(TEXT)}
    return {**FIXTURES["meeting"], **span, **changes}


def test_meeting_rules_accept_a_consistent_meeting() -> None:
    assert validate.check("meeting", _meeting(), ctx()) == []
    assert validate.check("meeting", _meeting(countries=["SUN", "KOR"]), ctx()) == []  # historical code


def test_meeting_participants_must_be_persons_of_the_article() -> None:
    rec = _meeting(participants=["Gabriel Boric", "Nobody Here"], participant_ids=[BORIC, "9" * 16])
    paths = [e["path"] for e in validate.check("meeting", rec, ctx())]
    assert paths == ["/participants/1", "/participant_ids/1"]


def test_meeting_evidence_offsets_and_country_codes() -> None:
    shifted = _meeting(evidence_start=1, evidence_end=len(TEXT) + 1)
    assert [e["path"] for e in validate.check("meeting", shifted, ctx())] == ["/evidence"]
    wrong = _meeting(evidence="Chile signed it!")
    assert [e["path"] for e in validate.check("meeting", wrong, ctx())] == ["/evidence"]
    # The pattern passes three capitals; the rule knows which are countries (as for entities).
    assert [e["path"] for e in validate.check("meeting", _meeting(countries=["CHL", "QQQ"]), ctx())] == \
        ["/countries/1"]


def test_agreement_meeting_id_must_name_a_meeting_of_the_article() -> None:
    rec = {**FIXTURES["agreement"], "evidence": TEXT, "evidence_start": 0, "evidence_end": len(TEXT)}
    assert validate.check("agreement", {**rec, "meeting_id": None}, ctx()) == []
    assert validate.check("agreement", {**rec, "meeting_id": MEETING_ID}, ctx()) == []
    other = {**rec, "meeting_id": "0" * 16}
    assert [e["path"] for e in validate.check("agreement", other, ctx())] == ["/meeting_id"]


def test_article_context_from_an_extraction() -> None:
    result = Extraction(
        entities=[{"entity_id": BORIC, "type": "PERSON", "name": "Gabriel Boric"},
                  {"entity_id": "5" * 16, "type": "ORGANIZATION", "name": "World Bank", "acronym": "WB",
                   "aliases": ["the Bank"]}],
        meetings=[{"meeting_id": MEETING_ID}],
    )
    got = validate.article_context(TEXT, result)
    assert got.entity_ids == {BORIC, "5" * 16} and got.person_names == {"Gabriel Boric"}
    assert got.org_names == {"World Bank", "WB", "the Bank"} and got.meeting_ids == {MEETING_ID}
