"""The warehouse on an object store (any non-local pyarrow filesystem, e.g. ``s3://``).

Object stores have no rename, no symlink and no lock, but a put makes a whole object appear at
once and (on S3 since 2020) reads and lists after a put see it. So the commit point here is one
put of a snapshot object listing every table's live files, not a rename::

    <uri>/_data/<table>/part-<run_id>.parquet     immutable data, invisible until a snapshot lists it
    <uri>/_snapshots/<version>-<run_id>.json      one per commit (version: 12 digits, +1 per commit)
    <uri>/_inflight/<run_id>.json                 a run in flight (for recovery), gone after its end
    <uri>/_inbox/<table>/<name>.parquet           a skipped or failed run's row, written without
                                                  the lock; readers add it, the next commit folds it
    <uri>/_lock.json                              the writer's lease

Readers take the newest snapshot (the highest version that has exactly one snapshot object: see
``head``) and read exactly its files, so they see a commit whole or not at all. A run
that dies before its snapshot leaves only unlisted files, which recovery deletes. Replacing a
table (reprocess, compact) is the same single put, listing the new files instead of the old.

Writers take a lease (``LeaseLock``): put a token, read it back, renew it while running. Pyarrow
has no conditional put, so two writers starting within the same instant could both believe they
hold it. The commit then catches the race: a version counts only while exactly one snapshot
object has it, and a writer that finds a rival of its version after its put withdraws its own
and fails, so no row is duplicated and no committed version is replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from accords import storage
from accords.errors import WarehouseError, WarehouseLocked
from accords.tables import TABLE_SCHEMAS, TABLES, StagedWriter, to_arrow

DATA = "_data"
SNAPSHOTS = "_snapshots"
INFLIGHT = "_inflight"
INBOX = "_inbox"
LOCK = "_lock.json"
# A lease not renewed for this long belongs to a dead writer (renewed every third of it).
LEASE_SECONDS = 60.0
# Time for a racing writer's lease put to land before we read ours back.
LEASE_SETTLE_SECONDS = 0.3
# Snapshots kept besides the newest (readers that just read an older one can still open its files).
KEEP_SNAPSHOTS = 10


def _fs(uri: str) -> tuple[pafs.FileSystem, str]:
    return storage.filesystem(uri)


def _list(fs: pafs.FileSystem, path: str, recursive: bool = False) -> list[pafs.FileInfo]:
    """Files under ``path`` (none if it does not exist)."""
    infos = fs.get_file_info(pafs.FileSelector(path, recursive=recursive, allow_not_found=True))
    return [i for i in infos if i.type == pafs.FileType.File]


def _read_json(fs: pafs.FileSystem, path: str) -> Any:
    with fs.open_input_stream(path) as fh:
        return json.loads(fh.read().decode("utf-8"))


def _put_json(fs: pafs.FileSystem, path: str, obj: Any) -> None:
    """One put: the object appears whole or not at all."""
    with fs.open_output_stream(path) as fh:
        fh.write(json.dumps(obj).encode("utf-8"))


def _delete(fs: pafs.FileSystem, path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        fs.delete_file(path)


@dataclass
class Snapshot:
    """One committed state of the whole warehouse."""

    version: int = 0
    name: str = ""
    run_id: str | None = None
    tables: dict[str, list[str]] = field(default_factory=dict)  # paths relative to the warehouse
    inbox_folded: list[str] = field(default_factory=list)


def _snapshot_key(name: str) -> tuple[int, str] | None:
    stem = name.removesuffix(".json")
    version, _, run_id = stem.partition("-")
    return (int(version), name) if version.isdigit() and run_id and name.endswith(".json") else None


def _versions(fs: pafs.FileSystem, base: str) -> dict[int, list[str]]:
    """Snapshot object names per version."""
    versions: dict[int, list[str]] = {}
    for info in _list(fs, storage.join(base, SNAPSHOTS)):
        key = _snapshot_key(info.base_name)
        if key is not None:
            versions.setdefault(key[0], []).append(info.base_name)
    return versions


def _committed(versions: dict[int, list[str]]) -> dict[int, str]:
    """The versions that count: those with exactly one snapshot object.

    Two objects of one version mean two writers raced past the lease; both withdraw theirs (or
    recovery does, for one that died), so neither counts meanwhile.
    """
    return {v: names[0] for v, names in versions.items() if len(names) == 1}


def head(uri: str) -> Snapshot:
    """The current snapshot: the highest committed version; empty if there is none."""
    fs, base = _fs(uri)
    try:
        committed = _committed(_versions(fs, base))
        if not committed:
            return Snapshot()
        version = max(committed)
        data = _read_json(fs, storage.join(base, SNAPSHOTS, committed[version]))
    except OSError as exc:
        raise WarehouseError(f"cannot read the snapshots of {uri}: {exc}") from exc
    return Snapshot(version=version, name=committed[version], run_id=data.get("run_id"),
                    tables={t: list(v) for t, v in data.get("tables", {}).items()},
                    inbox_folded=list(data.get("inbox_folded", [])))


def _inbox(fs: pafs.FileSystem, base: str, table: str) -> list[str]:
    """Relative paths of the inbox files of a table."""
    return sorted(f"{INBOX}/{table}/{i.base_name}" for i in _list(fs, storage.join(base, INBOX, table))
                  if i.base_name.endswith(".parquet"))


def _live(snap: Snapshot, inbox: list[str], table: str) -> list[str]:
    folded = set(snap.inbox_folded)
    return sorted(snap.tables.get(table, [])) + [p for p in inbox if p not in folded]


def init_warehouse(uri: str) -> None:
    """Check the warehouse location can be reached (creates the prefix where that means anything)."""
    fs, base = _fs(uri)
    try:
        fs.create_dir(base, recursive=True)
    except OSError as exc:
        raise WarehouseError(f"cannot reach warehouse at {uri}: {exc}") from exc


def _live_files(uri: str, snap: Snapshot, table: str) -> list[PurePosixPath]:
    """A table's live files at ``snap`` (paths inside the filesystem), sorted."""
    fs, base = _fs(uri)
    try:
        rel = _live(snap, _inbox(fs, base, table), table)
    except OSError as exc:
        raise WarehouseError(f"cannot list table {table} of {uri}: {exc}") from exc
    return [PurePosixPath(storage.join(base, p)) for p in rel]


