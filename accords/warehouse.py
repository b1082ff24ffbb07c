"""The Parquet warehouse: one storage interface, two implementations, chosen once from the location.

``open_store(location)`` is the only place that looks at what a location is: a local folder
(a ``Path``) gets ``LocalStore`` (``accords.localstore``: renames, table-generation symlinks, a
flock), a URI of a non-local pyarrow filesystem (``s3://...``) gets ``ObjectStore``
(``accords.objectstore``: one snapshot put per commit, a lease). Everything else talks to the
``WarehouseStore`` interface, or to the module functions below, which open the store and call it::

    store = open_store(settings.warehouse_dir)
    with store.writer_lock():
        store.recover()
        staged = store.stage_run(run_id, meta)
        staged.append("articles", rows)
        staged.commit()
    store.read_table("articles")

The table schemas (``TABLE_SCHEMAS``, ``TABLES``) and the shared staged writer live in
``accords.tables``, which both implementations import; neither imports the other or this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any, Protocol, runtime_checkable

import pyarrow as pa
import pyarrow.dataset as ds

from accords import localstore, objectstore
from accords.localstore import (
    COMMIT_FILE,
    GENERATION_GRACE_SECONDS,
    GENERATIONS,
    LOCK_FILE,
    RUN_FILE,
    STAGING,
    StagedRun,
    WarehouseLock,
    apply_commit,
    current_generation,
    pending_runs,
    table_dir,
)
from accords.storage import Location, is_uri
from accords.tables import TABLE_SCHEMAS, TABLES, StagedWriter, to_arrow, utcnow

__all__ = [
    "COMMIT_FILE", "GENERATIONS", "GENERATION_GRACE_SECONDS", "LOCK_FILE", "RUN_FILE", "STAGING",
    "TABLES", "TABLE_SCHEMAS", "LocalStore", "ObjectStore", "StagedRun", "StagedWriter", "WarehouseLock",
    "WarehouseStore", "WriterLock", "apply_commit", "collect_old_generations", "current_generation",
    "init_warehouse", "open_store", "pending_runs", "read_table", "recover", "scan_table", "stage_run",
    "table_dir", "table_files", "to_arrow", "utcnow", "write_single", "writer_lock",
]

TablePath = Path | PurePosixPath
OnUndone = Callable[[dict[str, Any]], None]


class WriterLock(Protocol):
    """The single-writer lock of a warehouse (a flock locally, a renewed lease on an object store)."""

    def acquire(self, wait_seconds: float = 0.0, owner: str = "") -> None:
        """Take the lock, waiting up to ``wait_seconds``; raise WarehouseLocked otherwise."""

    def release(self) -> None:
        """Release the lock (idempotent)."""

    def holder(self) -> str:
        """Who holds the lock, as written by the holder."""


@runtime_checkable
class WarehouseStore(Protocol):
    """Where the warehouse's tables live and how a run commits to them.

    Replacing a table (reprocess, compact) is part of a staged run: ``StagedWriter.replace_table``.
    """

    #: True when readers must read the file list of one snapshot (``datasets``) to see commits
    #: whole; False when globbing a table's folder does (a local folder: files appear by rename).
    snapshot_reads: bool

    def init(self) -> None:
        """Create the warehouse (or check it can be reached); idempotent."""

    def table_files(self, table: str) -> list[TablePath]:
        """The committed files of one table, sorted."""

    def scan_table(self, table: str, files: list[TablePath], batch_rows: int = 50_000) -> Iterator[pa.Table]:
        """Stream the rows of the given files of a table in bounded batches."""

    def read_table(self, table: str, columns: list[str] | None = None) -> pa.Table:
        """A committed table (all files), or an empty table with the table's schema."""

    def datasets(self) -> dict[str, ds.Dataset]:
        """A pyarrow dataset per table, all from one consistent state."""

    def writer_lock(self) -> WriterLock:
        """A new (not yet taken) single-writer lock for this warehouse."""

    def stage_run(self, run_id: str, meta: dict[str, Any], lock: Any = None) -> StagedWriter:
        """Start staging one run's files; ``commit()`` makes them visible at once."""

    def recover(self, on_undone: OnUndone | None = None) -> list[dict[str, Any]]:
        """Finish committed runs, undo the others (hold the lock); metadata of the undone runs."""

    def write_single(self, table: str, rows: list[dict[str, Any]], name: str) -> TablePath:
        """Write one small file into a table without the lock, atomically."""

    def collect_garbage(self, grace_seconds: float) -> int:
        """Delete files no reader can need any more (older than ``grace_seconds``); how many went."""


