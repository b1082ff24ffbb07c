"""The warehouse on an object store: a local S3 server (moto), the same runs as on a folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.fs as pafs
import pytest

from accords import objectstore
from accords.errors import WarehouseError, WarehouseLocked
from accords.history import recent_runs
from accords.query import run_sql
from accords.runner import run_compact, run_ingest, run_reprocess
from accords.settings import Settings
from accords.storage import filesystem
from accords.warehouse import TABLES, read_table, table_files

KEYS = {"articles": ["article_id"], "entities": ["article_id", "entity_id"],
        "mentions": ["article_id", "entity_id", "start"], "agreements": ["agreement_id"],
        "meetings": ["article_id", "meeting_id"]}


def rows(warehouse: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Each data table's key columns, sorted (duplicates would show as repeated tuples)."""
    out = {}
    for table, cols in KEYS.items():
        t = read_table(warehouse, table, cols)
        out[table] = sorted(zip(*(t[c].to_pylist() for c in cols), strict=True))
    return out


def listing(uri: str) -> list[str]:
    """Every object under a warehouse URI, relative to it."""
    fs, base = filesystem(uri)
    infos = fs.get_file_info(pafs.FileSelector(base, recursive=True, allow_not_found=True))
    return sorted(i.path[len(base) + 1:] for i in infos if i.type == pafs.FileType.File)