def table_files(uri: str, table: str) -> list[PurePosixPath]:
    """The live files of one table (paths inside the filesystem), sorted."""
    return _live_files(uri, head(uri), table)


def datasets(uri: str) -> dict[str, ds.Dataset]:
    """A dataset per table, all from one snapshot (a consistent view across tables)."""
    snap = head(uri)
    return {t: dataset(uri, t, _live_files(uri, snap, t)) for t in TABLES}


def dataset(uri: str, table: str, files: list[PurePosixPath] | None = None) -> ds.Dataset:
    """A pyarrow dataset over a table's live (or the given) files, with the table's schema."""
    fs, _ = _fs(uri)
    paths = [str(p) for p in (table_files(uri, table) if files is None else files)]
    return ds.dataset(paths, filesystem=fs, format="parquet", schema=TABLE_SCHEMAS[table])


def read_table(uri: str, table: str, columns: list[str] | None = None) -> pa.Table:
    """Read a committed table, or an empty table with the right schema."""
    try:
        return dataset(uri, table).to_table(columns=columns)
    except OSError as exc:
        raise WarehouseError(f"cannot read table {table} of {uri}: {exc}") from exc


def scan_table(
    uri: str, table: str, files: list[PurePosixPath], batch_rows: int = 50_000
) -> Iterator[pa.Table]:
    """Stream the rows of the given files of a table in bounded batches."""
    if not files:
        return
    for batch in dataset(uri, table, files).to_batches(batch_size=batch_rows):
        yield pa.Table.from_batches([batch], schema=TABLE_SCHEMAS[table])