class LocalStore:
    """The warehouse in a local folder (``accords.localstore``)."""

    snapshot_reads = False

    def __init__(self, path: Path) -> None:
        self.path = path

    def init(self) -> None:
        """Create the folders and table links."""
        localstore.init_warehouse(self.path)

    def table_files(self, table: str) -> list[TablePath]:
        """Parquet files in the table's current generation folder."""
        return list(localstore.table_files(self.path, table))

    def scan_table(self, table: str, files: list[TablePath], batch_rows: int = 50_000) -> Iterator[pa.Table]:
        """Stream the given files in batches."""
        return localstore.scan_table(self.path, table, [Path(f) for f in files], batch_rows)

    def read_table(self, table: str, columns: list[str] | None = None) -> pa.Table:
        """Read every committed file of the table."""
        return localstore.read_table(self.path, table, columns)

    def datasets(self) -> dict[str, ds.Dataset]:
        """A dataset per table over its current files."""
        return {t: ds.dataset([str(f) for f in self.table_files(t)], format="parquet",
                              schema=TABLE_SCHEMAS[t]) for t in TABLES}

    def writer_lock(self) -> WarehouseLock:
        """A flock on ``.lock``."""
        return WarehouseLock(self.path)

    def stage_run(self, run_id: str, meta: dict[str, Any], lock: Any = None) -> StagedRun:
        """Stage under ``_staging/<run_id>`` (the flock needs no handing over)."""
        return StagedRun(self.path, run_id, meta)

    def recover(self, on_undone: OnUndone | None = None) -> list[dict[str, Any]]:
        """Apply written commit records, remove uncommitted staging folders."""
        return localstore.recover(self.path, on_undone)

    def write_single(self, table: str, rows: list[dict[str, Any]], name: str) -> TablePath:
        """Temp file, then one rename into the table's current generation."""
        return localstore.write_single(self.path, table, rows, name)

    def collect_garbage(self, grace_seconds: float) -> int:
        """Remove old table generations."""
        return localstore.collect_old_generations(self.path, grace_seconds)


class ObjectStore:
    """The warehouse on an object store (``accords.objectstore``)."""

    snapshot_reads = True

    def __init__(self, uri: str) -> None:
        self.uri = uri

    def init(self) -> None:
        """Check the location can be reached."""
        objectstore.init_warehouse(self.uri)

    def table_files(self, table: str) -> list[TablePath]:
        """The files the newest snapshot lists, plus the unfolded inbox."""
        return list(objectstore.table_files(self.uri, table))

    def scan_table(self, table: str, files: list[TablePath], batch_rows: int = 50_000) -> Iterator[pa.Table]:
        """Stream the given files in batches."""
        return objectstore.scan_table(self.uri, table, [PurePosixPath(f) for f in files], batch_rows)

    def read_table(self, table: str, columns: list[str] | None = None) -> pa.Table:
        """Read the table as of the newest snapshot."""
        return objectstore.read_table(self.uri, table, columns)

    def datasets(self) -> dict[str, ds.Dataset]:
        """A dataset per table, all from one snapshot."""
        return objectstore.datasets(self.uri)

    def writer_lock(self) -> objectstore.LeaseLock:
        """A renewed lease on ``_lock.json``."""
        return objectstore.LeaseLock(self.uri)

    def stage_run(self, run_id: str, meta: dict[str, Any], lock: Any = None) -> objectstore.StagedObjectRun:
        """Stage under ``_data``; the lease ``lock`` is renewed right before the snapshot put."""
        return objectstore.StagedObjectRun(self.uri, run_id, meta, lock)

    def recover(self, on_undone: OnUndone | None = None) -> list[dict[str, Any]]:
        """Clear runs that died."""
        return objectstore.recover(self.uri, on_undone)

    def write_single(self, table: str, rows: list[dict[str, Any]], name: str) -> TablePath:
        """One put into the table's inbox."""
        return objectstore.write_single(self.uri, table, rows, name)

    def collect_garbage(self, grace_seconds: float) -> int:
        """Delete old snapshots and unreferenced files."""
        return objectstore.collect_garbage(self.uri, grace_seconds)


def open_store(location: Location) -> WarehouseStore:
    """The store for a warehouse location: the one place that tells an object store from a folder."""
    if is_uri(location):
        return ObjectStore(str(location))
    return LocalStore(Path(location))


# Module functions: open the location's store and call it (what the runner, history and CLI use).

def table_files(warehouse: Location, table: str) -> list[TablePath]:
    """Committed Parquet files of one table, sorted."""
    return open_store(warehouse).table_files(table)


def scan_table(warehouse: Location, table: str, files: list[TablePath],
               batch_rows: int = 50_000) -> Iterator[pa.Table]:
    """Stream the rows of the given files of a table in bounded batches."""
    return open_store(warehouse).scan_table(table, files, batch_rows)


def read_table(warehouse: Location, table: str, columns: list[str] | None = None) -> pa.Table:
    """Read a committed table (all files), or an empty table with the right schema."""
    return open_store(warehouse).read_table(table, columns)


def init_warehouse(warehouse: Location) -> None:
    """Create the warehouse folders and table links, or check the object store (idempotent)."""
    open_store(warehouse).init()


def collect_old_generations(warehouse: Location, grace_seconds: float = GENERATION_GRACE_SECONDS) -> int:
    """Delete what no reader can need any more: old generations, or old snapshots and files."""
    return open_store(warehouse).collect_garbage(grace_seconds)


def recover(warehouse: Location, on_undone: OnUndone | None = None) -> list[dict[str, Any]]:
    """Finish committed runs and undo uncommitted ones. Call only while holding the lock."""
    return open_store(warehouse).recover(on_undone)


def write_single(warehouse: Location, table: str, rows: list[dict[str, Any]], name: str) -> TablePath:
    """Write one small file straight into a table, atomically, without the lock."""
    return open_store(warehouse).write_single(table, rows, name)


def writer_lock(warehouse: Location) -> WriterLock:
    """The single-writer lock for a warehouse: flock locally, a lease on an object store."""
    return open_store(warehouse).writer_lock()


def stage_run(warehouse: Location, run_id: str, meta: dict[str, Any], lock: Any = None) -> StagedWriter:
    """Start staging a run's files (``StagedRun`` locally, snapshot-committed on an object store)."""
    return open_store(warehouse).stage_run(run_id, meta, lock)
