"""The whole pipeline without Prefect: tables, idempotency, changes, quarantine, locking."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from accords import extract as extract_mod
from accords import pipeline
from accords.history import file_article_ids
from accords.query import query
from accords.records import Extraction
from accords.runner import run_ingest
from accords.warehouse import WarehouseLock, read_table

DATA_TABLES = ("articles", "entities", "mentions", "agreements", "meetings")
VOLATILE = {"run_id", "ingested_at"}


def snapshot(wh: Path, table: str) -> list[tuple]:
    rows = read_table(wh, table).to_pylist()
    return sorted(tuple((k, json.dumps(v, default=str)) for k, v in sorted(r.items()) if k not in VOLATILE)
                  for r in rows)


def quiet(msg: str) -> None:
    pass


def test_first_run_writes_every_table(settings) -> None:
    res = run_ingest(settings, log=quiet)
    assert res.row["status"] == "completed"
    wh = settings.warehouse_dir
    arts = read_table(wh, "articles").to_pylist()
    assert sorted(a["source_path"] for a in arts) == [
        "deal.json", "news/briefs.jsonl#1", "news/briefs.jsonl#2", "visit.txt"]
    deal = next(a for a in arts if a["source_path"] == "deal.json")
    assert deal["title"] == "Egypt and Greece agree maritime accord"
    assert str(deal["published"]) == "2026-02-11" and deal["url"] == "https://example.org/a"
    assert deal["text_chars"] == len(deal["text"]) and deal["schema_version"] == "1.0.0"
    visit = next(a for a in arts if a["source_path"] == "visit.txt")
    assert visit["title"] == "Chile and Korea sign trade agreement"
    assert read_table(wh, "entities").num_rows > 0
    mentions = read_table(wh, "mentions").to_pylist()
    texts = {a["article_id"]: a["text"] for a in arts}
    assert mentions and all(texts[m["article_id"]][m["start"]:m["end"]] == m["text"] for m in mentions)
    ing = read_table(wh, "ingestions").to_pylist()
    assert sorted((r["path"], r["status"], r["articles"]) for r in ing) == [
        ("deal.json", "new", 1), ("news/briefs.jsonl", "new", 2), ("visit.txt", "new", 1)]
    runs = read_table(wh, "runs").to_pylist()
    assert len(runs) == 1 and runs[0]["articles_written"] == 4 and runs[0]["files_new"] == 3
    assert runs[0]["entities_written"] == read_table(wh, "entities").num_rows


def test_rerun_is_idempotent(settings) -> None:
    run_ingest(settings, log=quiet)
    before = {t: snapshot(settings.warehouse_dir, t) for t in DATA_TABLES}
    res = run_ingest(settings, log=quiet)
    assert res.row["articles_written"] == 0 and res.row["files_unchanged"] == 3
    assert {t: snapshot(settings.warehouse_dir, t) for t in DATA_TABLES} == before
    assert read_table(settings.warehouse_dir, "runs").num_rows == 2
    # --verify-hashes re-reads every file and still finds nothing new.
    res = run_ingest(replace(settings, verify_hashes=True), log=quiet)
    assert res.row["files_unchanged"] == 3 and res.row["articles_written"] == 0


def test_only_verify_hashes_sees_an_edit_that_keeps_size_and_mtime(settings, capsys, monkeypatch) -> None:
    from accords.cli import main

    run_ingest(settings, log=quiet)
    p = settings.raw_dir / "visit.txt"
    before = p.stat()
    edited = p.read_text().replace("Chilean copper", "Chilean silver")  # same length, new text
    assert edited != p.read_text() and len(edited.encode()) == before.st_size
    p.write_text(edited)
    os.utime(p, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (p.stat().st_size, p.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)

    def silver_articles() -> list[dict]:
        arts = read_table(settings.warehouse_dir, "articles").to_pylist()
        return [a for a in arts if "silver" in a["text"]]

    # Without the flag, same size and mtime are trusted: the edit goes unseen.
    res = run_ingest(settings, log=quiet)
    assert (res.row["files_unchanged"], res.row["files_changed"], res.row["articles_written"]) == (3, 0, 0)
    assert silver_articles() == []
    # With it (through the command line, so the flag itself is what is tested), the file is re-read.
    monkeypatch.setenv("ACCORDS_SETTLE_SECONDS", "0")
    wh = ["--raw", str(settings.raw_dir), "--warehouse", str(settings.warehouse_dir)]
    assert main(["ingest", "--no-prefect", "--verify-hashes", *wh]) == 0
    capsys.readouterr()
    last = max(read_table(settings.warehouse_dir, "runs").to_pylist(), key=lambda r: r["started_at"])
    assert (last["files_unchanged"], last["files_changed"], last["articles_written"]) == (2, 1, 1)
    assert [a["source_path"] for a in silver_articles()] == ["visit.txt"]
    changed = [r for r in read_table(settings.warehouse_dir, "ingestions").to_pylist()
               if r["path"] == "visit.txt" and r["status"] == "changed"]
    assert changed and changed[0]["articles"] == 1
    assert file_article_ids(settings.warehouse_dir, "visit.txt") == [silver_articles()[0]["article_id"]]


def test_changed_file_adds_its_new_article(settings) -> None:
    run_ingest(settings, log=quiet)
    p = settings.raw_dir / "visit.txt"
    p.write_text(p.read_text() + "\nA second paragraph about Peru.\n")
    os.utime(p, (1_600_000_100, 1_600_000_100))
    res = run_ingest(settings, log=quiet)
    assert res.row["files_changed"] == 1 and res.row["articles_written"] == 1
    arts = [a for a in read_table(settings.warehouse_dir, "articles").to_pylist()
            if a["source_path"] == "visit.txt"]
    assert len(arts) == 2
    latest = [r for r in read_table(settings.warehouse_dir, "ingestions").to_pylist()
              if r["path"] == "visit.txt" and r["status"] == "changed"]
    assert latest[0]["articles"] == 1
    peru = [a["article_id"] for a in arts if "Peru" in a["text"]]
    assert file_article_ids(settings.warehouse_dir, "visit.txt") == peru
    # The rerun (unchanged) still links the file to its changed article, in DuckDB too.
    run_ingest(settings, log=quiet)
    assert file_article_ids(settings.warehouse_dir, "visit.txt") == peru
    links = query("select article_id from file_links where path = 'visit.txt'", settings.warehouse_dir)
    assert links["article_id"].tolist() == peru


def test_same_text_in_two_files_is_one_article(settings) -> None:
    (settings.raw_dir / "copy.txt").write_bytes((settings.raw_dir / "visit.txt").read_bytes())
    os.utime(settings.raw_dir / "copy.txt", (1_600_000_000, 1_600_000_000))
    run_ingest(settings, log=quiet)
    arts = read_table(settings.warehouse_dir, "articles").to_pylist()
    assert len({a["article_id"] for a in arts}) == len(arts) == 4
    copy = file_article_ids(settings.warehouse_dir, "copy.txt")
    assert copy and copy == file_article_ids(settings.warehouse_dir, "visit.txt")


def test_bad_file_fails_alone(settings) -> None:
    (settings.raw_dir / "broken.json").write_text('{"title": "x", "text": ')
    os.utime(settings.raw_dir / "broken.json", (1_600_000_000, 1_600_000_000))
    res = run_ingest(settings, log=quiet)
    assert res.row["status"] == "completed_with_errors" and res.row["files_failed"] == 1
    assert res.row["articles_written"] == 4
    ingestions = read_table(settings.warehouse_dir, "ingestions").to_pylist()
    failed = [r for r in ingestions if r["status"] == "failed"]
    assert failed[0]["path"] == "broken.json" and failed[0]["error"]


def test_invalid_record_is_quarantined_and_the_rest_written(settings, monkeypatch) -> None:
    real = extract_mod.extract

    def with_bad_agreement(text, title=None, published=None):  # noqa: ANN001, ANN202
        res = real(text, title, published)
        bad = {"agreement_id": "00000000000000ff", "kind": "handshake", "name": None, "status": "signed",
               "parties": ["ZZZ"], "signatories": [], "fields": [], "date": None, "location": None,
               "evidence": text[:10], "evidence_start": 0, "evidence_end": 10}
        return replace(res, agreements=[*res.agreements, bad])

    monkeypatch.setattr(pipeline, "extract", with_bad_agreement)
    res = run_ingest(settings, log=quiet)
    assert res.row["records_quarantined"] == 4 and res.row["status"] == "completed_with_errors"
    q = read_table(settings.warehouse_dir, "quarantine").to_pylist()
    assert len(q) == 4 and {r["record_type"] for r in q} == {"agreement"}
    messages = {e["path"]: e["message"] for e in q[0]["errors"]}
    assert "/kind" in messages and "/parties/0" in messages
    assert json.loads(q[0]["record_json"])["kind"] == "handshake"
    assert q[0]["schema_id"].endswith("/agreement/1.1.0")
    assert read_table(settings.warehouse_dir, "articles").num_rows == 4
    assert read_table(settings.warehouse_dir, "entities").num_rows > 0


def test_bad_jsonl_lines_are_quarantined_good_lines_ingested(settings) -> None:
    p = settings.raw_dir / "mixed.jsonl"
    p.write_text('{"text": "Peru and Bolivia signed a border protocol."}\n[1, 2]\n{"text": \n')
    os.utime(p, (1_600_000_000, 1_600_000_000))
    res = run_ingest(settings, log=quiet)
    assert res.row["articles_written"] == 5
    q = [r for r in read_table(settings.warehouse_dir, "quarantine").to_pylist()
         if r["source_path"].startswith("mixed.jsonl#")]
    assert sorted(r["source_path"] for r in q) == ["mixed.jsonl#2", "mixed.jsonl#3"]


def test_second_writer_is_skipped_with_reason(settings) -> None:
    settings.warehouse_dir.mkdir(parents=True)
    lock = WarehouseLock(settings.warehouse_dir)
    lock.acquire(owner="other run")
    try:
        res = run_ingest(settings, log=quiet)
    finally:
        lock.release()
    assert res.row["status"] == "skipped" and "another ingestion" in res.row["error"]
    assert read_table(settings.warehouse_dir, "articles").num_rows == 0
    assert read_table(settings.warehouse_dir, "runs").to_pylist()[0]["status"] == "skipped"


def test_missing_raw_dir_fails_cleanly(settings, tmp_path) -> None:
    res = run_ingest(replace(settings, raw_dir=tmp_path / "nope"), log=quiet)
    assert res.failed and "does not exist" in res.row["error"]
    assert read_table(settings.warehouse_dir, "runs").to_pylist()[0]["status"] == "failed"


@pytest.mark.parametrize("batch_size", [1, 2])
def test_batching_does_not_change_results(settings, batch_size, tmp_path) -> None:
    run_ingest(settings, log=quiet)
    other = replace(settings, warehouse_dir=tmp_path / "wh2", batch_size=batch_size)
    run_ingest(other, log=quiet)
    for t in DATA_TABLES:
        assert snapshot(settings.warehouse_dir, t) == snapshot(other.warehouse_dir, t)


def test_reprocess_replaces_extraction_rows_atomically(settings, monkeypatch) -> None:
    from accords.runner import run_reprocess

    run_ingest(settings, log=quiet)
    before = {t: snapshot(settings.warehouse_dir, t) for t in DATA_TABLES}
    res = run_reprocess(settings, log=quiet)
    assert res.row["command"] == "reprocess" and res.row["status"] == "completed"
    # Same extractor: identical rows (run ids aside), none duplicated.
    assert {t: snapshot(settings.warehouse_dir, t) for t in DATA_TABLES} == before
    # A new extractor version replaces every extraction row of the old one.
    monkeypatch.setattr(pipeline, "EXTRACTOR_VERSION", "test-next")
    run_reprocess(settings, log=quiet)
    for t in ("entities", "mentions", "agreements", "meetings"):
        versions = set(read_table(settings.warehouse_dir, t).column("extractor_version").to_pylist())
        assert versions <= {"test-next"}
    assert snapshot(settings.warehouse_dir, "articles") == before["articles"]


def test_compact_merges_files_without_changing_rows(settings) -> None:
    from accords.runner import run_compact
    from accords.warehouse import TABLES, table_files

    for i in range(4):
        p = settings.raw_dir / f"extra{i}.txt"
        p.write_text(f"Update {i}\n\nMinisters of Peru and Chile met in Lima on day {i}.\n")
        os.utime(p, (1_600_000_000, 1_600_000_000))
        run_ingest(settings, log=quiet)
    before = {t: snapshot(settings.warehouse_dir, t) for t in (*DATA_TABLES, "ingestions")}
    assert len(table_files(settings.warehouse_dir, "ingestions")) == 4
    res = run_compact(settings, log=quiet)
    assert res.row["status"] == "completed"
    assert all(len(table_files(settings.warehouse_dir, t)) <= 1 for t in TABLES)
    assert {t: snapshot(settings.warehouse_dir, t) for t in (*DATA_TABLES, "ingestions")} == before
    assert read_table(settings.warehouse_dir, "runs").num_rows == 5


def test_small_files_are_compacted_automatically(settings) -> None:
    from accords.warehouse import TABLES, table_files

    auto = replace(settings, compact_after_files=3)
    for i in range(6):
        p = settings.raw_dir / f"one{i}.txt"
        p.write_text(f"Brief {i}\n\nOfficials of Chile and Peru met in Lima, meeting number {i}.\n")
        os.utime(p, (1_600_000_000, 1_600_000_000))
        run_ingest(auto, log=quiet)
        assert all(len(table_files(settings.warehouse_dir, t)) <= 3 for t in TABLES)
    runs = read_table(settings.warehouse_dir, "runs").to_pylist()
    assert {r["command"] for r in runs} == {"ingest", "compact"}
    assert sum(r["command"] == "ingest" for r in runs) == 6
    assert read_table(settings.warehouse_dir, "articles").num_rows == 4 + 6


def test_file_batches_respect_files_and_bytes() -> None:
    from pathlib import Path

    from accords.discover import FoundFile

    def f(size: int) -> tuple:
        return (FoundFile(Path("/x"), "x", size, 0), None)

    sizes = [len(b) for b in pipeline.file_batches([f(10)] * 7, max_files=3, max_bytes=1000)]
    assert sizes == [3, 3, 1]
    sizes = [len(b) for b in pipeline.file_batches([f(600), f(600), f(100), f(5000), f(1)], 10, 1000)]
    assert sizes == [1, 2, 1, 1]  # a file larger than the cap still gets a batch of its own


@pytest.mark.parametrize("verify_hashes", [False, True])
def test_arrow_split_matches_the_per_file_rule(verify_hashes: bool) -> None:
    from datetime import UTC, datetime

    import pyarrow as pa

    from accords.discover import FoundFile
    from accords.history import STATE_COLUMNS, FileState
    from accords.warehouse import TABLE_SCHEMAS, to_arrow

    states = {
        # An old warehouse's rows list their article ids; newer ones only count them.
        "same.json": FileState("a" * 64, 10, 100, ("id1", "id2"), 2),
        "touched.json": FileState("b" * 64, 10, 100, ("id3",), 1),
        "resized.json": FileState("c" * 64, 10, 100, (), 0),
        "no-size.json": FileState("d" * 64, None, 100, ("id4",), 1),
        "gone.json": FileState("e" * 64, 5, 5, ("id5",), 1),
        "también.json": FileState("f" * 64, 7, 70, (), 3),
    }
    schema = pa.schema([TABLE_SCHEMAS["ingestions"].field(c) for c in STATE_COLUMNS])
    table = pa.Table.from_pylist([{"path": p, "sha256": s.sha256, "size_bytes": s.size_bytes,
                                   "mtime_ns": s.mtime_ns, "article_ids": list(s.article_ids),
                                   "articles": s.articles}
                                  for p, s in states.items()], schema=schema)
    found = [FoundFile(Path(f"/raw/{p}"), p, size, mtime) for p, size, mtime in [
        ("new.json", 1, 1), ("no-size.json", 10, 100), ("resized.json", 11, 100), ("same.json", 10, 100),
        ("también.json", 7, 70), ("touched.json", 10, 101)]]
    ctx = pipeline.BatchContext(run_id="r1", ingested_at=datetime(2026, 1, 2, tzinfo=UTC).isoformat(),
                                max_file_bytes=1000, max_extract_chars=1000, verify_hashes=verify_hashes,
                                known_article_ids=frozenset())

    rows, work = pipeline.split_unchanged(found, table, ctx)

    expected_work, expected_rows = [], []
    for f in found:
        prev = states.get(f.rel_path)
        if pipeline.trusted_unchanged(f, prev, ctx):
            expected_rows.append(pipeline.unchanged_row(f, prev, ctx))
        else:
            expected_work.append((f, prev))
    assert work == expected_work
    assert len(expected_rows) == (0 if verify_hashes else 2)
    got = pipeline.unchanged_ingestions(table, rows, ctx)
    assert got.schema == TABLE_SCHEMAS["ingestions"]
    assert got.to_pylist() == to_arrow("ingestions", expected_rows).to_pylist()
    assert pipeline.split_unchanged(found, table.slice(0, 0), ctx) == (pa.array([], pa.int32()),
                                                                        [(f, None) for f in found])


def _by_article(wh: Path, table: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in read_table(wh, table).to_pylist():
        out.setdefault(row["article_id"], []).append(row)
    return out


def test_meetings_written_with_ids_scoped_to_their_article(settings, monkeypatch) -> None:
    from accords.extract import meetings as meetings_mod
    from accords.ids import stable_id
    from tests.conftest import STATE_VISIT, meetings_from_persons

    monkeypatch.setattr(meetings_mod, "extract_meetings", meetings_from_persons)
    # Same first sentence (so the same extractor meeting id) in a second, different article.
    again = settings.raw_dir / "visit-again.txt"
    again.write_text(STATE_VISIT + "The visit ended with a state dinner.\n", encoding="utf-8")
    os.utime(again, (1_600_000_000, 1_600_000_000))
    res = run_ingest(replace(settings, workers=1), log=quiet)
    wh = settings.warehouse_dir
    assert res.row["status"] == "completed" and read_table(wh, "quarantine").num_rows == 0
    texts = {a["article_id"]: a["text"] for a in read_table(wh, "articles").to_pylist()}
    persons = {(e["article_id"], e["name"], e["entity_id"]) for e in read_table(wh, "entities").to_pylist()
               if e["type"] == "PERSON"}
    meetings = _by_article(wh, "meetings")
    assert res.row["meetings_written"] == sum(map(len, meetings.values())) >= 3
    for aid, rows in meetings.items():
        (m,) = rows
        assert texts[aid][m["evidence_start"]:m["evidence_end"]] == m["evidence"]
        assert m["meeting_id"] == stable_id(aid, stable_id("test-meeting", m["evidence"]))
        assert {(aid, n, i) for n, i in zip(m["participants"], m["participant_ids"], strict=True)} <= persons
    visits = [rows[0]["meeting_id"] for rows in meetings.values() if "Seoul" in rows[0]["evidence"]]
    assert len(visits) == len(set(visits)) == 2  # one wording, two articles, two ids
    for aid, agreements in _by_article(wh, "agreements").items():
        expected = meetings[aid][0]["meeting_id"] if aid in meetings else None
        assert {a["meeting_id"] for a in agreements} == {expected}


def test_meeting_rules_quarantine_bad_meetings_and_agreement_links(settings, monkeypatch) -> None:
    from accords.ids import article_id, stable_id

    text = "Foreign ministers Ana Lopez of Peru and Marta Silva of Bolivia met in La Paz on Friday."
    p = settings.raw_dir / "talks.txt"
    p.write_text(text, encoding="utf-8")
    os.utime(p, (1_600_000_000, 1_600_000_000))

    def fake(t, title=None, published=None):  # noqa: ANN001, ANN202
        if t != text:
            return Extraction()
        found = [("1", "PERSON", "Ana Lopez", "PER"), ("2", "PERSON", "Marta Silva", "BOL"),
                 ("3", "COUNTRY", "Peru", "PER"), ("4", "COUNTRY", "Bolivia", "BOL")]
        ents = [{"entity_id": i * 16, "type": typ, "name": n, "aliases": [], "country_code": c, "role": None,
                 "acronym": None, "mention_count": 1} for i, typ, n, c in found]
        good = {"meeting_id": "a" * 16, "kind": "meeting", "status": "held",
                "participants": ["Ana Lopez", "Marta Silva"], "participant_ids": ["1" * 16, "2" * 16],
                "countries": ["PER", "BOL"], "location": "La Paz", "date": None, "evidence": t,
                "evidence_start": 0, "evidence_end": len(t)}
        stranger = {**good, "meeting_id": "b" * 16, "participants": ["Ana Lopez", "Carlos Nobody"],
                    "participant_ids": ["1" * 16, "9" * 16]}
        shifted = {**good, "meeting_id": "c" * 16, "evidence_start": 1, "evidence_end": len(t) + 1}
        unknown = {**good, "meeting_id": "d" * 16, "countries": ["PER", "QQQ"]}
        agreement = {"agreement_id": "e" * 16, "kind": "protocol", "name": None, "status": "signed",
                     "parties": ["PER", "BOL"], "signatories": [], "fields": [], "date": None,
                     "location": "La Paz", "meeting_id": "a" * 16, "evidence": t, "evidence_start": 0,
                     "evidence_end": len(t)}
        elsewhere = {**agreement, "agreement_id": "f" * 16, "meeting_id": "0" * 16}
        return Extraction(ents, [], [agreement, elsewhere], [good, stranger, shifted, unknown])

    monkeypatch.setattr(pipeline, "extract", fake)
    res = run_ingest(replace(settings, workers=1), log=quiet)
    wh, aid = settings.warehouse_dir, article_id(text)
    q = [r for r in read_table(wh, "quarantine").to_pylist() if r["article_id"] == aid]
    errors = {(r["record_type"], json.loads(r["record_json"]).get("agreement_id")
               or json.loads(r["record_json"])["meeting_id"]): {e["path"] for e in r["errors"]} for r in q}
    assert errors == {
        ("meeting", stable_id(aid, "b" * 16)): {"/participants/1", "/participant_ids/1"},
        ("meeting", stable_id(aid, "c" * 16)): {"/evidence"},
        ("meeting", stable_id(aid, "d" * 16)): {"/countries/1"},
        ("agreement", stable_id(aid, "f" * 16)): {"/meeting_id"},
    }
    assert {(r["record_type"], r["schema_id"].rsplit("/", 2)[1]) for r in q} == \
        {("meeting", "meeting"), ("agreement", "agreement")}
    (meeting,) = _by_article(wh, "meetings")[aid]
    (agreement,) = _by_article(wh, "agreements")[aid]
    assert meeting["meeting_id"] == agreement["meeting_id"] == stable_id(aid, "a" * 16)
    assert meeting["participants"] == ["Ana Lopez", "Marta Silva"] and meeting["location"] == "La Paz"
    assert res.row["meetings_written"] == 1 and res.row["records_quarantined"] == 4
    assert res.row["status"] == "completed_with_errors"


def test_reprocess_fills_meetings_for_stored_articles(settings, monkeypatch) -> None:
    from accords.extract import meetings as meetings_mod
    from accords.runner import run_reprocess
    from tests.conftest import meetings_from_persons

    settings = replace(settings, workers=1)
    # Articles stored by an extractor that found no meetings...
    monkeypatch.setattr(meetings_mod, "extract_meetings", lambda *args: ([], args[-1]))
    run_ingest(settings, log=quiet)
    wh = settings.warehouse_dir
    assert read_table(wh, "meetings").num_rows == 0
    articles = snapshot(wh, "articles")
    # ...get theirs from reprocess, in the same commit as the other child tables.
    monkeypatch.setattr(meetings_mod, "extract_meetings", meetings_from_persons)
    res = run_reprocess(settings, log=quiet)
    meetings = read_table(wh, "meetings").to_pylist()
    assert res.row["meetings_written"] == len(meetings) >= 2
    assert {m["run_id"] for m in meetings} == {res.row["run_id"]}
    ids = {m["meeting_id"] for m in meetings}
    linked = {a["meeting_id"] for a in read_table(wh, "agreements").to_pylist()} - {None}
    assert linked and linked <= ids
    assert snapshot(wh, "articles") == articles
    before = snapshot(wh, "meetings")
    run_reprocess(settings, log=quiet)  # replaced, not appended
    assert snapshot(wh, "meetings") == before
