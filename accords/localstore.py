"""The warehouse in a local folder: table layout, staged writes, atomic commit, recovery, lock.

Layout (plain Parquet, zstd; one folder per table, readable with no helper)::

    warehouse/<table>/part-<run_id>.parquet         committed data, one file per table per run
    warehouse/<table> -> _tables/<table>/g000002    each table folder is a symlink to its current
                                                    generation (see "Replacing a table" below)
    warehouse/_staging/<run_id>/                    a run in flight (readers ignore "_" folders)
        _RUN.json                                   who started it, when (for crash recovery)
        <table>/part-<run_id>.parquet               staged data
        _COMMIT.json                                written last: the run's decision to commit
    warehouse/.lock                                 flock held by the single writer

Commit protocol: a run stages every file, fsyncs them, then atomically writes ``_COMMIT.json``
(the list of renames and deletions). From that moment the run is committed; applying it is a
series of idempotent ``os.replace`` calls (data tables first, ``runs`` last), after which the
staging folder is removed. A run that dies before ``_COMMIT.json`` exists is undone; one that
dies after it is finished by the next writer (``recover``). Each file appears with one rename,
so a reader sees a table's old or new rows, never part of a file.

Replacing a table (``reprocess``, ``compact``): the new files go into a fresh generation folder
``_tables/<table>/gNNNNNN`` and the table's symlink is swapped to it with one atomic rename, so a
reader sees all old rows or all new rows, never both and never none. Old generations are removed
by a later writer once they are older than ``GENERATION_GRACE_SECONDS`` (readers that listed the
old folder just before the swap can still open its files).

This is the local-folder implementation of the warehouse; ``accords.warehouse`` chooses it (or the
object-store one, ``accords.objectstore``) from the location. Table schemas and the shared staged
writer are in ``accords.tables``.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from accords.errors import WarehouseError, WarehouseLocked
from accords.tables import TABLE_SCHEMAS, TABLES, StagedWriter, to_arrow, utcnow

STAGING = "_staging"
GENERATIONS = "_tables"
GENERATION_GRACE_SECONDS = 600.0
LOCK_FILE = ".lock"
# Short lock serialising unlocked single-file writes (skipped runs) with table link swaps.
SWAP_LOCK_FILE = ".swap.lock"
COMMIT_FILE = "_COMMIT.json"
RUN_FILE = "_RUN.json"

def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_json_atomic(path: Path, obj: Any) -> None:
    """Write JSON to ``path`` via a temp file, fsync and rename: all or nothing."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(obj, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def table_dir(warehouse: Path, table: str) -> Path:
    """Folder of one table."""
    return warehouse / table


def table_files(warehouse: Path, table: str) -> list[Path]:
    """Committed Parquet files of one table, sorted."""
    d = table_dir(warehouse, table)
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.suffix == ".parquet" and not p.name.startswith((".", "_")))


def scan_table(
    warehouse: Path, table: str, files: list[Path], batch_rows: int = 50_000
) -> Iterator[pa.Table]:
    """Stream the rows of the given files of a table in bounded batches."""
    if not files:
        return
    dataset = ds.dataset([str(f) for f in files], format="parquet", schema=TABLE_SCHEMAS[table])
    for batch in dataset.to_batches(batch_size=batch_rows):
        yield pa.Table.from_batches([batch], schema=TABLE_SCHEMAS[table])


def read_table(warehouse: Path, table: str, columns: list[str] | None = None) -> pa.Table:
    """Read a committed table (all files), or an empty table with the right schema."""
    files = table_files(warehouse, table)
    schema = TABLE_SCHEMAS[table]
    if not files:
        empty = schema.empty_table()
        return empty.select(columns) if columns else empty
    dataset = ds.dataset([str(f) for f in files], format="parquet", schema=schema)
    return dataset.to_table(columns=columns)


def _gen_name(n: int) -> str:
    return f"g{n:06d}"


def current_generation(warehouse: Path, table: str) -> str | None:
    """Name of the generation folder a table's symlink points to (None if not a symlink)."""
    link = table_dir(warehouse, table)
    return Path(os.readlink(link)).name if link.is_symlink() else None


def _next_generation(warehouse: Path, table: str) -> str:
    root = warehouse / GENERATIONS / table
    numbers = [int(p.name[1:]) for p in root.iterdir() if p.name[1:].isdigit()] if root.is_dir() else []
    return _gen_name(max(numbers, default=-1) + 1)


def _point_table_at(warehouse: Path, table: str, gen: str) -> None:
    """Atomically make ``warehouse/<table>`` point at generation ``gen`` (rename over the link)."""
    link = table_dir(warehouse, table)
    target = Path(GENERATIONS) / table / gen
    if link.is_symlink() and Path(os.readlink(link)) == target:
        return
    tmp = warehouse / f".{table}.swap"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)
    _fsync_dir(warehouse)


