"""Prefect wiring: the ``ingest`` flow and its tasks.

Thin by design: tasks wrap stage functions (one task per batch of files, never per record), the
flow wires them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flows.discover import FoundFile, SkippedFile, discover
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run

from flows.errors import AccordsError
from flows.history import FileState
from flows.pipeline import BatchContext, BatchFn, BatchOutput, process_batch
from flows.runner import RunResult, Stages, run_ingest
from flows.settings import load_settings


class RunFailed(AccordsError):
    """The ingestion run failed; its error is recorded in the runs table."""


@task(name="discover-files")
def discover_task(raw_dir: Path, settle_seconds: float, max_bytes: int) -> tuple[list[FoundFile],
                                                                                 list[SkippedFile]]:
    """List raw files to consider and the ones skipped, with reasons."""
    return discover(raw_dir, settle_seconds=settle_seconds, max_bytes=max_bytes)


# Transient read errors are handled per file inside the batch (recorded as failed, retried by the
# next run); a retry here would redo the whole batch, so none is configured.
@task(name="process-batch")
def process_batch_task(files: list[tuple[FoundFile, FileState | None]], ctx: BatchContext) -> BatchOutput:
    """Read, parse, extract and validate one batch of files."""
    return process_batch(files, ctx)


def _map_with_tasks(fn: BatchFn, chunks: list[Any], ctx: BatchContext) -> Iterator[BatchOutput]:
    # One task per batch, consumed in order so memory stays bounded by one batch.
    for chunk in chunks:
        yield process_batch_task(chunk, ctx)


def _summary_table(result: RunResult) -> list[dict[str, Any]]:
    keys = ["status", "trigger", "files_seen", "files_new", "files_changed", "files_unchanged",
            "files_failed", "files_skipped", "articles_written", "entities_written", "mentions_written",
            "agreements_written", "records_quarantined", "duration_s", "error"]
    return [{"metric": k, "value": str(result.row.get(k))} for k in keys]


@flow(name="ingest")
def ingest_flow(raw_dir: str | None = None, warehouse_dir: str | None = None,
                trigger: str | None = None, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Ingest new and changed files of raw/ into the warehouse, as one atomic run.

    ``options`` holds further Settings fields by name (e.g. {"verify_hashes": true}); anything
    not given comes from ACCORDS_* variables or the defaults.
    """
    logger = get_run_logger()
    settings = load_settings(
        raw_dir=Path(raw_dir) if raw_dir else None,
        warehouse_dir=Path(warehouse_dir) if warehouse_dir else None,
        trigger=trigger,
        **(options or {}),
    )
    stages = Stages(discover=discover_task, map_batches=_map_with_tasks)
    result = run_ingest(settings, stages, flow_run_id=str(flow_run.id) if flow_run.id else None,
                        log=logger.info)
    create_table_artifact(key="ingest-summary", table=_summary_table(result),
                          description=f"accords run {result.row['run_id']}")
    if result.failed:
        raise RunFailed(result.row.get("error") or "run failed")
    return result.row
