"""Every schema is a valid draft 2020-12 schema with an $id and version; fixtures validate."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from accords import validate

RUN_ID = "20260101T000000Z-0123abcd"
SHA = "a" * 64

FIXTURES = {
    "article": {
        "article_id": SHA, "source_path": "a.txt", "source_sha256": SHA, "title": "T",
        "published": "2026-01-02", "url": None, "source": None, "language": "en", "text": "Body.",
        "text_chars": 5, "run_id": RUN_ID, "extractor_version": "1", "schema_version": "1.0.0",
        "ingested_at": "2026-01-01T00:00:00+00:00",
    },
    "entity": {
        "article_id": SHA, "entity_id": "0123456789abcdef", "type": "COUNTRY", "name": "Chile",
        "aliases": ["Chile", "Chilean"], "country_code": "CHL", "role": None, "acronym": None,
        "mention_count": 2, "run_id": RUN_ID, "extractor_version": "1", "schema_version": "1.0.0",
    },
    "mention": {
        "article_id": SHA, "entity_id": "0123456789abcdef", "start": 0, "end": 5, "text": "Chile",
        "run_id": RUN_ID, "extractor_version": "1", "schema_version": "1.0.0",
    },
    "agreement": {
        "article_id": SHA, "agreement_id": "0123456789abcdef", "kind": "memorandum_of_understanding",
        "name": "MoU on Energy", "status": "signed", "parties": ["CHL", "KOR"],
        "signatories": ["Gabriel Boric"], "fields": ["energy"], "date": "2026-01-05", "location": "Seoul",
        "evidence": "They signed an MoU.", "evidence_start": 0, "evidence_end": 19, "run_id": RUN_ID,
        "extractor_version": "1", "schema_version": "1.1.0", "meeting_id": "fedcba9876543210",
    },
    "meeting": {
        "article_id": SHA, "meeting_id": "fedcba9876543210", "kind": "visit", "status": "held",
        "participants": ["Gabriel Boric", "Lee Jae-myung"], "participant_ids": ["1111111111111111",
                                                                                "2222222222222222"],
        "countries": ["CHL", "KOR"], "location": "Seoul", "date": "2026-01-05",
        "evidence": "Boric visited Seoul.", "evidence_start": 0, "evidence_end": 20, "run_id": RUN_ID,
        "extractor_version": "1", "schema_version": "1.0.0",
    },
    "run": {
        "run_id": RUN_ID, "flow_run_id": None, "started_at": "2026-01-01T00:00:00+00:00",
        "finished_at": "2026-01-01T00:00:01+00:00", "status": "completed", "trigger": "manual",
        "command": "ingest", "raw_dir": "raw", "files_seen": 1, "files_new": 1, "files_changed": 0,
        "files_unchanged": 0, "files_failed": 0, "files_skipped": 0, "articles_written": 1,
        "entities_written": 1, "mentions_written": 1, "agreements_written": 0, "meetings_written": 0,
        "records_quarantined": 0, "duration_s": 1.0, "extractor_version": "1", "schema_version": "1.1.0",
        "error": None,
    },
    "ingestion": {
        "run_id": RUN_ID, "path": "a.txt", "sha256": SHA, "size_bytes": 10, "mtime_ns": 1,
        "status": "new", "articles": 1, "article_ids": [SHA], "error": None, "schema_version": "1.0.0",
        "ingested_at": "2026-01-01T00:00:00+00:00",
    },
    "agreement_event": {
        "event_id": "00112233445566aa", "kind": "treaty", "kind_class": "agreement",
        "name": "Extradition Treaty", "parties": ["CHL", "KOR"], "fields": ["law_justice"],
        "status": "signed", "planned_reported": "2026-01-01", "planned_article_id": SHA,
        "agreed_reported": None, "agreed_article_id": None, "signed_reported": "2026-02-01",
        "signed_article_id": "b" * 64, "signed_on": "2026-01-31", "first_reported": "2026-01-01",
        "last_reported": "2026-02-01", "article_count": 2, "agreement_count": 2,
        "agreement_ids": ["0123456789abcdef", "1123456789abcdef"], "renewal": False,
        "renews_event_id": None, "run_id": RUN_ID, "schema_version": "1.0.0",
    },
    "agreement_event_link": {
        "event_id": "00112233445566aa", "agreement_id": "1123456789abcdef", "article_id": "b" * 64,
        "linked_to": "0123456789abcdef", "reason": "name 1.00; parties equal", "score": 2.0,
        "blocks": ["agreement|CHL|KOR"], "kind": "treaty", "name": "Extradition Treaty",
        "status": "signed", "parties": ["CHL", "KOR"], "fields": ["law_justice"],
        "date": "2026-01-31", "reported": "2026-02-01", "renewal": False, "run_id": RUN_ID,
        "schema_version": "1.0.0",
    },
}


@pytest.mark.parametrize("record_type", validate.RECORD_TYPES)
def test_schema_is_valid_and_versioned(record_type: str) -> None:
    schema = json.loads((validate.SCHEMA_DIR / f"{record_type}.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["$id"].endswith(f"/{record_type}/{schema['version']}")
    assert validate.schema_version(record_type) == schema["version"]


@pytest.mark.parametrize("record_type", validate.RECORD_TYPES)
def test_fixture_validates(record_type: str) -> None:
    assert validate.schema_errors(record_type, FIXTURES[record_type]) == []


def test_closed_vocabularies_are_enforced() -> None:
    bad = {**FIXTURES["agreement"], "kind": "handshake", "status": "rumoured", "fields": ["trade", "gossip"]}
    paths = {e["path"] for e in validate.schema_errors("agreement", bad)}
    assert {"/kind", "/status", "/fields/1"} <= paths


def test_country_entity_needs_a_code() -> None:
    bad = {**FIXTURES["entity"], "country_code": None}
    assert validate.schema_errors("entity", bad)


def test_dates_are_format_checked() -> None:
    bad = {**FIXTURES["article"], "published": "2026-13-45"}
    assert [e["path"] for e in validate.schema_errors("article", bad)] == ["/published"]


def test_agreement_meeting_id_is_optional_and_nullable() -> None:
    base = {k: v for k, v in FIXTURES["agreement"].items() if k != "meeting_id"}
    assert validate.schema_errors("agreement", base) == []  # agreements written before 1.1.0
    assert validate.schema_errors("agreement", {**base, "meeting_id": None}) == []
    paths = {e["path"] for e in validate.schema_errors("agreement", {**base, "meeting_id": "M1"})}
    assert paths == {"/meeting_id"}


def test_runs_recorded_before_meetings_still_validate() -> None:
    old = {k: v for k, v in FIXTURES["run"].items() if k != "meetings_written"}
    assert validate.schema_errors("run", old) == []


def test_meeting_vocabularies_and_lists() -> None:
    good = FIXTURES["meeting"]
    bad = {**good, "kind": "handshake", "status": "rumoured", "countries": ["CHL", "chl", "KOREA"],
           "participants": ["Gabriel Boric", "Gabriel Boric"], "participant_ids": ["xyz"]}
    paths = {e["path"] for e in validate.schema_errors("meeting", bad)}
    expected = {"/kind", "/status", "/countries/1", "/countries/2", "/participants", "/participant_ids/0"}
    assert expected <= paths


def test_meeting_requires_every_field_but_allows_null_location_and_date() -> None:
    good = FIXTURES["meeting"]
    assert validate.schema_errors("meeting", {**good, "location": None, "date": None}) == []
    for key in good:
        missing = {k: v for k, v in good.items() if k != key}
        assert validate.schema_errors("meeting", missing), key
    assert [e["path"] for e in validate.schema_errors("meeting", {**good, "date": "2026-02-30"})] == ["/date"]
    assert validate.schema_errors("meeting", {**good, "meeting_id": "F" * 16})
    assert validate.schema_errors("meeting", {**good, "agreement_id": "0" * 16})
