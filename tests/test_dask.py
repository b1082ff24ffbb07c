"""Extraction batches on a real local dask.distributed cluster give the same rows as local runs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from accords.history import recent_runs
from accords.runner import run_ingest
from tests.test_runner import DATA_TABLES, quiet, snapshot

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_dask_task_runner_matches_local_run(settings, tmp_path) -> None:
    distributed = pytest.importorskip("distributed")
    from flows.ingest import ingest_flow

    local = replace(settings, warehouse_dir=tmp_path / "wh-local")
    run_ingest(local, log=quiet)
    # In-process workers over real TCP: the same scheduler protocol as a remote cluster.
    with distributed.LocalCluster(n_workers=2, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        row = ingest_flow(raw_dir=str(settings.raw_dir), warehouse_dir=str(settings.warehouse_dir),
                          options={"settle_seconds": 0.0, "task_runner": "dask", "batch_size": 1,
                                   "dask_address": cluster.scheduler_address})
    assert row["status"] == "completed" and row["articles_written"] == 4
    for t in DATA_TABLES:
        assert snapshot(settings.warehouse_dir, t) == snapshot(local.warehouse_dir, t)


def upload(raw: Path, uri: str) -> None:
    """Copy a local raw folder to an object-store prefix, keeping relative paths."""
    from accords.storage import filesystem, join

    fs, base = filesystem(uri)
    for p in sorted(raw.rglob("*")):
        if p.is_file():
            with fs.open_output_stream(join(base, p.relative_to(raw).as_posix())) as out:
                out.write(p.read_bytes())


def test_dask_workers_share_raw_and_warehouse_on_s3(settings, tmp_path, s3_bucket) -> None:
    """Worker processes read raw/ from S3 themselves; the flow commits the warehouse to S3."""
    distributed = pytest.importorskip("distributed")
    from flows.ingest import ingest_flow

    local = replace(settings, warehouse_dir=tmp_path / "wh-local")
    run_ingest(local, log=quiet)
    raw_uri, wh_uri = f"{s3_bucket}/raw", f"{s3_bucket}/warehouse"
    upload(settings.raw_dir, raw_uri)
    # Separate worker processes: like other machines, they share nothing with the flow but S3.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        row = ingest_flow(raw_dir=raw_uri, warehouse_dir=wh_uri,
                          options={"settle_seconds": 0.0, "task_runner": "dask", "batch_size": 1,
                                   "dask_address": cluster.scheduler_address})
    assert row["status"] == "completed" and row["articles_written"] == 4
    for t in DATA_TABLES:
        assert snapshot(wh_uri, t) == snapshot(local.warehouse_dir, t)
    assert recent_runs(wh_uri)[0]["raw_dir"] == raw_uri