def init_warehouse(warehouse: Path) -> None:
    """Create the warehouse folders and table links (idempotent)."""
    try:
        warehouse.mkdir(parents=True, exist_ok=True)
        (warehouse / STAGING).mkdir(exist_ok=True)
        if all(table_dir(warehouse, t).is_symlink() for t in TABLES):
            return
        with _swap_lock(warehouse):
            _init_tables(warehouse)
    except OSError as exc:
        raise WarehouseError(f"cannot create warehouse at {warehouse}: {exc.strerror or exc}") from exc


def _init_tables(warehouse: Path) -> None:
    for table in TABLES:
        link = table_dir(warehouse, table)
        if link.is_symlink():
            continue
        gen_root = warehouse / GENERATIONS / table
        first = gen_root / _gen_name(0)
        gen_root.mkdir(parents=True, exist_ok=True)
        if link.is_dir():
            # A plain folder (written by hand or an older layout) becomes generation 0.
            os.replace(link, first)
        first.mkdir(exist_ok=True)
        _point_table_at(warehouse, table, _gen_name(0))


def collect_old_generations(warehouse: Path, grace_seconds: float = GENERATION_GRACE_SECONDS) -> int:
    """Delete generation folders no table points at any more and untouched for ``grace_seconds``."""
    removed = 0
    now = time.time()
    for table in TABLES:
        root = warehouse / GENERATIONS / table
        current = current_generation(warehouse, table)
        if not root.is_dir() or current is None:
            continue
        for gen in root.iterdir():
            if gen.name != current and now - gen.stat().st_mtime > grace_seconds:
                shutil.rmtree(gen, ignore_errors=True)
                removed += 1
    return removed


