"""Run history: the ``runs`` and ``ingestions`` rows, and reading them back."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from accords.warehouse import read_table, utcnow


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, unique run id: UTC start time plus 8 random hex digits."""
    now = now or utcnow()
    return f"{now:%Y%m%dT%H%M%S}Z-{uuid.uuid4().hex[:8]}"


@dataclass
class RunCounts:
    """Counters accumulated over one run."""

    files_seen: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_unchanged: int = 0
    files_failed: int = 0
    files_skipped: int = 0
    articles_written: int = 0
    entities_written: int = 0
    mentions_written: int = 0
    agreements_written: int = 0
    meetings_written: int = 0
    records_quarantined: int = 0

    def add(self, other: RunCounts) -> None:
        """Add another counter set into this one."""
        for k, v in asdict(other).items():
            setattr(self, k, getattr(self, k) + v)


@dataclass
class RunInfo:
    """Identity and context of a run, known at its start."""

    run_id: str
    started_at: datetime
    trigger: str
    command: str
    raw_dir: str | None
    extractor_version: str
    schema_version: str
    flow_run_id: str | None = None
    counts: RunCounts = field(default_factory=RunCounts)


def run_row(info: RunInfo, status: str, error: str | None = None,
            finished_at: datetime | None = None) -> dict[str, Any]:
    """The ``runs`` row for a finished (or skipped, or failed) run."""
    finished = finished_at or utcnow()
    return {
        "run_id": info.run_id,
        "flow_run_id": info.flow_run_id,
        "started_at": info.started_at.isoformat(),
        "finished_at": finished.isoformat(),
        "status": status,
        "trigger": info.trigger,
        "command": info.command,
        "raw_dir": info.raw_dir,
        **asdict(info.counts),
        "duration_s": max(0.0, (finished - info.started_at).total_seconds()),
        "extractor_version": info.extractor_version,
        "schema_version": info.schema_version,
        "error": error,
    }


def run_status(counts: RunCounts) -> str:
    """completed, or completed_with_errors when any file failed or any record was quarantined."""
    return "completed_with_errors" if counts.files_failed or counts.records_quarantined else "completed"


def _started_from_run_id(run_id: str) -> str | None:
    """The start time encoded in a run id (used when a run died before writing its metadata)."""
    try:
        return datetime.strptime(run_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).isoformat()
    except ValueError:
        return None


def interrupted_run_row(meta: dict[str, Any], schema_version: str) -> dict[str, Any]:
    """The ``runs`` row recording a run that died before committing (found by recovery)."""
    now = utcnow()
    started = meta.get("started_at") or _started_from_run_id(meta["run_id"]) or now.isoformat()
    info = RunInfo(
        run_id=meta["run_id"],
        started_at=datetime.fromisoformat(started),
        trigger=meta.get("trigger", "manual"),
        command=meta.get("command", "ingest"),
        raw_dir=meta.get("raw_dir"),
        extractor_version=meta.get("extractor_version", "unknown"),
        schema_version=schema_version,
        flow_run_id=meta.get("flow_run_id"),
    )
    return run_row(info, "failed", error=f"interrupted: process {meta.get('pid', '?')} died before "
                   "committing; its staged rows were discarded", finished_at=now)


def recent_runs(warehouse: Path, limit: int = 20) -> list[dict[str, Any]]:
    """The most recent runs, newest first."""
    rows = read_table(warehouse, "runs").to_pylist()
    rows.sort(key=lambda r: (r["started_at"], r["run_id"]), reverse=True)
    return rows[:limit]


@dataclass(frozen=True, slots=True)
class FileState:
    """What the warehouse remembers about a raw file from its latest successful ingestion."""

    sha256: str
    size_bytes: int | None
    mtime_ns: int | None
    # Runs before ``file_articles`` listed the file's article ids here; newer rows leave it empty.
    article_ids: tuple[str, ...]
    articles: int = 0  # how many articles the file holds


# Columns of ``file_state_table``: one row per raw path.
STATE_COLUMNS = ["path", "sha256", "size_bytes", "mtime_ns", "article_ids", "articles"]


def file_state_table(warehouse: Path) -> pa.Table:
    """Latest successful state per raw path (new, changed or unchanged), from ``ingestions``.

    One row per path, columns ``STATE_COLUMNS``. It stays in Arrow: the table grows by one row
    per file per run, and a rerun compares sizes and mtimes there, so only the files that need
    work become ``FileState`` objects (``file_states_at``).
    """
    cols = ["path", "sha256", "size_bytes", "mtime_ns", "status", "article_ids", "articles", "ingested_at",
            "run_id"]
    t = read_table(warehouse, "ingestions", cols)
    ok = pc.and_(pc.is_in(t["status"], value_set=pa.array(["new", "changed", "unchanged"])),
                 pc.is_valid(t["sha256"]))
    t = t.filter(ok)
    if t.num_rows == 0:
        return t.select(STATE_COLUMNS)
    # Sort the key columns only (not a sorted copy of every column): path, then newest first;
    # the first row of each path is its latest state.
    keys = t.select(["path", "ingested_at", "run_id"])
    order = pc.sort_indices(keys, [("path", "ascending"), ("ingested_at", "descending"),
                                   ("run_id", "descending")])
    paths = keys["path"].combine_chunks().take(order)
    first = pc.not_equal(paths.slice(1), paths.slice(0, len(paths) - 1))
    return t.select(STATE_COLUMNS).take(order.filter(pa.concat_arrays([pa.array([True]), first])))


def file_states_at(states: pa.Table, rows: pa.Array) -> list[FileState]:
    """``FileState`` objects for the given rows of a ``file_state_table``, in order."""
    t = states.take(rows)
    return [
        FileState(sha, size, mtime, tuple(ids or ()), n if n is not None else len(ids or ()))
        for sha, size, mtime, ids, n in zip(
            t["sha256"].to_pylist(), t["size_bytes"].to_pylist(), t["mtime_ns"].to_pylist(),
            t["article_ids"].to_pylist(), t["articles"].to_pylist(), strict=True)
    ]


def known_article_ids(warehouse: Path) -> frozenset[str]:
    """Ids of every article already in the warehouse."""
    return frozenset(read_table(warehouse, "articles", ["article_id"]).column("article_id").to_pylist())


def file_article_ids(warehouse: Path, path: str) -> list[str]:
    """Ids of the articles of one raw file at its latest successful ingestion, in file order.

    They are the ``file_articles`` rows of the run that last read the file as new or changed; a
    warehouse written before that table lists them in ``ingestions.article_ids`` instead (the
    ``file_links`` view in ``accords.query`` reads both).
    """
    t = read_table(warehouse, "ingestions", ["path", "status", "article_ids", "ingested_at", "run_id"])
    rows = [r for r in t.filter(pc.equal(t["path"], path)).to_pylist()
            if r["status"] in ("new", "changed", "unchanged")]
    if not rows:
        return []
    latest = max(rows, key=lambda r: (r["ingested_at"], r["run_id"]))
    if latest["article_ids"]:
        return list(latest["article_ids"])
    read = [r for r in rows if r["status"] in ("new", "changed")]
    if not read:
        return []
    run = max(read, key=lambda r: (r["ingested_at"], r["run_id"]))["run_id"]
    links = read_table(warehouse, "file_articles", ["run_id", "path", "article_id", "line"])
    links = links.filter(pc.and_(pc.equal(links["path"], path), pc.equal(links["run_id"], run)))
    return links.column("article_id").to_pylist()  # written in file order
