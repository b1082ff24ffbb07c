"""Prefect wiring: the ``ingest`` flow and its tasks.

Thin by design: tasks wrap stage functions (one task per batch of files, never per record), the
flow wires them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from accords.discover import FoundFile, SkippedFile, discover
from accords.errors import AccordsError
from accords.history import FileState
from accords.parallel import ordered_map, spawn_pool
from accords.pipeline import BatchContext, BatchFn, BatchOutput, reextract_batch
from accords.progress import make_tracker
from accords.runner import RunResult, Stages, run_ingest, run_reprocess
from accords.settings import Settings, load_settings
from accords.work import process_work


class RunFailed(AccordsError):
    """The ingestion run failed; its error is recorded in the runs table."""


# No result caching: inputs are file lists and a context holding every known article id, which
# would be hashed on every call for no benefit (cached results keyed on paths go stale anyway).
@task(name="discover-files", cache_policy=NO_CACHE)
def discover_task(raw_dir: Path | str, settle_seconds: float, max_bytes: int) -> tuple[list[FoundFile],
                                                                                 list[SkippedFile]]:
    """List raw files to consider and the ones skipped, with reasons."""
    return discover(raw_dir, settle_seconds=settle_seconds, max_bytes=max_bytes)


# Worker processes for the CPU-bound stage work of local runs. Tasks run on threads of the flow
# process (so Prefect tracks them with no per-process API start-up, which costs seconds) and hand
# their batch to this pool; None means run inline.
_POOL: ProcessPoolExecutor | None = None


def _in_pool(fn: BatchFn, items: list[Any], ctx: BatchContext) -> BatchOutput:
    return _POOL.submit(fn, items, ctx).result() if _POOL is not None else fn(items, ctx)


# Transient read errors are retried per file inside the batch (a task retry would redo the whole
# batch); validation failures are never retried.
@task(name="process-batch", cache_policy=NO_CACHE)
def process_batch_task(items: list[tuple[FoundFile, FileState | None]], ctx: BatchContext) -> BatchOutput:
    """Read, parse, extract and validate one batch of files (or pieces of a large .jsonl)."""
    return _in_pool(process_work, items, ctx)


@task(name="reextract-batch", cache_policy=NO_CACHE)
def reextract_batch_task(items: list[dict[str, Any]], ctx: BatchContext) -> BatchOutput:
    """Re-extract one batch of stored articles with the current extractor."""
    return _in_pool(reextract_batch, items, ctx)


_TASKS = {process_work: process_batch_task, reextract_batch: reextract_batch_task}


@contextmanager
def _task_runner(settings: Settings) -> Iterator[TaskRunner]:
    """Where batch tasks run: threads handing work to a local process pool, or Dask workers."""
    global _POOL
    if settings.task_runner == "dask":
        from prefect_dask import DaskTaskRunner

        if settings.dask_address:
            runner = DaskTaskRunner(address=settings.dask_address)
        else:
            runner = DaskTaskRunner(cluster_kwargs={"n_workers": settings.worker_count, "processes": True,
                                                    "threads_per_worker": 1, "dashboard_address": None})
        with runner:
            yield runner
        return
    with spawn_pool(settings.worker_count) as pool:
        _POOL = pool
        try:
            # Twice as many task threads as worker processes: while a task's thread reports its
            # state to the API, the next batch already waits in the pool's queue, so no worker
            # process sits idle between batches (the plain loop keeps the same 2 x workers window).
            with ThreadPoolTaskRunner(max_workers=2 * settings.worker_count) as runner:
                yield runner
        finally:
            _POOL = None


def _task_mapper(settings: Settings) -> Callable[[BatchFn, list[Any], BatchContext], Iterator[BatchOutput]]:
    """One task per batch; with several workers (or Dask) the tasks run in parallel, in order."""
    workers = settings.worker_count

    def run(fn: BatchFn, chunks: list[Any], ctx: BatchContext) -> Iterator[BatchOutput]:
        # quote(): Prefect would otherwise walk every file record and known article id of each
        # call looking for futures to resolve (about 0.1 s per batch of 500 files).
        task_fn = _TASKS[fn]
        if settings.task_runner == "process" and (workers <= 1 or len(chunks) <= 1):
            for chunk in chunks:
                yield task_fn(quote(chunk), quote(ctx))
            return
        # Dask workers receive the parameters as they are (quote() is not unwrapped there).
        wrap = quote if settings.task_runner == "process" else (lambda x: x)
        with _task_runner(settings) as runner:
            yield from ordered_map(
                lambda chunk: runner.submit(task_fn, {"items": wrap(chunk), "ctx": wrap(ctx)}),
                chunks, 2 * workers)

    return run


def _summary_table(result: RunResult) -> list[dict[str, Any]]:
    keys = ["status", "trigger", "files_seen", "files_new", "files_changed", "files_unchanged",
            "files_failed", "files_skipped", "articles_written", "entities_written", "mentions_written",
            "agreements_written", "meetings_written", "records_quarantined", "duration_s", "error"]
    return [{"metric": k, "value": str(result.row.get(k))} for k in keys]


def _settings(raw_dir: str | None, warehouse_dir: str | None, trigger: str | None,
              options: dict[str, Any] | None) -> Settings:
    return load_settings(
        raw_dir=raw_dir or None,
        warehouse_dir=warehouse_dir or None,
        trigger=trigger,
        **(options or {}),
    )


def _finish(result: RunResult, key: str) -> dict[str, Any]:
    create_table_artifact(key=key, table=_summary_table(result),
                          description=f"accords {result.row['command']} run {result.row['run_id']}")
    if result.failed:
        raise RunFailed(result.row.get("error") or "run failed")
    return result.row


def _flow_run_id() -> str | None:
    return str(flow_run.id) if flow_run.id else None


@flow(name="ingest")
def ingest_flow(raw_dir: str | None = None, warehouse_dir: str | None = None,
                trigger: str | None = None, options: dict[str, Any] | None = None,
                progress: str | None = None) -> dict[str, Any]:
    """Ingest new and changed files of raw/ into the warehouse, as one atomic run.

    ``options`` holds further Settings fields by name (e.g. {"verify_hashes": true}); anything
    not given comes from ACCORDS_* variables or the defaults. The run's log gets one progress
    line per batch; ``progress`` ("bar", "lines" or "quiet", the default) is what this
    process's stderr shows besides (``accords ingest`` passes what suits its terminal).
    """
    settings = _settings(raw_dir, warehouse_dir, trigger, options)
    stages = Stages(discover=discover_task, map_batches=_task_mapper(settings))
    log = get_run_logger().info
    tracker = make_tracker("ingest", "files", progress, log=log)
    result = run_ingest(settings, stages, flow_run_id=_flow_run_id(), log=log, progress=tracker)
    return _finish(result, "ingest-summary")


@flow(name="reprocess")
def reprocess_flow(warehouse_dir: str | None = None, options: dict[str, Any] | None = None,
                   progress: str | None = None) -> dict[str, Any]:
    """Re-extract every stored article with the current extractor, replacing old rows atomically.

    Progress as for ``ingest_flow``, counted in articles.
    """
    settings = _settings(None, warehouse_dir, None, options)
    stages = Stages(map_batches=_task_mapper(settings))
    log = get_run_logger().info
    tracker = make_tracker("reprocess", "articles", progress, log=log)
    result = run_reprocess(settings, stages, flow_run_id=_flow_run_id(), log=log, progress=tracker)
    return _finish(result, "reprocess-summary")
