"""Staged writes, the commit protocol, recovery, the writer lock and reads."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pyarrow.dataset as ds
import pytest

from accords import warehouse as wh
from accords.errors import WarehouseLocked

RUN = "20260101T000000Z-0123abcd"


def _row(i: int) -> dict:
    return {"run_id": RUN, "path": f"f{i}.txt", "sha256": "a" * 64, "size_bytes": i, "mtime_ns": i,
            "status": "new", "articles": 0, "article_ids": [], "error": None, "schema_version": "1.0.0",
            "ingested_at": "2026-01-01T00:00:00+00:00"}


def _stage(w: Path, run: str = RUN, n: int = 3) -> wh.StagedRun:
    wh.init_warehouse(w)
    s = wh.StagedRun(w, run, {"run_id": run, "started_at": "2026-01-01T00:00:00+00:00"})
    s.append("ingestions", [_row(i) for i in range(n)])
    s.append("ingestions", [_row(99)])
    return s


def test_staged_rows_invisible_until_commit(tmp_path: Path) -> None:
    s = _stage(tmp_path)
    assert wh.read_table(tmp_path, "ingestions").num_rows == 0
    s.commit()
    t = wh.read_table(tmp_path, "ingestions")
    assert t.num_rows == 4
    assert len(wh.table_files(tmp_path, "ingestions")) == 1  # one file per table per run
    assert not any(wh.pending_runs(tmp_path))


def test_plain_readers_see_committed_tables(tmp_path: Path) -> None:
    _stage(tmp_path).commit()
    # pyarrow with no helper, pointed at the folder; staging folders start with "_" and are ignored.
    assert ds.dataset(str(tmp_path / "ingestions"), format="parquet").to_table().num_rows == 4


def test_recover_undoes_uncommitted_run(tmp_path: Path) -> None:
    s = _stage(tmp_path)
    s._close()  # staged files on disk, no commit record: as if killed before committing
    seen_while_staged = []
    undone = wh.recover(tmp_path, on_undone=lambda m: seen_while_staged.append(s.dir.exists()))
    assert [m["run_id"] for m in undone] == [RUN]
    assert seen_while_staged == [True]  # recorded before the staged files are removed
    assert wh.read_table(tmp_path, "ingestions").num_rows == 0
    assert not any(wh.pending_runs(tmp_path))


def test_recover_finishes_committed_run(tmp_path: Path) -> None:
    s = _stage(tmp_path)
    s._close()
    moves = [[str(s._file("ingestions").relative_to(tmp_path)), f"ingestions/{s._file('ingestions').name}"]]
    (s.dir / wh.COMMIT_FILE).write_text(json.dumps({"run_id": RUN, "moves": moves, "deletes": []}))
    assert wh.recover(tmp_path) == []
    assert wh.read_table(tmp_path, "ingestions").num_rows == 4
    # Applying again is harmless (idempotent).
    assert wh.recover(tmp_path) == []
    assert wh.read_table(tmp_path, "ingestions").num_rows == 4


def test_abort_leaves_warehouse_unchanged(tmp_path: Path) -> None:
    _stage(tmp_path, run="20260101T000000Z-00000001").commit()
    s = _stage(tmp_path, run="20260101T000000Z-00000002")
    s.abort()
    assert wh.read_table(tmp_path, "ingestions").num_rows == 4


def test_to_arrow_converts_iso_strings(tmp_path: Path) -> None:
    t = wh.to_arrow("ingestions", [_row(1)])
    assert str(t.schema.field("ingested_at").type) == "timestamp[us, tz=UTC]"
    assert t.column("ingested_at")[0].as_py().year == 2026


def test_write_single_is_atomic_and_visible(tmp_path: Path) -> None:
    wh.init_warehouse(tmp_path)
    wh.write_single(tmp_path, "ingestions", [_row(1)], "part-x")
    assert [p.name for p in (tmp_path / "ingestions").iterdir()] == ["part-x.parquet"]
    assert wh.read_table(tmp_path, "ingestions").num_rows == 1


def _hold_lock(path: str, ready, release) -> None:  # noqa: ANN001
    lock = wh.WarehouseLock(Path(path))
    lock.acquire(owner="holder")
    ready.set()
    release.wait(10)
    lock.release()


def test_lock_excludes_other_processes_and_is_released_on_death(tmp_path: Path) -> None:
    wh.init_warehouse(tmp_path)
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    p = ctx.Process(target=_hold_lock, args=(str(tmp_path), ready, release))
    p.start()
    assert ready.wait(30)
    with pytest.raises(WarehouseLocked, match="holder"):
        wh.WarehouseLock(tmp_path).acquire(wait_seconds=0.3)
    p.kill()  # a crashed holder: the kernel drops its flock
    p.join(10)
    lock = wh.WarehouseLock(tmp_path)
    lock.acquire(wait_seconds=5)
    lock.release()


def test_tables_are_links_to_generations(tmp_path: Path) -> None:
    wh.init_warehouse(tmp_path)
    link = tmp_path / "articles"
    assert link.is_symlink() and wh.current_generation(tmp_path, "articles") == "g000000"
    wh.init_warehouse(tmp_path)  # idempotent
    assert wh.current_generation(tmp_path, "articles") == "g000000"


def test_plain_table_folder_becomes_generation_zero(tmp_path: Path) -> None:
    (tmp_path / "runs").mkdir(parents=True)
    (tmp_path / "runs" / "old.parquet").write_bytes(b"x")
    wh.init_warehouse(tmp_path)
    assert (tmp_path / "runs").is_symlink() and (tmp_path / "runs" / "old.parquet").exists()


def test_replace_table_swaps_generation_atomically(tmp_path: Path) -> None:
    _stage(tmp_path, run="20260101T000000Z-00000001").commit()
    _stage(tmp_path, run="20260101T000000Z-00000002").commit()
    files = wh.table_files(tmp_path, "ingestions")
    consumed = [p.name for p in files]
    # A skipped run's row lands in the table after the replacing run listed it: carried over.
    wh.write_single(tmp_path, "ingestions", [_row(7)], "part-skipped")
    s = wh.StagedRun(tmp_path, "20260101T000000Z-00000003", {"run_id": "x"})
    s.replace_table("ingestions", consumed)
    for part in wh.scan_table(tmp_path, "ingestions", files):
        s.append_arrow("ingestions", part)
    old_gen = wh.current_generation(tmp_path, "ingestions")
    s.commit()
    assert wh.current_generation(tmp_path, "ingestions") != old_gen
    names = sorted(p.name for p in wh.table_files(tmp_path, "ingestions"))
    assert names == ["part-20260101T000000Z-00000003.parquet", "part-skipped.parquet"]
    assert wh.read_table(tmp_path, "ingestions").num_rows == 4 + 4 + 1  # merged two runs, carried one
    # The old generation stays readable for the grace period, then is collected.
    assert wh.collect_old_generations(tmp_path) == 0
    assert wh.collect_old_generations(tmp_path, grace_seconds=-1) == 1


def test_warehouse_from_before_meetings_still_reads_and_compacts(tmp_path: Path) -> None:
    """A warehouse written before the meetings table: no meetings link, agreements without
    ``meeting_id``, runs without ``meetings_written``. It opens, reads and compacts unchanged."""
    import shutil

    import pyarrow as pa
    import pyarrow.parquet as pq

    from accords.runner import run_compact
    from accords.settings import Settings

    wh.init_warehouse(tmp_path)
    (tmp_path / "meetings").unlink()
    shutil.rmtree(tmp_path / "_tables" / "meetings")
    old = {"agreements": "meeting_id", "runs": "meetings_written"}
    agreement = {"article_id": "a" * 64, "agreement_id": "f" * 16, "kind": "treaty", "status": "signed",
                 "parties": ["CHL", "PER"], "signatories": [], "fields": [], "evidence": "Signed.",
                 "evidence_start": 0, "evidence_end": 7, "run_id": RUN}
    run = {"run_id": RUN, "started_at": "2026-01-01T00:00:00+00:00", "status": "completed",
           "command": "ingest", "agreements_written": 1, "duration_s": 1.0}
    for table, row in (("agreements", agreement), ("runs", run)):
        data = wh.to_arrow(table, [row]).drop_columns([old[table]])
        for n in (1, 2):  # two files each, so compaction has something to merge
            pq.write_table(data, str(tmp_path / table / f"part-old{n}.parquet"))
    assert old["agreements"] not in pq.read_schema(tmp_path / "agreements" / "part-old1.parquet").names

    agrs = wh.read_table(tmp_path, "agreements").to_pylist()
    assert len(agrs) == 2 and all(a["meeting_id"] is None for a in agrs)
    assert [r["meetings_written"] for r in wh.read_table(tmp_path, "runs").to_pylist()] == [None, None]
    assert wh.read_table(tmp_path, "meetings").num_rows == 0

    result = run_compact(Settings(raw_dir=tmp_path / "raw", warehouse_dir=tmp_path), log=lambda _: None)
    assert result.row["status"] == "completed" and result.row["meetings_written"] == 0
    assert (tmp_path / "meetings").is_symlink()  # the new table's link is made on opening
    compacted = wh.table_files(tmp_path, "agreements")
    assert len(compacted) == 1 and "meeting_id" in pq.read_schema(compacted[0]).names
    assert wh.read_table(tmp_path, "agreements").to_pylist() == agrs
    runs = wh.read_table(tmp_path, "runs")
    assert runs.num_rows == 3 and runs.schema.field("meetings_written").type == pa.int64()
