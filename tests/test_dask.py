"""Extraction batches on a real local dask.distributed cluster give the same rows as local runs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from flows.runner import run_ingest
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
