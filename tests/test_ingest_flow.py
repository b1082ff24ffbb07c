"""End-to-end through Prefect: the ingest flow over fixtures, with tasks, history and artifact."""

from __future__ import annotations

import pytest

from accords.warehouse import read_table

pytestmark = pytest.mark.usefixtures("prefect_harness")


def test_ingest_flow_end_to_end(settings) -> None:
    from prefect.client.orchestration import get_client

    from flows.ingest import ingest_flow

    opts = {"settle_seconds": 0.0}
    row = ingest_flow(raw_dir=str(settings.raw_dir), warehouse_dir=str(settings.warehouse_dir),
                      options=opts)
    assert row["status"] == "completed" and row["articles_written"] == 4
    wh = settings.warehouse_dir
    runs = read_table(wh, "runs").to_pylist()
    assert runs[0]["flow_run_id"] and runs[0]["trigger"] == "manual"
    assert read_table(wh, "agreements").num_rows >= 1

    async def artifact_and_tasks() -> tuple[list, list]:
        from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

        async with get_client() as client:
            arts = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["ingest-summary"])))
            tasks = await client.read_task_runs()
        return arts, tasks

    import asyncio

    arts, tasks = asyncio.run(artifact_and_tasks())
    assert any(a.flow_run_id is not None and str(a.flow_run_id) == runs[0]["flow_run_id"] for a in arts)
    names = {t.name.rsplit("-", 1)[0] for t in tasks if str(t.flow_run_id) == runs[0]["flow_run_id"]}
    assert {"discover-files", "process-batch"} <= names

    again = ingest_flow(raw_dir=str(settings.raw_dir), warehouse_dir=str(settings.warehouse_dir),
                        options=opts)
    assert again["articles_written"] == 0 and again["files_unchanged"] == 3


def test_failed_run_fails_the_flow_run(settings, tmp_path) -> None:
    from flows.ingest import ingest_flow

    state = ingest_flow(raw_dir=str(tmp_path / "missing"), warehouse_dir=str(settings.warehouse_dir),
                        return_state=True)
    assert state.is_failed()
    assert read_table(settings.warehouse_dir, "runs").to_pylist()[0]["status"] == "failed"
