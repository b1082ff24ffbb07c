"""SIGKILL a real ingestion process at each stage, rerun, and compare with a clean run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from accords.runner import run_ingest
from accords.warehouse import STAGING, TABLES, read_table
from tests.conftest import write_raw
from tests.test_runner import DATA_TABLES, quiet, snapshot

POINTS_BEFORE_COMMIT = ["during_parse", "during_extract", "between_table_writes", "before_commit"]
POINTS_AFTER_COMMIT = ["after_commit_record", "between_table_moves"]


def ingest_subprocess(raw: Path, wh: Path | str, crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORDS_")}
    env["ACCORDS_SETTLE_SECONDS"] = "0"
    if crash_at:
        env["ACCORDS_CRASH_AT"] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "accords.cli", "ingest", "--no-prefect", "--raw", str(raw),
         "--warehouse", str(wh)],
        env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    """Data tables of an uninterrupted run over the same raw folder."""
    base = tmp_path_factory.mktemp("ref")
    raw = write_raw(base / "raw")
    from accords.settings import Settings

    run_ingest(Settings(raw_dir=raw, warehouse_dir=base / "wh", settle_seconds=0), log=quiet)
    ref = {t: snapshot(base / "wh", t) for t in DATA_TABLES}
    # Every table has rows, so "rerun equals clean run" says something about each (meetings too).
    assert all(read_table(base / "wh", t).num_rows > 0 for t in DATA_TABLES)
    return ref


def no_orphans(wh: Path) -> None:
    assert not any((wh / STAGING).iterdir())
    for t in TABLES:
        d = wh / t
        if d.exists():
            assert all(p.suffix == ".parquet" for p in d.iterdir()), list(d.iterdir())


@pytest.mark.parametrize("point", POINTS_BEFORE_COMMIT + POINTS_AFTER_COMMIT)
def test_killed_run_then_rerun_equals_clean_run(tmp_path: Path, reference: dict, point: str) -> None:
    raw, wh = write_raw(tmp_path / "raw"), tmp_path / "wh"
    crashed = ingest_subprocess(raw, wh, crash_at=point)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    if point in POINTS_BEFORE_COMMIT:
        # Nothing of the killed run is visible to a reader before recovery.
        assert all(read_table(wh, t).num_rows == 0 for t in DATA_TABLES)
    again = ingest_subprocess(raw, wh)
    assert again.returncode == 0, again.stdout + again.stderr
    assert {t: snapshot(wh, t) for t in DATA_TABLES} == reference
    no_orphans(wh)
    runs = sorted(read_table(wh, "runs").to_pylist(), key=lambda r: r["started_at"])
    assert len(runs) == 2
    if point in POINTS_BEFORE_COMMIT:
        assert runs[0]["status"] == "failed" and "interrupted" in runs[0]["error"]
        assert runs[1]["articles_written"] == 4
    else:
        # The commit record was written: the run took effect, recovery only finished moving files.
        assert runs[0]["status"] == "completed" and runs[1]["articles_written"] == 0


@pytest.mark.parametrize("point", ["during_extract", "between_table_writes", "before_commit",
                                   "after_commit_record"])
def test_killed_run_on_s3_then_rerun_equals_clean_run(tmp_path: Path, reference: dict, point: str,
                                                      s3_bucket: str) -> None:
    """The object-store warehouse: the same kills, with the snapshot put as the commit point."""
    raw, wh = write_raw(tmp_path / "raw"), f"{s3_bucket}/wh"
    crashed = ingest_subprocess(raw, wh, crash_at=point)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    if point != "after_commit_record":
        assert all(read_table(wh, t).num_rows == 0 for t in DATA_TABLES)
    # The killed holder's lease is left behind; a dead process on this host frees it at once.
    again = ingest_subprocess(raw, wh)
    assert again.returncode == 0, again.stdout + again.stderr
    assert {t: snapshot(wh, t) for t in DATA_TABLES} == reference
    runs = sorted(read_table(wh, "runs").to_pylist(), key=lambda r: r["started_at"])
    assert len(runs) == 2
    if point == "after_commit_record":
        assert runs[0]["status"] == "completed" and runs[1]["articles_written"] == 0
    else:
        assert runs[0]["status"] == "failed" and "interrupted" in runs[0]["error"]
        assert runs[1]["articles_written"] == 4
    from accords import objectstore

    fs, base = objectstore._fs(wh)
    assert not objectstore._list(fs, f"{base}/{objectstore.INFLIGHT}")  # every marker cleared
