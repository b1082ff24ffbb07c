"""A large .jsonl processed as pieces of lines (issue 16): same rows as whole, bad lines, crashes."""

from __future__ import annotations

import hashlib
import json
import signal
from dataclasses import replace
from pathlib import Path

import pytest

from accords import pieces
from accords.discover import FoundFile
from accords.history import file_article_ids
from accords.runner import run_ingest
from accords.settings import Settings
from accords.warehouse import STAGING, read_table
from tests.fault_helpers import cli, cli_env, put
from tests.test_runner import DATA_TABLES, quiet, snapshot

BAD_LINES = (3, 9, 10, 17)  # in three different pieces of 4 lines
N_LINES = 22
TABLES_COMPARED = (*DATA_TABLES, "quarantine", "file_articles")


def export_bytes() -> bytes:
    """22 lines: short articles, a blank line, bad JSON and a line without text in several pieces."""
    lines = []
    for n in range(1, N_LINES + 1):
        if n in BAD_LINES:
            lines.append('{"title": "cut", "text": ' if n % 2 else '{"title": "no text"}')
        elif n == 6:
            lines.append("")
        else:
            lines.append(json.dumps({"title": f"Wire {n}", "published": "2024-03-01",
                                     "text": f"Chile and Peru signed a trade agreement in Lima, note {n}."}))
    return ("\n".join(lines) + "\n").encode()


def settings_for(tmp_path: Path, name: str, **changes: object) -> Settings:
    base = Settings(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path / name, settle_seconds=0, workers=1)
    return replace(base, **changes)


def rows(wh: Path | str) -> dict[str, list[tuple]]:
    """Every compared table, without what differs between runs (run ids, times)."""
    out = {t: snapshot(wh, t) for t in TABLES_COMPARED}
    out["quarantine"] = [tuple(kv for kv in r if kv[0] != "quarantined_at") for r in out["quarantine"]]
    return out


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    put(tmp_path / "raw", "export.jsonl", export_bytes())
    put(tmp_path / "raw", "note.txt", b"Kenya and Ethiopia signed a railway accord in Nairobi.\n")
    return tmp_path / "raw"


def test_scan_cuts_on_line_ends_and_numbers_lines(tmp_path: Path) -> None:
    data = export_bytes()
    path = put(tmp_path, "e.jsonl", data)
    f = FoundFile(path, "e.jsonl", len(data), path.stat().st_mtime_ns)
    sha, cuts = pieces.scan(f, 10_000, 4, 10_000)
    assert sha == hashlib.sha256(data).hexdigest()
    assert [c[2] for c in cuts] == [1, 5, 9, 13, 17, 21]
    assert cuts[0][0] == 0 and cuts[-1][1] == len(data)
    assert all(a[1] == b[0] and data[a[1] - 1:a[1]] == b"\n" for a, b in zip(cuts, cuts[1:], strict=False))
    # Bytes bound the pieces too: about 100 bytes each here.
    _, by_bytes = pieces.scan(f, 10_000, 1000, 100)
    assert len(by_bytes) > 6


def test_pieces_give_the_rows_of_the_whole_file(tmp_path: Path, raw: Path) -> None:
    whole = settings_for(tmp_path, "whole", jsonl_batch_lines=1000)
    split = settings_for(tmp_path, "split", jsonl_batch_lines=4, workers=2)
    ref = run_ingest(whole, log=quiet)
    res = run_ingest(split, log=quiet)
    assert rows(split.warehouse_dir) == rows(whole.warehouse_dir)
    for key in ("files_new", "articles_written", "records_quarantined", "status"):
        assert res.row[key] == ref.row[key], key
    good = N_LINES - len(BAD_LINES) - 1
    assert res.row["articles_written"] == good + 1 and res.row["records_quarantined"] == len(BAD_LINES)
    assert res.row["status"] == "completed_with_errors" and res.row["files_new"] == 2
    # Each bad line is quarantined with its reason; every other line's article is in.
    wh = split.warehouse_dir
    quarantined = {q["source_path"]: q for q in read_table(wh, "quarantine").to_pylist()}
    assert set(quarantined) == {f"export.jsonl#{n}" for n in BAD_LINES}
    assert all(q["errors"][0]["message"] for q in quarantined.values())
    arts = [a["source_path"] for a in read_table(wh, "articles").to_pylist()]
    want = {f"export.jsonl#{n}" for n in range(1, N_LINES + 1) if n not in (*BAD_LINES, 6)}
    assert set(arts) == want | {"note.txt"}
    # One ingestions row for the file, made after its last piece; the links in line order.
    ing = [r for r in read_table(wh, "ingestions").to_pylist() if r["path"] == "export.jsonl"]
    assert len(ing) == 1 and ing[0]["status"] == "new" and ing[0]["articles"] == good
    assert ing[0]["error"] == f"{len(BAD_LINES)} line(s) could not be parsed" and ing[0]["article_ids"] == []
    links = read_table(wh, "file_articles").to_pylist()
    assert [r["line"] for r in links if r["path"] == "export.jsonl"] == sorted(
        int(p.rsplit("#", 1)[1]) for p in want)
    assert len(file_article_ids(wh, "export.jsonl")) == good
    # A rerun writes nothing, with or without re-hashing.
    for again in (split, replace(split, verify_hashes=True)):
        row = run_ingest(again, log=quiet).row
        assert row["articles_written"] == 0 and row["files_unchanged"] == 2, row
    assert len(file_article_ids(wh, "export.jsonl")) == good