def dead_pid() -> int:
    """The pid of a process that has exited (a run that died, as recovery sees it)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


@pytest.fixture
def s3_settings(s3_bucket: str, raw_dir: Path) -> Settings:
    """Local raw folder, warehouse in the bucket, one worker (no process pool)."""
    return Settings(raw_dir=raw_dir, warehouse_dir=f"{s3_bucket}/warehouse", settle_seconds=0.0, workers=1)


def test_ingest_to_s3_matches_local_folder(s3_settings: Settings, settings: Settings) -> None:
    local = run_ingest(settings.with_overrides(workers=1), log=lambda _: None)
    remote = run_ingest(s3_settings, log=lambda _: None)
    assert remote.row["status"] == "completed"
    assert remote.row["articles_written"] == local.row["articles_written"] == 4
    assert rows(s3_settings.warehouse_dir) == rows(settings.warehouse_dir)
    assert rows(s3_settings.warehouse_dir)["agreements"]
    objects = listing(s3_settings.warehouse_dir)
    assert "_snapshots/000000000001-" + remote.row["run_id"] + ".json" in objects
    assert not [o for o in objects if o.startswith("_inflight/")]


def test_rerun_adds_nothing_and_history_grows(s3_settings: Settings) -> None:
    first = run_ingest(s3_settings, log=lambda _: None)
    before = rows(s3_settings.warehouse_dir)
    second = run_ingest(s3_settings, log=lambda _: None)
    assert second.row["files_unchanged"] == first.row["files_new"] == 3
    assert second.row["articles_written"] == 0
    assert rows(s3_settings.warehouse_dir) == before
    assert [r["run_id"] for r in recent_runs(s3_settings.warehouse_dir)] == [second.row["run_id"],
                                                                               first.row["run_id"]]


def test_compact_and_reprocess_keep_rows_once(s3_settings: Settings) -> None:
    for _ in range(3):
        run_ingest(s3_settings, log=lambda _: None)
    before = rows(s3_settings.warehouse_dir)
    assert len(table_files(s3_settings.warehouse_dir, "ingestions")) == 3
    assert run_compact(s3_settings, log=lambda _: None).row["status"] == "completed"
    assert all(len(table_files(s3_settings.warehouse_dir, t)) <= 1 for t in TABLES)
    assert rows(s3_settings.warehouse_dir) == before
    assert run_reprocess(s3_settings, log=lambda _: None).row["status"] == "completed"
    assert rows(s3_settings.warehouse_dir) == before


def test_query_views_read_one_snapshot(s3_settings: Settings) -> None:
    run_ingest(s3_settings, log=lambda _: None)
    cols, result = run_sql("select (select count(*) from articles), (select count(*) from runs), "
                           "(select count(*) from agreement_parties) > 0", s3_settings.warehouse_dir)
    assert result == [(4, 1, True)]


def test_uncommitted_run_is_invisible_and_undone(s3_settings: Settings) -> None:
    uri = s3_settings.warehouse_dir
    run_ingest(s3_settings, log=lambda _: None)
    before = rows(uri)
    # A run that dies after writing data but before its snapshot put.
    staged = objectstore.StagedObjectRun(uri, "20260101T000000Z-deadbeef", {"command": "ingest",
                                                                            "pid": dead_pid()})
    staged.append("articles", [{"article_id": "x" * 64, "source_path": "ghost.txt", "text": "t"}])
    staged._writers["articles"].close()
    assert any("deadbeef" in o for o in listing(uri))
    assert rows(uri) == before  # readers never see unlisted files
    undone: list[dict[str, Any]] = []
    assert objectstore.recover(uri, on_undone=undone.append)[0]["run_id"] == "20260101T000000Z-deadbeef"
    assert [m["command"] for m in undone] == ["ingest"]
    assert not any("deadbeef" in o for o in listing(uri))
    # The next run records the interrupted one as failed and ingests normally.
    staged2 = objectstore.StagedObjectRun(uri, "20260101T000001Z-cafecafe", {"pid": dead_pid()})
    staged2.append("articles", [{"article_id": "y" * 64, "source_path": "ghost2.txt", "text": "t"}])
    nxt = run_ingest(s3_settings, log=lambda _: None)
    assert nxt.row["status"] == "completed"
    failed = [r for r in recent_runs(uri) if r["status"] == "failed"]
    assert [r["run_id"] for r in failed] == ["20260101T000001Z-cafecafe"]
    assert rows(uri) == before


def test_run_committed_before_its_marker_was_removed_is_kept(s3_settings: Settings) -> None:
    uri = s3_settings.warehouse_dir

    class Died(Exception):
        pass

    def die(point: str) -> None:
        raise Died(point)

    staged = objectstore.StagedObjectRun(uri, "20260101T000000Z-0000aaaa", {})
    staged.append("articles", [{"article_id": "a" * 64, "source_path": "a.txt", "text": "t"}])
    with pytest.raises(Died):
        staged.commit(crash_hook=die)
    assert "_inflight/20260101T000000Z-0000aaaa.json" in listing(uri)
    assert objectstore.recover(uri) == []
    assert rows(uri)["articles"] == [("a" * 64,)]
    assert not [o for o in listing(uri) if o.startswith("_inflight/")]


def test_commit_race_withdraws_the_second_snapshot(s3_settings: Settings,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    uri = s3_settings.warehouse_dir
    first = objectstore.StagedObjectRun(uri, "20260101T000000Z-00000001", {})
    first.append("articles", [{"article_id": "1" * 64, "source_path": "1.txt", "text": "t"}])
    second = objectstore.StagedObjectRun(uri, "20260101T000000Z-00000002", {})
    second.append("articles", [{"article_id": "2" * 64, "source_path": "2.txt", "text": "t"}])
    first.commit()
    # The second writer read the head before the first one's put landed (a failed lease).
    stale = objectstore.Snapshot()
    monkeypatch.setattr(objectstore, "head", lambda _uri: stale)
    with pytest.raises(WarehouseError, match="raced"):
        second.commit()
    monkeypatch.undo()
    assert rows(uri)["articles"] == [("1" * 64,)]
    assert not any("00000002" in o for o in listing(uri))


def test_lease_excludes_a_second_writer_and_expires(s3_bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    uri = f"{s3_bucket}/warehouse"
    monkeypatch.setattr(objectstore, "LEASE_SETTLE_SECONDS", 0.0)
    a, b = objectstore.LeaseLock(uri), objectstore.LeaseLock(uri)
    a.acquire(owner="run A")
    with pytest.raises(WarehouseLocked, match="run A"):
        b.acquire()
    a.release()
    b.acquire()
    assert b.held() and not a.held()
    b._stop.set()  # b "dies": no more renewals, the lease stays behind
    b._thread = None
    c = objectstore.LeaseLock(uri)
    with pytest.raises(WarehouseLocked):
        c.acquire()
    monkeypatch.setattr(objectstore.time, "time", lambda: 10**10)  # far past b's expiry
    c.acquire()
    assert c.held()


def test_locked_run_is_recorded_as_skipped(s3_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(objectstore, "LEASE_SETTLE_SECONDS", 0.0)
    holder = objectstore.LeaseLock(s3_settings.warehouse_dir)
    holder.acquire(owner="other run")
    try:
        result = run_ingest(s3_settings, log=lambda _: None)
    finally:
        holder.release()
    assert result.row["status"] == "skipped"
    # Written to the inbox without the lease: readers see it at once, the next commit folds it.
    assert [r["status"] for r in recent_runs(s3_settings.warehouse_dir)] == ["skipped"]
    run_ingest(s3_settings, log=lambda _: None)
    statuses = sorted(r["status"] for r in recent_runs(s3_settings.warehouse_dir))
    assert statuses == ["completed", "skipped"]
    run_compact(s3_settings, log=lambda _: None)
    assert sorted(r["status"] for r in recent_runs(s3_settings.warehouse_dir)) == [
        "completed", "completed", "skipped"]


def test_garbage_collection_keeps_what_readers_need(s3_settings: Settings,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    uri = s3_settings.warehouse_dir
    monkeypatch.setattr(objectstore, "KEEP_SNAPSHOTS", 0)
    for _ in range(3):
        run_ingest(s3_settings, log=lambda _: None)
    run_compact(s3_settings, log=lambda _: None)
    before = rows(uri)
    assert objectstore.collect_garbage(uri, grace_seconds=3600) == 0  # all too young
    removed = objectstore.collect_garbage(uri, grace_seconds=-1)
    assert removed > 0
    assert rows(uri) == before
    live = {str(p) for t in TABLES for p in table_files(uri, t)}
    _, base = filesystem(uri)
    data = {f"{base}/{o}" for o in listing(uri) if o.startswith(("_data/", "_inbox/"))}
    assert data == live  # exactly the live files remain


def test_unreachable_warehouse_fails_the_run_clearly(raw_dir: Path, s3_endpoint: str) -> None:
    settings = Settings(raw_dir=raw_dir, warehouse_dir="s3://no-such-bucket-accords/wh", settle_seconds=0.0,
                        workers=1)
    with pytest.raises(WarehouseError, match="no-such-bucket-accords"):
        run_ingest(settings, log=lambda _: None)


def test_lease_of_a_dead_process_on_this_host_is_taken_at_once(s3_bucket: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import socket
    import subprocess
    import sys
    import time

    monkeypatch.setattr(objectstore, "LEASE_SETTLE_SECONDS", 0.0)
    uri = f"{s3_bucket}/warehouse"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    fs, base = filesystem(uri)
    with fs.open_output_stream(f"{base}/_lock.json") as out:
        out.write(json.dumps({"token": "old", "host": socket.gethostname(), "pid": int(dead.stdout),
                              "expires_at": time.time() + 3600}).encode())
    lock = objectstore.LeaseLock(uri)
    lock.acquire()
    assert lock.held()
    lock.release()
    # A live holder on another host is respected until its expiry.
    with fs.open_output_stream(f"{base}/_lock.json") as out:
        out.write(json.dumps({"token": "other", "host": "elsewhere", "pid": 1,
                              "expires_at": time.time() + 3600}).encode())
    with pytest.raises(WarehouseLocked, match="elsewhere"):
        objectstore.LeaseLock(uri).acquire()


def test_two_concurrent_runs_on_s3_write_each_article_once(s3_bucket: str, raw_dir: Path) -> None:
    """Runs that start while another holds the lease skip; the holder writes every article once.

    The holder stops itself with the lease taken (ACCORDS_CRASH_AT=pause:...), so the overlap is
    certain; the other two start together and take the lease with the real settle time.
    """
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.fault_helpers import cli_env, proc_state, wait_stopped

    assert objectstore.LEASE_SETTLE_SECONDS > 0
    uri = f"{s3_bucket}/warehouse"
    cmd = [sys.executable, "-m", "accords.cli", "ingest", "--no-prefect", "--workers", "1",
           "--raw", str(raw_dir), "--warehouse", uri]

    def start(**env: str) -> subprocess.Popen[str]:
        return subprocess.Popen(cmd, env=cli_env(**env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, start_new_session=True)

    holder = start(ACCORDS_CRASH_AT="pause:during_discover")
    procs = [holder]
    try:
        wait_stopped(holder.pid)
        fs, base = filesystem(uri)
        with fs.open_input_stream(f"{base}/{objectstore.LOCK}") as fh:
            lease = json.loads(fh.read())
        assert lease["pid"] == holder.pid and lease["expires_at"] > time.time()
        others = [start() for _ in range(2)]
        procs += others
        for p in others:
            p.wait(timeout=120)
        assert proc_state(holder.pid) in ("T", "t")  # still stopped, still holding the lease
        os.kill(holder.pid, signal.SIGCONT)
        outs = [p.communicate(timeout=120)[0] for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)
    assert all(p.returncode == 0 for p in procs), outs
    runs = recent_runs(uri)
    assert sorted(r["status"] for r in runs) == ["completed", "skipped", "skipped"]
    assert all(f"pid {holder.pid} " in r["error"] for r in runs if r["status"] == "skipped")
    assert [r["articles_written"] for r in runs if r["status"] == "completed"] == [4]
    got = rows(uri)
    assert len(got["articles"]) == len(set(got["articles"])) == 4
    assert len(got["entities"]) == len(set(got["entities"]))


def test_recovery_leaves_a_young_marker_of_a_live_writer_alone(s3_settings: Settings) -> None:
    """A writer that raced for the lease is still running: its run is neither undone nor failed."""
    uri = s3_settings.warehouse_dir
    live = objectstore.StagedObjectRun(uri, "20260101T000000Z-11112222", {})  # this process: alive
    live.append("articles", [{"article_id": "c" * 64, "source_path": "c.txt", "text": "t"}])
    assert objectstore.recover(uri) == []
    live.commit()
    assert rows(uri)["articles"] == [("c" * 64,)]


def test_snapshot_put_that_fails_is_withdrawn_with_the_run(s3_settings: Settings,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A put can fail after the store kept the object: abort withdraws the snapshot first."""
    uri = s3_settings.warehouse_dir
    staged = objectstore.StagedObjectRun(uri, "20260101T000000Z-33334444", {})
    staged.append("articles", [{"article_id": "d" * 64, "source_path": "d.txt", "text": "t"}])
    real_put = objectstore._put_json

    def put_then_fail(fs: Any, path: str, obj: Any) -> None:
        real_put(fs, path, obj)
        if "/_snapshots/" in path:
            raise OSError("connection reset while reading the response")

    monkeypatch.setattr(objectstore, "_put_json", put_then_fail)
    with pytest.raises(WarehouseError, match="unchanged"):
        staged.commit()
    assert objectstore.head(uri).version == 0
    assert not [o for o in listing(uri) if o.startswith(("_snapshots/", "_data/", "_inflight/"))]


