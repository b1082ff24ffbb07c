"""One ingestion run end to end: lock, recover, discover, process batches, commit, record.

The same ``run_ingest`` serves the Prefect flow (which passes task-wrapped stage functions in
``Stages``) and plain Python callers such as the benchmark (which pass the functions as they are).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import pyarrow as pa

from accords import validate
from accords.discover import FoundFile, discover
from accords.errors import WarehouseError, WarehouseLocked
from accords.eventstore import EventCollector, stage_events
from accords.extract import EXTRACTOR_VERSION
from accords.history import (
    RunInfo,
    file_state_table,
    interrupted_run_row,
    known_article_ids,
    new_run_id,
    run_row,
    run_status,
)
from accords.parallel import process_pool_map
from accords.pieces import FileAssembler, plan_pieces, work_batches
from accords.pipeline import (
    CHILD_TABLES,
    BatchContext,
    BatchFn,
    BatchOutput,
    Work,
    batches,
    count_batch,
    crash_point,
    dedupe,
    make_context,
    reextract_batch,
    skipped_rows,
    split_unchanged,
    table_rows,
    unchanged_ingestions,
)
from accords.progress import Tracker
from accords.settings import Settings
from accords.warehouse import (
    TABLES,
    StagedWriter,
    collect_old_generations,
    init_warehouse,
    read_table,
    recover,
    scan_table,
    stage_run,
    table_files,
    utcnow,
    write_single,
    writer_lock,
)
from accords.work import process_work

Log = Callable[[str], None]


@dataclass
class Stages:
    """The stage callables a run uses; the Prefect flow substitutes tasks."""

    discover: Callable[..., Any] = discover
    process_batch: BatchFn = process_work
    reextract_batch: Callable[..., BatchOutput] = reextract_batch
    map_batches: Callable[..., Any] | None = None  # (fn, batch_list, ctx) -> iterable of outputs


@dataclass
class RunResult:
    """What a run did: its history row plus per-table row counts."""

    row: dict[str, Any]
    tables: dict[str, int] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """True when the run failed (the CLI exits non-zero)."""
        return self.row["status"] == "failed"


def _record_undone(warehouse: Any, log: Log) -> None:
    """Recover interrupted runs; record each undone one as failed in ``runs``."""
    version = validate.schema_version("run")

    def record(meta: dict[str, Any]) -> None:
        row = interrupted_run_row(meta, version)
        write_single(warehouse, "runs", [row], f"part-{row['run_id']}")
        log(f"recovered interrupted run {row['run_id']}: recorded as failed, staged rows discarded")

    recover(warehouse, on_undone=record)


def _new_info(settings: Settings, command: str, flow_run_id: str | None) -> RunInfo:
    return RunInfo(
        run_id=new_run_id(), started_at=utcnow(), trigger=settings.trigger, command=command,
        raw_dir=str(settings.raw_dir), extractor_version=EXTRACTOR_VERSION,
        schema_version=validate.schema_version("run"), flow_run_id=flow_run_id,
    )


# A run body stages its rows (and marks the tables it replaces) on the staged run.
RunBody = Callable[[StagedWriter, RunInfo], None]


# Start of the message a run logs when it waits for the lock (the CLI shows it even when quiet).
WAIT_NOTICE = "waiting up to"


def _take_lock(lock: Any, wait_seconds: float, run_id: str, log: Log) -> None:
    """Take the writer lock; a run allowed to wait says so (and for whom) before it waits."""
    owner = f"run {run_id}"
    if wait_seconds <= 0:
        lock.acquire(0.0, owner=owner)
        return
    try:
        lock.acquire(0.0, owner=owner)
    except WarehouseLocked as exc:
        log(f"run {run_id} {WAIT_NOTICE} {wait_seconds:g} s for the warehouse lock: {exc}")
        lock.acquire(wait_seconds, owner=owner)


def execute_run(settings: Settings, info: RunInfo, body: RunBody, log: Log = print) -> RunResult:
    """The envelope every writing run shares: lock, recover, stage, commit, record.

    A run that cannot get the lock records itself as skipped; a run whose body fails is undone
    and recorded as failed; otherwise its rows and its ``runs`` row commit together.
    """
    wh = settings.warehouse_dir
    # Arrow's default allocator (mimalloc) keeps freed pages, so reading the run history at the
    # start would raise the whole run's RSS with the size of raw/; malloc returns them.
    pa.set_memory_pool(pa.system_memory_pool())
    init_warehouse(wh)
    lock = writer_lock(wh)
    try:
        _take_lock(lock, settings.lock_wait_seconds, info.run_id, log)
    except WarehouseLocked as exc:
        row = run_row(info, "skipped", error=str(exc))
        write_single(wh, "runs", [row], f"part-{info.run_id}")
        log(f"run {info.run_id} skipped: {exc}")
        return RunResult(row)
    staged: StagedWriter | None = None
    try:
        _record_undone(wh, log)
        collect_old_generations(wh)
        staged = stage_run(wh, info.run_id, {
            "run_id": info.run_id, "started_at": info.started_at.isoformat(), "trigger": info.trigger,
            "command": info.command, "raw_dir": info.raw_dir, "pid": os.getpid(),
            "extractor_version": EXTRACTOR_VERSION, "flow_run_id": info.flow_run_id,
        }, lock)
        body(staged, info)
        status = run_status(info.counts)
        row = run_row(info, status)
        staged.append("runs", [row])
        crash_point(settings.crash_at, "before_commit")
        staged.commit(crash_hook=lambda p: crash_point(settings.crash_at, p))
        log(f"run {info.run_id} {status}")
        return RunResult(row, dict(staged.rows))
    except Exception as exc:
        # Any failure (a named error, an OS error, or a bug) fails the run visibly, never
        # silently: the staged rows are dropped (unless committed) and the run is recorded.
        if staged is not None:
            staged.abort()
        error = f"{type(exc).__name__}: {exc}"
        row = run_row(info, "failed", error=error)
        try:
            write_single(wh, "runs", [row], f"part-{info.run_id}")
        except WarehouseError as exc2:  # e.g. disk full: the run fails, the warehouse stays as it was
            log(f"could not record the failed run: {exc2}")
        log(f"run {info.run_id} failed: {error}")
        return RunResult(row)
    finally:
        lock.release()


def _stage_outputs(staged: StagedWriter, info: RunInfo, outputs: Iterable[BatchOutput], crash_at: str | None,
                   seen: set[str] | None = None, assembler: FileAssembler | None = None,
                   progress: Tracker | None = None) -> None:
    """Append batch outputs to the staged run, counting as we go (and telling ``progress``).

    A split file's ingestion row is staged with its last piece (``assembler``).
    """
    for n, out in enumerate(outputs):
        if seen is not None:
            out = dedupe(out, seen)
        if assembler is not None:
            out.ingestions += assembler.finish(out.pieces)
        counts = count_batch(out)
        info.counts.add(counts)
        if progress is not None:
            if progress.unit == "files":  # ingest: files finished (a split file with its last piece)
                progress.advance(counts.files_seen, counts.articles_written)
            else:  # reprocess: articles re-extracted
                progress.advance(len(out.articles), len(out.articles))
        for table, rows in table_rows(out).items():
            staged.append(table, rows)
            if n == 0 and rows:
                crash_point(crash_at, "between_table_writes")
        if any(p.index + 1 < p.count for p in out.pieces):
            crash_point(crash_at, "between_file_pieces")


# Unchanged files' ingestion rows staged at a time (bounds a rerun's memory).
UNCHANGED_SLICE = 2_000


def _stage_unchanged(staged: StagedWriter, info: RunInfo, found: list[FoundFile], states: pa.Table,
                     ctx: BatchContext) -> Work:
    """Stage the ingestion rows of the files trusted unchanged; return the files needing work.

    Unchanged files need no batch, no worker and no read. Their rows are built in Arrow and
    staged in slices, so a rerun's memory does not grow with raw/ more than its state table.
    """
    rows, work = split_unchanged(found, states, ctx)
    for start in range(0, len(rows), UNCHANGED_SLICE):
        part = unchanged_ingestions(states, rows.slice(start, UNCHANGED_SLICE), ctx)
        staged.append_arrow("ingestions", part)
        info.counts.files_unchanged += part.num_rows
        info.counts.files_seen += part.num_rows
    return work


def _map(
    stages: Stages, settings: Settings, fn: BatchFn, chunks: list[Any], ctx: Any
) -> Iterable[BatchOutput]:
    mapper = stages.map_batches or process_pool_map(settings.worker_count)
    return mapper(fn, chunks, ctx)


def run_ingest(settings: Settings, stages: Stages | None = None, flow_run_id: str | None = None,
               log: Log = print, progress: Tracker | None = None) -> RunResult:
    """Ingest new and changed files of ``settings.raw_dir`` into the warehouse, once.

    ``progress`` (``accords.progress.make_tracker("ingest", "files", ...)``) hears of every batch.
    """
    stages = stages or Stages()
    info = _new_info(settings, "ingest", flow_run_id)

    def body(staged: StagedWriter, info: RunInfo) -> None:
        wh = settings.warehouse_dir
        # The history is read before discovery, so the read's transient memory is not on top of
        # the discovered files.
        states = file_state_table(wh)
        ctx = make_context(info.run_id, info.started_at, settings, set())
        found, skipped = stages.discover(settings.raw_dir, settle_seconds=settings.settle_seconds,
                                         max_bytes=settings.max_file_bytes)
        crash_point(settings.crash_at, "during_discover")
        log(f"run {info.run_id}: {len(found)} files found, {len(skipped)} skipped")
        pre = skipped_rows(skipped, ctx)
        staged.append("ingestions", pre)
        info.counts.files_skipped += len(pre)
        info.counts.files_seen += len(pre)
        work = _stage_unchanged(staged, info, found, states, ctx)
        del found, states
        # Large .jsonl files are hashed and cut into pieces of lines, each a batch of its own.
        planned, known_rows = plan_pieces(work, ctx, settings.jsonl_batch_lines, settings.batch_bytes)
        staged.append("ingestions", known_rows)
        info.counts.add(count_batch(BatchOutput(ingestions=known_rows)))
        if planned:
            # Only files read this run can meet stored articles: a rerun with nothing new or
            # changed never loads the ids.
            ctx = replace(ctx, known_article_ids=known_article_ids(wh))
        chunks = work_batches(planned, settings.batch_size, settings.batch_bytes)
        collector = EventCollector()
        if progress is not None:
            # Every planned item is one file (a large .jsonl's pieces are one list).
            progress.start(info.counts.files_seen + len(planned), info.counts.files_seen, len(chunks))
        outputs = collector.watch(_map(stages, settings, stages.process_batch, chunks, ctx))
        _stage_outputs(staged, info, outputs, settings.crash_at, seen=set(),
                       assembler=FileAssembler(ctx, planned), progress=progress)
        # Agreement events of the new agreements, in the same commit (nothing new: nothing staged).
        info.counts.records_quarantined += stage_events(staged, wh, info.run_id, collector.reports())

    try:
        result = execute_run(settings, info, body, log)
    finally:
        if progress is not None:
            progress.finish()
    limit = settings.compact_after_files
    if result.row["status"] in ("completed", "completed_with_errors") and limit > 0:
        most = max(len(table_files(settings.warehouse_dir, t)) for t in TABLES)
        if most > limit:
            # Every run adds a file per table it writes; scheduled runs would pile up small files.
            log(f"a table has {most} files (> {limit}): compacting")
            run_compact(settings, log)
    return result


def run_reprocess(settings: Settings, stages: Stages | None = None, flow_run_id: str | None = None,
                  log: Log = print, progress: Tracker | None = None) -> RunResult:
    """Re-extract every stored article with the current extractor, replacing the old rows.

    The new entities, mentions, agreements and meetings and the removal of every older file of
    those tables are one commit, so readers see the old version's rows or the new ones.
    ``progress`` (``make_tracker("reprocess", "articles", ...)``) hears of every batch.
    """
    stages = stages or Stages()
    info = _new_info(settings, "reprocess", flow_run_id)

    def body(staged: StagedWriter, info: RunInfo) -> None:
        wh = settings.warehouse_dir
        for t, _ in CHILD_TABLES:
            staged.replace_table(t, consumed=[p.name for p in table_files(wh, t)])
        ctx = make_context(info.run_id, info.started_at, settings, set())
        cols = ["article_id", "source_path", "title", "published", "text"]
        articles = read_table(wh, "articles", cols).to_pylist()
        log(f"run {info.run_id}: re-extracting {len(articles)} articles with extractor {EXTRACTOR_VERSION}")
        chunks = batches(articles, settings.batch_size)
        collector = EventCollector({a["article_id"]: a["published"] for a in articles})
        if progress is not None:
            progress.start(len(articles), 0, len(chunks))
        outputs = collector.watch(_map(stages, settings, stages.reextract_batch, chunks, ctx))
        _stage_outputs(staged, info, outputs, settings.crash_at, progress=progress)
        # The agreements are all replaced: so are their events.
        info.counts.records_quarantined += stage_events(staged, wh, info.run_id, collector.reports(),
                                                        rebuild=True)

    try:
        return execute_run(settings, info, body, log)
    finally:
        if progress is not None:
            progress.finish()


def run_compact(settings: Settings, log: Log = print) -> RunResult:
    """Merge each table's files into one, atomically and under the writer lock.

    Each table is rewritten into a new generation and swapped in with one rename, so readers see
    the same rows before and after, never duplicates. Rows are streamed in bounded batches.
    """
    info = _new_info(settings, "compact", None)

    def body(staged: StagedWriter, info: RunInfo) -> None:
        wh = settings.warehouse_dir
        for t in TABLES:
            files = table_files(wh, t)
            if len(files) <= 1 and t != "runs":
                continue  # already compact; runs always is, since this run adds its own row
            staged.replace_table(t, consumed=[p.name for p in files])
            for part in scan_table(wh, t, files):
                staged.append_arrow(t, part)
            log(f"compact {t}: {len(files)} files -> 1")

    return execute_run(settings, info, body, log)


def recover_interrupted(settings: Settings, log: Log = print, wait_seconds: float = 1.0) -> bool:
    """Record now, as failed ("interrupted"), the runs whose process died before committing.

    What the next run would do first, for a caller that just stopped a run (``accords serve`` on
    shutdown). False when the lock stays taken (a live writer, or a lease not yet expired): the
    next run recovers then.
    """
    wh = settings.warehouse_dir
    init_warehouse(wh)
    lock = writer_lock(wh)
    try:
        lock.acquire(wait_seconds, owner="recovery")
    except WarehouseLocked as exc:
        log(f"interrupted runs left for the next run to recover: {exc}")
        return False
    try:
        _record_undone(wh, log)
    finally:
        lock.release()
    return True