class WarehouseLock:
    """Exclusive writer lock on a warehouse (``flock`` on ``.lock``).

    The kernel releases a flock when its holder dies, so a crashed run never blocks the next one.
    """

    def __init__(self, warehouse: Path) -> None:
        self.path = warehouse / LOCK_FILE
        self._fd: int | None = None

    def holder(self) -> str:
        """Who holds (or last held) the lock, as written by the holder."""
        try:
            return self.path.read_text(encoding="utf-8").strip() or "unknown"
        except OSError:
            return "unknown"

    def acquire(self, wait_seconds: float = 0.0, owner: str = "") -> None:
        """Take the lock, waiting up to ``wait_seconds``; raise WarehouseLocked otherwise."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + max(0.0, wait_seconds)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    os.close(fd)
                    raise
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise WarehouseLocked(
                        f"another ingestion is writing to this warehouse ({self.holder()})"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} {owner} since {utcnow().isoformat(timespec='seconds')}".encode())
        self._fd = fd

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> WarehouseLock:
        """Acquire without waiting."""
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        """Release."""
        self.release()


@contextlib.contextmanager
def _swap_lock(warehouse: Path) -> Iterator[None]:
    """Hold the short swap lock (blocking): link swaps and unlocked writes never interleave."""
    fd = os.open(warehouse / SWAP_LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


class StagedRun(StagedWriter):
    """Files of one run, staged outside the table folders until ``commit``."""

    def __init__(self, warehouse: Path, run_id: str, meta: dict[str, Any]) -> None:
        super().__init__(run_id)
        self.warehouse = warehouse
        self.dir = warehouse / STAGING / run_id
        try:
            self.dir.mkdir(parents=True, exist_ok=False)
            _write_json_atomic(self.dir / RUN_FILE, meta)
        except OSError as exc:
            raise WarehouseError(f"cannot stage run {run_id} in {self.dir}: {exc.strerror or exc}") from exc

    def _file(self, table: str) -> Path:
        return self.dir / table / f"part-{self.run_id}.parquet"

    def _open_writer(self, table: str) -> pq.ParquetWriter:
        path = self._file(table)
        path.parent.mkdir(exist_ok=True)
        return pq.ParquetWriter(str(path), TABLE_SCHEMAS[table], compression="zstd")

    def _close(self) -> None:
        for table, writer in self._writers.items():
            writer.close()
            with open(self._file(table), "rb") as fh:
                os.fsync(fh.fileno())
        self._writers.clear()

    def commit(self, crash_hook: Any = None) -> None:
        """Make the run visible: write the commit record, then move files into place."""
        try:
            self._close()
            moves, swaps = [], []
            for t in TABLES:
                staged = self._file(t)
                rel = str(staged.relative_to(self.warehouse))
                if t in self.replaced:
                    gen = _next_generation(self.warehouse, t)
                    files = [rel] if staged.exists() else []
                    swaps.append({"table": t, "gen": gen, "files": files,
                                  "from": current_generation(self.warehouse, t),
                                  "consumed": self._consumed.get(t, [])})
                elif staged.exists():
                    moves.append([rel, f"{t}/{staged.name}"])
            _check_writable(self.warehouse, [m[1].split("/")[0] for m in moves] + [s["table"] for s in swaps])
            _write_json_atomic(self.dir / COMMIT_FILE,
                               {"run_id": self.run_id, "moves": moves, "swaps": swaps})
        except OSError as exc:
            raise self._failed_before_commit(exc) from exc
        self._passed_commit_point(crash_hook)
        try:
            apply_commit(self.warehouse, self.dir, crash_hook)
        except OSError as exc:
            # Past the commit point nothing is undone: the staged files and the commit record
            # stay, and the next writer's recovery finishes applying them.
            raise WarehouseError(f"run {self.run_id} is committed but moving its files into place "
                                 f"failed ({exc}); the next run finishes it") from exc

    def abort(self) -> None:
        """Drop everything staged (the warehouse is left as it was); a committed run is kept."""
        self._close_writers()
        self._writers.clear()
        if not self.committed:
            shutil.rmtree(self.dir, ignore_errors=True)


def _check_writable(warehouse: Path, tables: list[str]) -> None:
    """Raise PermissionError if a folder the commit must write into refuses writes.

    Checked before the commit record exists: a read-only or immutable table folder then fails
    the run with the warehouse unchanged, instead of leaving a commit half applied.
    """
    if not os.access(warehouse, os.W_OK | os.X_OK):  # table links are swapped in the root
        raise PermissionError(errno.EPERM, "the warehouse folder refuses writes", str(warehouse))
    for t in dict.fromkeys(tables):
        for d in (table_dir(warehouse, t).resolve(), warehouse / GENERATIONS / t):
            if d.is_dir() and not os.access(d, os.W_OK | os.X_OK):
                raise PermissionError(errno.EPERM, f"the {t} table folder refuses writes "
                                      "(read-only, immutable or not permitted)", str(d))


def apply_commit(warehouse: Path, staging_dir: Path, crash_hook: Any = None) -> None:
    """Apply a written commit record: idempotent renames and link swaps, then cleanup."""
    record = json.loads((staging_dir / COMMIT_FILE).read_text(encoding="utf-8"))
    touched: set[Path] = set()
    for swap in record.get("swaps", []):
        gen_dir = warehouse / GENERATIONS / swap["table"] / swap["gen"]
        gen_dir.mkdir(parents=True, exist_ok=True)
        for src in swap["files"]:
            s = warehouse / src
            if s.exists():
                os.replace(s, gen_dir / s.name)
        with _swap_lock(warehouse):
            old = warehouse / GENERATIONS / swap["table"] / (swap.get("from") or "")
            if swap.get("from") and old.is_dir():
                consumed = set(swap.get("consumed", []))
                for f in old.iterdir():
                    # Rows written meanwhile by an unlocked writer: hard-linked, so the old
                    # generation stays whole for readers that listed it.
                    if f.suffix == ".parquet" and f.name not in consumed and not (gen_dir / f.name).exists():
                        os.link(f, gen_dir / f.name)
            _fsync_dir(gen_dir)
            _point_table_at(warehouse, swap["table"], swap["gen"])
    for i, (src, dst) in enumerate(record["moves"]):
        s, d = warehouse / src, warehouse / dst
        if s.exists():
            d.parent.mkdir(parents=True, exist_ok=True)
            os.replace(s, d)
            touched.add(d.parent)
        if crash_hook is not None and i == 0:
            crash_hook("between_table_moves")
    for d in touched:
        _fsync_dir(d)
    shutil.rmtree(staging_dir, ignore_errors=True)


def pending_runs(warehouse: Path) -> Iterator[Path]:
    """Staging folders left by runs that did not finish."""
    root = warehouse / STAGING
    if root.is_dir():
        yield from sorted(p for p in root.iterdir() if p.is_dir())


def recover(warehouse: Path,
            on_undone: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Finish committed runs and undo uncommitted ones. Call only while holding the lock.

    Returns the ``_RUN.json`` metadata of every undone run. ``on_undone`` is called with it
    before the run's staging folder is removed, so the failure is recorded even if this process
    dies right after. Committed runs are finished silently: their run row is part of their commit.
    """
    undone: list[dict[str, Any]] = []
    for staging_dir in pending_runs(warehouse):
        if (staging_dir / COMMIT_FILE).exists():
            apply_commit(warehouse, staging_dir)
            continue
        try:
            meta = json.loads((staging_dir / RUN_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {"run_id": staging_dir.name}
        undone.append(meta)
        if on_undone is not None:
            on_undone(meta)
        shutil.rmtree(staging_dir, ignore_errors=True)
    return undone


def write_single(warehouse: Path, table: str, rows: list[dict[str, Any]], name: str) -> Path:
    """Write one small file straight into a table, atomically (temp name, then rename).

    Used without the lock (a skipped run records itself while another run writes): the temp name
    does not end in .parquet, so no reader picks it up, and rename makes it appear whole.
    """
    d = table_dir(warehouse, table)
    d.mkdir(parents=True, exist_ok=True)
    final = d / f"{name}.parquet"
    tmp = d / f".{name}.tmp"
    try:
        pq.write_table(to_arrow(table, rows), str(tmp), compression="zstd")
        with _swap_lock(warehouse):
            # Resolve the link under the lock: the file lands in the generation readers see.
            d = d.resolve()
            os.replace(tmp, d / final.name)
            _fsync_dir(d)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WarehouseError(f"writing {table} row failed: {exc}") from exc
    return final