def write_single(uri: str, table: str, rows: list[dict[str, Any]], name: str) -> PurePosixPath:
    """Write one small file into the table's inbox without the lock (one put, seen whole)."""
    fs, base = _fs(uri)
    path = storage.join(base, INBOX, table, f"{name}.parquet")
    try:
        pq.write_table(to_arrow(table, rows), path, filesystem=fs, compression="zstd")
    except OSError as exc:
        raise WarehouseError(f"writing {table} row to {uri} failed: {exc}") from exc
    return PurePosixPath(path)


def _dead_here(owner: dict[str, Any]) -> bool:
    """True when ``owner`` names a process on this host that no longer exists."""
    if owner.get("host") != socket.gethostname() or not isinstance(owner.get("pid"), int):
        return False
    try:
        os.kill(owner["pid"], 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # exists, owned by another user
    return False


def _expired(lease: dict[str, Any]) -> bool:
    """True when the lease's holder is gone: past its expiry, or a dead process on this host."""
    # A holder killed without releasing is noticed at once on its own host.
    return lease.get("expires_at", 0) < time.time() or _dead_here(lease)


class LeaseLock:
    """Exclusive writer lease on an object-store warehouse (``_lock.json``, renewed while held).

    A holder that dies stops renewing; its lease expires after ``LEASE_SECONDS`` and the next
    writer takes over (clocks of the writing machines must agree to within a few seconds). On
    the holder's own host a dead holder process is noticed at once, as with a local flock.
    """

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self._fs, base = _fs(uri)
        self.path = storage.join(base, LOCK)
        self.token = uuid.uuid4().hex
        self._owner = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _read(self) -> dict[str, Any] | None:
        try:
            data = _read_json(self._fs, self.path)
        except (FileNotFoundError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _put(self) -> None:
        _put_json(self._fs, self.path, {
            "token": self.token, "owner": self._owner, "host": socket.gethostname(), "pid": os.getpid(),
            "expires_at": time.time() + LEASE_SECONDS,
        })

    def holder(self) -> str:
        """Who holds the lease, as written by the holder."""
        cur = self._read() or {}
        return f"pid {cur.get('pid', '?')} on {cur.get('host', '?')} {cur.get('owner', '')}".strip()

    def held(self) -> bool:
        """True while the stored lease is ours and unexpired."""
        cur = self._read()
        return bool(cur) and cur.get("token") == self.token and cur.get("expires_at", 0) > time.time()

    def renew(self) -> bool:
        """Renew the lease now if it is still ours; True if it then has most of its time left.

        Called right before a commit: a lease about to expire could pass to another writer,
        whose recovery would delete this run's files while its snapshot lists them.
        """
        try:
            if not self.held():
                return False
            self._put()
            cur = self._read() or {}
        except OSError:
            return False
        return cur.get("token") == self.token and cur.get("expires_at", 0) - time.time() > LEASE_SECONDS / 2

    def acquire(self, wait_seconds: float = 0.0, owner: str = "") -> None:
        """Take the lease, waiting up to ``wait_seconds``; raise WarehouseLocked otherwise."""
        self._owner = owner
        deadline = time.monotonic() + max(0.0, wait_seconds)
        try:
            while True:
                cur = self._read()
                if cur is None or cur.get("token") == self.token or _expired(cur):
                    self._put()
                    time.sleep(LEASE_SETTLE_SECONDS)
                    if self.held():
                        break
                if time.monotonic() >= deadline:
                    raise WarehouseLocked(f"another ingestion is writing to this warehouse ({self.holder()})")
                time.sleep(0.5)
        except OSError as exc:
            raise WarehouseError(f"cannot take the writer lease of {self.uri}: {exc}") from exc
        self._stop.clear()
        self._thread = threading.Thread(target=self._renew, name="accords-lease", daemon=True)
        self._thread.start()

    def _renew(self) -> None:
        while not self._stop.wait(LEASE_SECONDS / 3):
            with contextlib.suppress(OSError):  # a missed renewal shows at commit (held() is False)
                if self.held():
                    self._put()

    def release(self) -> None:
        """Stop renewing and delete the lease if it is still ours (idempotent)."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        with contextlib.suppress(OSError):
            if self.held():
                _delete(self._fs, self.path)

    def __enter__(self) -> LeaseLock:
        """Acquire without waiting."""
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        """Release."""
        self.release()


class StagedObjectRun(StagedWriter):
    """Files of one run, written under ``_data`` and made visible by one snapshot put."""

    def __init__(self, uri: str, run_id: str, meta: dict[str, Any], lock: LeaseLock | None = None) -> None:
        super().__init__(run_id)
        self.uri = uri
        self.lock = lock
        self._fs, self._base = _fs(uri)
        self._snapshot: str | None = None
        try:
            marker = {**meta, "host": socket.gethostname(), "pid": meta.get("pid", os.getpid())}
            _put_json(self._fs, storage.join(self._base, INFLIGHT, f"{run_id}.json"), marker)
        except OSError as exc:
            raise WarehouseError(f"cannot stage run {run_id} in {uri}: {exc}") from exc

    def _rel(self, table: str) -> str:
        return f"{DATA}/{table}/part-{self.run_id}.parquet"

    def _open_writer(self, table: str) -> pq.ParquetWriter:
        path = storage.join(self._base, self._rel(table))
        return pq.ParquetWriter(path, TABLE_SCHEMAS[table], filesystem=self._fs, compression="zstd")

    def _next_tables(self, base: Snapshot) -> tuple[dict[str, list[str]], list[str]]:
        """Every table's live files after this run, and the inbox files folded so far."""
        tables: dict[str, list[str]] = {}
        inbox_present: set[str] = set()
        folded = set(base.inbox_folded)
        for t in TABLES:
            inbox = _inbox(self._fs, self._base, t)
            inbox_present.update(inbox)
            new_inbox = [p for p in inbox if p not in folded]
            folded.update(new_inbox)
            consumed = set(self._consumed.get(t, []))
            keep = [p for p in base.tables.get(t, []) + new_inbox if PurePosixPath(p).name not in consumed]
            tables[t] = keep + ([self._rel(t)] if t in self._writers else [])
        # Folded inbox files stay listed until deleted, so readers never add them a second time.
        return tables, sorted(folded & inbox_present)

    def commit(self, crash_hook: Callable[[str], None] | None = None) -> None:
        """Make the run visible with one snapshot put; raise WarehouseError if it did not happen."""
        try:
            for writer in self._writers.values():
                writer.close()
            if self.lock is not None and not self.lock.renew():
                raise WarehouseError("the writer lease was lost (not renewed in time); not committing")
            base = head(self.uri)
            tables, folded = self._next_tables(base)
            name = f"{base.version + 1:012d}-{self.run_id}.json"
            snap_path = storage.join(self._base, SNAPSHOTS, name)
            # Known before the put: a put that fails after the store kept the object is withdrawn
            # by abort(), whose first step it is; if even that fails, the data files and the
            # marker stay and recovery decides.
            self._snapshot = snap_path
            _put_json(self._fs, snap_path, {"version": base.version + 1, "run_id": self.run_id,
                                            "parent": base.name, "tables": tables, "inbox_folded": folded})
            rivals = [n for n in _versions(self._fs, self._base).get(base.version + 1, []) if n != name]
            if rivals:
                # Another writer put the same version (the lease failed): ours is withdrawn and
                # this run fails; the other counts once it is alone (or is withdrawn in turn).
                _delete(self._fs, snap_path)
                raise WarehouseError(f"run {self.run_id} raced {rivals[0]} for snapshot "
                                     f"{base.version + 1}; nothing of it was committed")
        except WarehouseError:
            self.abort()
            raise
        except OSError as exc:
            raise self._failed_before_commit(exc) from exc
        self._passed_commit_point(crash_hook)
        with contextlib.suppress(OSError):  # a leftover marker is cleared by the next recovery
            _delete(self._fs, storage.join(self._base, INFLIGHT, f"{self.run_id}.json"))

    def abort(self) -> None:
        """Drop everything written (the warehouse is left as it was); a committed run is kept."""
        self._close_writers()
        if self.committed:
            return
        with contextlib.suppress(OSError):
            if self._snapshot is not None:
                _delete(self._fs, self._snapshot)
            for t in self._writers:
                _delete(self._fs, storage.join(self._base, self._rel(t)))
            _delete(self._fs, storage.join(self._base, INFLIGHT, f"{self.run_id}.json"))


def recover(uri: str, on_undone: Callable[[dict[str, Any]], None] | None = None) -> list[dict[str, Any]]:
    """Clear runs that died: committed ones lose their marker, others their files. Hold the lease.

    Returns the metadata of every undone run; ``on_undone`` is called with it first.
    """
    try:
        return _recover(uri, on_undone)
    except OSError as exc:
        raise WarehouseError(f"cannot recover interrupted runs of {uri}: {exc}") from exc


def _recover(uri: str, on_undone: Callable[[dict[str, Any]], None] | None) -> list[dict[str, Any]]:
    fs, base = _fs(uri)
    undone: list[dict[str, Any]] = []
    versions = _versions(fs, base)
    names = [n for group in versions.values() for n in group]
    now_ns = time.time_ns()
    for info in _list(fs, storage.join(base, INFLIGHT)):
        run_id = info.base_name.removesuffix(".json")
        if any(n.endswith(f"-{run_id}.json") for n in _committed(versions).values()):
            _delete(fs, info.path)  # committed; died before removing its marker
            continue
        try:
            meta = _read_json(fs, info.path)
        except (OSError, ValueError):
            meta = {"run_id": run_id}
        if not isinstance(meta, dict):
            meta = {"run_id": run_id}
        young = info.mtime_ns is not None and now_ns - info.mtime_ns < LEASE_SECONDS * 1e9
        if young and not _dead_here(meta):
            # Possibly a live writer that raced us for the lease: its run is left alone (it
            # commits or fails by itself); a dead one is undone once its lease has expired.
            continue
        meta["run_id"] = run_id
        undone.append(meta)
        if on_undone is not None:
            on_undone(meta)
        for name in names:  # a raced snapshot its writer died before withdrawing
            if name.endswith(f"-{run_id}.json"):
                _delete(fs, storage.join(base, SNAPSHOTS, name))
        for t in TABLES:
            _delete(fs, storage.join(base, DATA, t, f"part-{run_id}.parquet"))
        _delete(fs, info.path)
    return undone


def collect_garbage(uri: str, grace_seconds: float) -> int:
    """Delete snapshots past the newest ``KEEP_SNAPSHOTS`` and files no kept snapshot lists.

    Only objects older than ``grace_seconds`` go, so a reader that read a snapshot just before
    can still open its files. Best effort (housekeeping never fails a run): an error ends the
    pass and the next run continues it. Hold the lease.
    """
    fs, base = _fs(uri)
    now_ns = time.time_ns()
    grace_ns = int(grace_seconds * 1e9)

    def old(info: pafs.FileInfo) -> bool:
        return info.mtime_ns is not None and now_ns - info.mtime_ns > grace_ns

    removed = 0
    try:
        committed = _committed(_versions(fs, base))
        snaps = sorted(_list(fs, storage.join(base, SNAPSHOTS)), key=lambda i: i.base_name)
        keep_names = {committed[v] for v in sorted(committed)[-(KEEP_SNAPSHOTS + 1):]}
        referenced: set[str] = set()
        folded_everywhere: set[str] | None = None
        for info in snaps:
            if info.base_name in keep_names or not old(info):
                try:
                    data = _read_json(fs, info.path)
                except FileNotFoundError:
                    continue
                referenced.update(p for files in data.get("tables", {}).values() for p in files)
                folded = set(data.get("inbox_folded", []))
                folded_everywhere = folded if folded_everywhere is None else folded_everywhere & folded
            else:
                _delete(fs, info.path)
                removed += 1
        for folder in (DATA, INBOX):
            for info in _list(fs, storage.join(base, folder), recursive=True):
                rel = info.path[len(base.rstrip("/")) + 1:]
                # An inbox file is live for readers of every snapshot that has not folded it
                # (they add it from the inbox): it goes only once all kept snapshots folded it.
                live_inbox = folder == INBOX and rel not in (folded_everywhere or set())
                if rel not in referenced and not live_inbox and old(info):
                    _delete(fs, info.path)
                    removed += 1
    except OSError:
        pass
    return removed