def test_a_failing_piece_fails_its_file_only(tmp_path: Path, raw: Path, monkeypatch) -> None:
    real = pieces.process_piece

    def flaky(p: pieces.Piece, ctx, out) -> None:  # noqa: ANN001
        if p.index == 2:
            raise ValueError("boom")
        real(p, ctx, out)

    monkeypatch.setattr(pieces, "process_piece", flaky)
    s = settings_for(tmp_path, "wh", jsonl_batch_lines=4)
    res = run_ingest(s, log=quiet)
    ing = {r["path"]: r for r in read_table(s.warehouse_dir, "ingestions").to_pylist()}
    assert ing["export.jsonl"]["status"] == "failed" and "lines from 9: ValueError: boom" in ing[
        "export.jsonl"]["error"]
    assert ing["note.txt"]["status"] == "new" and res.row["files_failed"] == 1
    # The next run reads the file whole again: no duplicates, no gaps.
    monkeypatch.setattr(pieces, "process_piece", real)
    run_ingest(s, log=quiet)
    ref = settings_for(tmp_path, "ref", jsonl_batch_lines=4)
    run_ingest(ref, log=quiet)
    assert snapshot(s.warehouse_dir, "articles") == snapshot(ref.warehouse_dir, "articles")
    assert len(file_article_ids(s.warehouse_dir, "export.jsonl")) == N_LINES - len(BAD_LINES) - 1


def test_killed_between_two_pieces_then_rerun_equals_clean_run(tmp_path: Path, raw: Path) -> None:
    ref = settings_for(tmp_path, "ref", jsonl_batch_lines=4)
    run_ingest(ref, log=quiet)
    wh = tmp_path / "wh"
    args = ("ingest", "--no-prefect", "--raw", str(raw), "--warehouse", str(wh))
    env = cli_env(ACCORDS_JSONL_BATCH_LINES="4")
    crashed = cli(*args, env={**env, "ACCORDS_CRASH_AT": "between_file_pieces"})
    assert crashed.returncode == -signal.SIGKILL, crashed.stdout + crashed.stderr
    # Nothing of the killed run is visible, not even the pieces staged before the kill.
    assert all(read_table(wh, t).num_rows == 0 for t in (*TABLES_COMPARED, "ingestions"))
    again = cli(*args, env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert rows(wh) == rows(ref.warehouse_dir)
    assert not any((wh / STAGING).iterdir())
    runs = sorted(read_table(wh, "runs").to_pylist(), key=lambda r: r["started_at"])
    assert [r["status"] for r in runs] == ["failed", "completed_with_errors"]
    assert "interrupted" in runs[0]["error"] and runs[1]["articles_written"] == N_LINES - len(BAD_LINES)


@pytest.mark.usefixtures("prefect_harness")
def test_the_flow_runs_pieces_as_tasks_on_two_workers(tmp_path: Path, raw: Path) -> None:
    from flows.ingest import ingest_flow

    ref = settings_for(tmp_path, "ref", jsonl_batch_lines=1000)
    run_ingest(ref, log=quiet)
    wh = tmp_path / "wh"
    row = ingest_flow(raw_dir=str(raw), warehouse_dir=str(wh),
                      options={"settle_seconds": 0.0, "jsonl_batch_lines": 4, "workers": 2})
    assert row["status"] == "completed_with_errors" and row["files_new"] == 2
    assert rows(wh) == rows(ref.warehouse_dir)


def test_pieces_of_a_jsonl_on_an_object_store(tmp_path: Path, raw: Path, s3_bucket: str) -> None:
    from tests.test_discover_uri import put as put_object

    for name in ("export.jsonl", "note.txt"):
        put_object(s3_bucket, f"raw/{name}", (raw / name).read_bytes())
    ref = settings_for(tmp_path, "ref", jsonl_batch_lines=1000)
    run_ingest(ref, log=quiet)
    s3 = replace(settings_for(tmp_path, "wh", jsonl_batch_lines=4), raw_dir=f"{s3_bucket}/raw")
    res = run_ingest(s3, log=quiet)
    assert res.row["files_new"] == 2 and res.row["files_failed"] == 0, res.row
    assert rows(s3.warehouse_dir) == rows(ref.warehouse_dir)


def test_an_old_warehouse_lists_article_ids_and_file_links_reads_them(tmp_path: Path) -> None:
    from accords.query import query
    from accords.warehouse import init_warehouse, write_single

    wh = tmp_path / "old"
    init_warehouse(wh)
    old = {"run_id": "20260101T000000Z-00000000", "path": "old.jsonl", "sha256": "a" * 64, "size_bytes": 9,
           "mtime_ns": 1, "status": "new", "articles": 2, "article_ids": ["id1", "id2"], "error": None,
           "schema_version": "1.0.0", "ingested_at": "2026-01-01T00:00:00+00:00"}
    write_single(wh, "ingestions", [old], "part-old")
    assert file_article_ids(wh, "old.jsonl") == ["id1", "id2"]
    got = query("select path, article_id, line is null as no_line from file_links order by article_id", wh)
    assert got.values.tolist() == [["old.jsonl", "id1", True], ["old.jsonl", "id2", True]]