def test_prefetch_keeps_an_unexpected_error_with_its_file(s3_settings: Settings,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug while reading one object-store file fails that file, not its whole batch."""
    from accords import pipeline
    from accords.discover import FoundFile

    def boom(f: Any, max_bytes: int, attempts: int = 3) -> bytes:
        if f.rel_path == "bad.txt":
            raise RuntimeError("reader bug")
        return b"Norway and Iceland signed a fisheries protocol in Oslo."

    monkeypatch.setattr(pipeline, "read_with_retry", boom)
    files = [FoundFile(path=Path(f"/b/raw/{n}"), rel_path=n, size=1, mtime_ns=1, fs_uri="s3://b/raw")
             for n in ("bad.txt", "good.txt")]
    ctx = pipeline.make_context("20260101T000000Z-0000abcd", None, s3_settings, set())  # type: ignore[arg-type]
    out = pipeline.process_batch([(f, None) for f in files], ctx)
    assert [(r["path"], r["status"], r["error"]) for r in out.ingestions] == [
        ("bad.txt", "failed", "RuntimeError: reader bug"), ("good.txt", "new", None)]


def test_inbox_row_consumed_by_compaction_stays_while_an_older_snapshot_needs_it(
        s3_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    uri = s3_settings.warehouse_dir
    run_ingest(s3_settings, log=lambda _: None)
    row = {"run_id": "20260101T000000Z-5555aaaa", "status": "skipped", "started_at": "2026-01-01T00:00:00Z"}
    objectstore.write_single(uri, "runs", [row], "part-20260101T000000Z-5555aaaa")
    run_compact(s3_settings, log=lambda _: None)  # folds and consumes the inbox row at once
    objectstore.collect_garbage(uri, grace_seconds=-1)
    # The snapshot before the compaction is still kept, and its readers add the inbox row.
    assert "_inbox/runs/part-20260101T000000Z-5555aaaa.parquet" in listing(uri)
    monkeypatch.setattr(objectstore, "KEEP_SNAPSHOTS", 0)
    objectstore.collect_garbage(uri, grace_seconds=-1)
    assert "_inbox/runs/part-20260101T000000Z-5555aaaa.parquet" not in listing(uri)
    assert sorted(r["status"] for r in recent_runs(uri)) == ["completed", "completed", "skipped"]
