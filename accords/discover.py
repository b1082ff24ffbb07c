"""DISCOVER stage: find the article files in raw/ and read them. The only module touching raw/.

raw/ is a local folder or the URI of a pyarrow filesystem (``s3://bucket/raw``); both are walked
with the same skip rules. Nothing here modifies, moves or deletes anything in raw/. Names are
never given to a shell, so spaces, unicode, leading dashes and newlines in names are harmless.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath, PurePosixPath

import pyarrow.fs as pafs

from accords import storage
from accords.errors import AccordsError, UnreadableFile
from accords.parse import SUPPORTED_EXTENSIONS

# Suffixes of files that browsers, downloaders and editors write before the real file exists.
_PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".swp", ".swo", ".swx", ".crdownload", ".download")


@dataclass(frozen=True, slots=True)
class FoundFile:
    """A raw file ready to be read: a settled regular file with a supported extension."""

    # Local: absolute, symlink-free path of the file. On a pyarrow filesystem: the object's
    # PurePosixPath inside that filesystem (bucket first for object stores).
    path: PurePath
    rel_path: str  # POSIX path relative to raw_dir, as the user sees it
    size: int
    mtime_ns: int
    # The raw root URI for files on a pyarrow filesystem, None for local files. A URI, not the
    # filesystem object, so batches pickle to workers, which re-open it with storage.filesystem.
    fs_uri: str | None = None


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A name in raw/ that is not ingested this run, and why."""

    rel_path: str
    reason: str


@dataclass
class _Listing:
    """Limits and results of one discovery, local or remote: the rules both walks share."""

    now: float
    settle_seconds: float
    max_bytes: int
    found: list[FoundFile]
    skipped: list[SkippedFile]

    def consider(self, rel: str, path: PurePath, size: int, mtime_ns: int, fs_uri: str | None = None) -> None:
        """Ingest a regular file unless its extension, size or age says otherwise."""
        if PurePosixPath(rel).suffix.lower() not in SUPPORTED_EXTENSIONS:
            if not rel.endswith(SIDECAR_SUFFIX):  # a fetched page's sidecar is data, not an article
                self.skipped.append(SkippedFile(rel, "unsupported extension"))
            return
        if size > self.max_bytes:
            self.skipped.append(SkippedFile(rel, f"too large ({size} bytes > cap {self.max_bytes})"))
            return
        age = self.now - mtime_ns / 1e9
        if age < 0:
            # A future mtime may be a writer's clock or a file still being written: wait, visibly.
            self.skipped.append(SkippedFile(rel, f"still being written (mtime {-age:.1f} s in the future)"))
            return
        if age < self.settle_seconds:
            self.skipped.append(SkippedFile(rel, f"still being written (modified {age:.1f} s ago)"))
            return
        self.found.append(FoundFile(path=path, rel_path=rel, size=size, mtime_ns=mtime_ns, fs_uri=fs_uri))


@dataclass
class _Walk(_Listing):
    """Mutable state of one local discovery walk."""

    root: Path  # resolved raw_dir
    visited: set[tuple[int, int]]  # (st_dev, st_ino) of every directory walked
    pending: list[tuple[Path, str]]  # (link path, rel path) of directory symlinks, walked last


def discover(
    raw_dir: Path | str,
    *,
    now: float | None = None,
    settle_seconds: float = 2.0,
    max_bytes: int = 50_000_000,
) -> tuple[list[FoundFile], list[SkippedFile]]:
    """List the files of ``raw_dir`` to ingest, and the ones skipped with a reason.

    Walks recursively in a deterministic order; both lists come back sorted by ``rel_path``.
    Skipped: hidden names, partial/editor files, files modified less than ``settle_seconds``
    before ``now`` (default: the current time), files larger than ``max_bytes``, unsupported
    extensions, non-regular files, symlinks leaving raw_dir, broken links and link loops.
    Symlinks that stay inside raw_dir are followed; each real directory is walked once, real
    paths first, so a link to an already walked directory is skipped, not walked twice.

    ``raw_dir`` may also be the URI of a pyarrow filesystem (``s3://bucket/raw``): it is listed
    recursively under the same rules (an object store has no links or special files), and the
    files found carry ``fs_uri`` so ``read_file`` reads them through that filesystem.

    Raises:
        UnreadableFile: raw_dir does not exist, is not a directory or cannot be listed.
    """
    if storage.is_uri(raw_dir):
        listing = _Listing(now=time.time() if now is None else now, settle_seconds=settle_seconds,
                           max_bytes=max_bytes, found=[], skipped=[])
        _discover_remote(str(raw_dir).rstrip("/"), listing)
        return _sorted(listing)
    raw_dir = Path(raw_dir)
    try:
        root = raw_dir.resolve(strict=True)
        root_stat = os.stat(root)
    except (OSError, RuntimeError) as exc:
        if not os.path.lexists(raw_dir):
            raise UnreadableFile(f"raw directory does not exist: {raw_dir}") from exc
        raise UnreadableFile(f"raw directory cannot be opened: {raw_dir}: {_why(exc)}") from exc
    if not stat.S_ISDIR(root_stat.st_mode):
        raise UnreadableFile(f"raw directory is not a directory: {raw_dir}")
    walk = _Walk(
        root=root,
        now=time.time() if now is None else now,
        settle_seconds=settle_seconds,
        max_bytes=max_bytes,
        found=[],
        skipped=[],
        visited={(root_stat.st_dev, root_stat.st_ino)},
        pending=[],
    )
    try:
        root_entries = _sorted_entries(root)
    except OSError as exc:
        raise UnreadableFile(f"raw directory cannot be listed: {raw_dir}: {_why(exc)}") from exc
    _walk_tree(walk, root, "", root_entries)
    # Directory links last: a link to a directory walked under its real name is then skipped
    # instead of shadowing the real name. A followed link may queue further links.
    while walk.pending:
        pending, walk.pending = walk.pending, []
        for link, rel in pending:
            _follow_dir_link(walk, link, rel)
    return _sorted(walk)


def _sorted(listing: _Listing) -> tuple[list[FoundFile], list[SkippedFile]]:
    """Both result lists, sorted by rel_path."""
    listing.found.sort(key=lambda f: f.rel_path)
    listing.skipped.sort(key=lambda s: s.rel_path)
    return listing.found, listing.skipped


def _walk_tree(walk: _Walk, real_dir: Path, rel_dir: str, entries: list[os.DirEntry[str]]) -> None:
    """Walk one directory tree iteratively (no recursion limit on deep trees)."""
    stack: list[tuple[Path, str, list[os.DirEntry[str]]]] = [(real_dir, rel_dir, entries)]
    while stack:
        current, rel_current, current_entries = stack.pop()
        subdirs: list[tuple[Path, str, list[os.DirEntry[str]]]] = []
        # Entries are dropped once visited: each caches its stat, and a big directory's
        # entries would otherwise all stay alive next to the files found.
        current_entries.reverse()
        while current_entries:
            entry = current_entries.pop()
            rel = f"{rel_current}{_display_name(entry.name)}"
            sub = _visit(walk, current, entry, rel)
            if sub is not None:
                subdirs.append(sub)
        stack.extend(reversed(subdirs))  # pop() then yields them in sorted order


def _visit(
    walk: _Walk, parent: Path, entry: os.DirEntry[str], rel: str
) -> tuple[Path, str, list[os.DirEntry[str]]] | None:
    """Classify one directory entry; return a subdirectory to walk, if it is one."""
    name = entry.name
    try:
        is_link = entry.is_symlink()
        is_dir = not is_link and entry.is_dir(follow_symlinks=False)
    except OSError as exc:
        walk.skipped.append(SkippedFile(rel, f"cannot be inspected: {_why(exc)}"))
        return None
    reason = _name_reason(name, is_dir)
    if reason is not None:
        walk.skipped.append(SkippedFile(rel, reason))
        return None
    if is_dir:
        return _enter_dir(walk, parent / name, rel)
    if is_link:
        _visit_link(walk, parent / name, rel)
        return None
    try:
        st = entry.stat(follow_symlinks=False)
    except OSError as exc:
        walk.skipped.append(SkippedFile(rel, f"cannot be inspected: {_why(exc)}"))
        return None
    _consider_file(walk, parent / name, rel, st)
    return None


def _enter_dir(walk: _Walk, real_dir: Path, rel: str) -> tuple[Path, str, list[os.DirEntry[str]]] | None:
    """List a real directory once; None (and a skip note) if visited already or unreadable."""
    try:
        st = os.stat(real_dir)
        key = (st.st_dev, st.st_ino)
        if key in walk.visited:
            # Only a bind mount can bring a plain directory back; treat it like a link loop.
            walk.skipped.append(SkippedFile(rel, "link loop (directory already walked)"))
            return None
        walk.visited.add(key)
        return real_dir, f"{rel}/", _sorted_entries(real_dir)
    except OSError as exc:
        walk.skipped.append(SkippedFile(rel, f"unreadable directory: {_why(exc)}"))
        return None


def _link_target(walk: _Walk, link: Path, rel: str) -> tuple[Path, os.stat_result] | None:
    """A symlink's target and its stat, if it stays inside raw_dir and can be inspected."""
    target = _resolve_inside(walk, link, rel)
    if target is None:
        return None
    try:
        return target, os.stat(target)
    except OSError as exc:
        walk.skipped.append(SkippedFile(rel, f"cannot be inspected: {_why(exc)}"))
        return None


def _visit_link(walk: _Walk, link: Path, rel: str) -> None:
    """A symlink: follow it only if it resolves inside raw_dir; directories are deferred."""
    found = _link_target(walk, link, rel)
    if found is None:
        return
    target, st = found
    if stat.S_ISDIR(st.st_mode):
        walk.pending.append((link, rel))
        return
    _consider_file(walk, target, rel, st)


def _follow_dir_link(walk: _Walk, link: Path, rel: str) -> None:
    """Walk a directory reached through a symlink, unless that directory was walked already."""
    found = _link_target(walk, link, rel)
    if found is None:
        return
    target, st = found
    if (st.st_dev, st.st_ino) in walk.visited:
        link_dir = link.parent.resolve()
        if link_dir.is_relative_to(target):
            walk.skipped.append(SkippedFile(rel, "link loop (points to a directory containing it)"))
        else:
            shown = target.relative_to(walk.root).as_posix() or "."
            walk.skipped.append(SkippedFile(rel, f"symlink to a directory already walked ({shown})"))
        return
    sub = _enter_dir(walk, target, rel)
    if sub is not None:
        _walk_tree(walk, *sub)


def _resolve_inside(walk: _Walk, link: Path, rel: str) -> Path | None:
    """Resolve a symlink; None (and a skip note) if broken, looping, or leaving raw_dir."""
    try:
        target = link.resolve(strict=True)
    except FileNotFoundError:
        walk.skipped.append(SkippedFile(rel, "broken symlink (target does not exist)"))
        return None
    except RuntimeError:
        walk.skipped.append(SkippedFile(rel, "link loop"))
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            walk.skipped.append(SkippedFile(rel, "link loop"))
        else:
            walk.skipped.append(SkippedFile(rel, f"symlink cannot be resolved: {_why(exc)}"))
        return None
    if not target.is_relative_to(walk.root):
        walk.skipped.append(SkippedFile(rel, "symlink leaves raw/ (not followed)"))
        return None
    if any(part.startswith(".") for part in target.relative_to(walk.root).parts):
        walk.skipped.append(SkippedFile(rel, "symlink into a hidden file or directory"))
        return None
    partial = _partial_reason(target.name)
    if partial is not None:
        walk.skipped.append(SkippedFile(rel, f"symlink to a {partial}"))
        return None
    return target


def _consider_file(walk: _Walk, path: Path, rel: str, st: os.stat_result) -> None:
    """Decide whether a (non-directory) file is ingested: type, extension, size, settling."""
    if not stat.S_ISREG(st.st_mode):
        walk.skipped.append(SkippedFile(rel, "not a regular file"))
        return
    walk.consider(rel, path, st.st_size, st.st_mtime_ns)


def _discover_remote(uri: str, listing: _Listing) -> None:
    """List a raw root on a pyarrow filesystem into ``listing`` (unsorted)."""
    fs, base = _remote_root(uri)
    prefix = f"{base.rstrip('/')}/" if base.strip("/") else ""
    reported: set[str] = set()  # hidden directories already noted (every object under one is listed)
    for info in _list_remote(fs, base, uri):
        if not info.path.startswith(prefix):
            continue
        rel = info.path[len(prefix):]
        _visit_remote(listing, uri, info, rel, reported)


def _remote_root(uri: str) -> tuple[pafs.FileSystem, str]:
    """The filesystem and base path of a raw root URI; UnreadableFile if it cannot be set up."""
    try:
        return storage.filesystem(uri)
    except AccordsError as exc:
        raise UnreadableFile(f"raw directory cannot be opened: {exc}") from exc


def _list_remote(fs: pafs.FileSystem, base: str, uri: str) -> list[pafs.FileInfo]:
    """Every entry under the root, recursively; UnreadableFile if the root is missing or unlistable."""
    try:
        return fs.get_file_info(pafs.FileSelector(base, recursive=True, allow_not_found=False))
    except FileNotFoundError as exc:
        # Object stores have no empty directories: an unknown prefix is "does not exist".
        if _remote_type(fs, base) == pafs.FileType.File:
            raise UnreadableFile(f"raw directory is not a directory: {uri}") from exc
        raise UnreadableFile(f"raw directory does not exist: {uri}") from exc
    except (OSError, ValueError) as exc:
        raise UnreadableFile(f"raw directory cannot be listed: {uri}: {_why(exc)}") from exc


def _remote_type(fs: pafs.FileSystem, path: str) -> pafs.FileType:
    """The type of one path, NotFound if it cannot even be looked up."""
    try:
        return fs.get_file_info(path).type
    except (OSError, ValueError):
        return pafs.FileType.NotFound


def _visit_remote(listing: _Listing, uri: str, info: pafs.FileInfo, rel: str, reported: set[str]) -> None:
    """Classify one listed entry; directories only matter for the hidden-name rule."""
    is_dir = info.type == pafs.FileType.Directory
    parts = rel.split("/")
    # The local walk never enters a hidden directory; a recursive listing returns what is inside
    # it, so the first hidden ancestor is noted once and everything below it is dropped.
    for depth, part in enumerate(parts if is_dir else parts[:-1], start=1):
        reason = _name_reason(part, is_dir=True)
        if reason is not None:
            hidden = "/".join(parts[:depth])
            if hidden not in reported:
                reported.add(hidden)
                listing.skipped.append(SkippedFile(hidden, reason))
            return
    if is_dir:
        return
    reason = _name_reason(parts[-1], is_dir=False)
    if reason is not None:
        listing.skipped.append(SkippedFile(rel, reason))
    elif info.type != pafs.FileType.File:
        listing.skipped.append(SkippedFile(rel, "not a regular file"))
    elif info.mtime_ns is None or info.size is None:
        listing.skipped.append(SkippedFile(rel, "cannot be inspected: no size or modification time"))
    else:
        listing.consider(rel, PurePosixPath(info.path), info.size, info.mtime_ns, fs_uri=uri)


def _name_reason(name: str, is_dir: bool) -> str | None:
    """Reason to skip an entry by its name alone (hidden; partial/editor files), or None."""
    if name.startswith("."):
        return "hidden directory" if is_dir else "hidden file"
    return None if is_dir else _partial_reason(name)


def _partial_reason(name: str) -> str | None:
    """Reason to skip a partial download or editor scratch file, or None."""
    lower = name.lower()
    for suffix in _PARTIAL_SUFFIXES:
        if lower.endswith(suffix):
            return f"partial/editor file ({suffix})"
    if name.endswith("~"):
        return "partial/editor file (~ backup)"
    if name.startswith("#") and name.endswith("#") and len(name) > 1:
        return "partial/editor file (#autosave#)"
    return None


def _sorted_entries(directory: Path) -> list[os.DirEntry[str]]:
    """Entries of a directory sorted by name, for a deterministic walk."""
    with os.scandir(directory) as it:
        return sorted(it, key=lambda e: e.name)


def _display_name(name: str) -> str:
    """The name as a valid UTF-8 string: undecodable bytes become backslash escapes.

    Only rel_path (stored as text) is escaped; FoundFile.path keeps the exact name.
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="backslashreplace")


def _why(exc: BaseException) -> str:
    """Short reason from an OS error, without the path (callers add the rel path)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__


# OS errors a second attempt may not meet (interrupted or busy calls, network file systems).
TRANSIENT_ERRNOS = frozenset({errno.EAGAIN, errno.EWOULDBLOCK, errno.EINTR, errno.EIO, errno.ETIMEDOUT,
                              errno.ESTALE, errno.EBUSY})


class TransientReadError(UnreadableFile):
    """A read failed with an error that may not recur (see TRANSIENT_ERRNOS): worth a retry."""


def read_file(found: FoundFile, max_bytes: int) -> bytes:
    """Read a discovered file's bytes, checking it is still the file that was discovered.

    Opens without following a symlink at the last component and without blocking (a FIFO put
    in its place cannot hang the run), reads at most ``max_bytes + 1`` bytes and checks that
    size and mtime match what discovery saw, before and after reading. A file on a pyarrow
    filesystem (``fs_uri`` set) is checked before reading and by the length read.

    Raises:
        TransientReadError: the OS reported an error that may not recur (callers may retry).
        UnreadableFile: vanished, permission denied, not a regular file (any more), larger
            than ``max_bytes``, or changed since discovery / while being read.
    """
    if found.fs_uri is not None:
        return _read_remote(found, found.fs_uri, max_bytes)
    rel = found.rel_path
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(found.path, flags)
    except FileNotFoundError as exc:
        raise UnreadableFile(f"{rel}: file vanished before it could be read") from exc
    except PermissionError as exc:
        raise UnreadableFile(f"{rel}: permission denied") from exc
    except IsADirectoryError as exc:
        raise UnreadableFile(f"{rel}: is a directory, not a file") from exc
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnreadableFile(f"{rel}: replaced by a symlink since discovery (not followed)") from exc
        error = TransientReadError if exc.errno in TRANSIENT_ERRNOS else UnreadableFile
        raise error(f"{rel}: cannot be opened: {_why(exc)}") from exc
    try:
        before = os.fstat(fd)
        _check_same(found, stat.S_ISREG(before.st_mode), before.st_size, before.st_mtime_ns, max_bytes)
        data = _read_at_most(fd, max_bytes + 1)
        after = os.fstat(fd)
    except OSError as exc:
        error = TransientReadError if exc.errno in TRANSIENT_ERRNOS else UnreadableFile
        raise error(f"{rel}: read failed: {_why(exc)}") from exc
    finally:
        os.close(fd)
    if len(data) > max_bytes:
        raise UnreadableFile(f"{rel}: too large (grew past the cap of {max_bytes} bytes while read)")
    if len(data) != after.st_size or (after.st_size, after.st_mtime_ns) != (found.size, found.mtime_ns):
        raise UnreadableFile(f"{rel}: changed while being read (size or mtime differs); retried next run")
    return data


def _read_remote(found: FoundFile, uri: str, max_bytes: int) -> bytes:
    """``read_file`` for a file on a pyarrow filesystem."""
    rel = found.rel_path
    path = found.path.as_posix()
    try:
        fs, _ = storage.filesystem(uri)
    except AccordsError as exc:
        raise UnreadableFile(f"{rel}: {exc}") from exc
    try:
        info = fs.get_file_info(path)
        if info.type == pafs.FileType.NotFound:
            raise UnreadableFile(f"{rel}: file vanished before it could be read")
        if info.type == pafs.FileType.Directory:
            raise UnreadableFile(f"{rel}: is a directory, not a file")
        # Whole seconds: S3 HEAD replies carry seconds where some stores' listings carry millis.
        _check_same(found, info.type == pafs.FileType.File, info.size, info.mtime_ns, max_bytes,
                    tick_ns=1_000_000_000)
        # No compression detection: the bytes of a file named *.gz are the bytes of the file.
        with fs.open_input_stream(path, compression=None) as stream:
            data = _read_chunks(stream.read, max_bytes + 1)
    except FileNotFoundError as exc:
        raise UnreadableFile(f"{rel}: file vanished before it could be read") from exc
    except PermissionError as exc:
        raise UnreadableFile(f"{rel}: permission denied") from exc
    except (OSError, ValueError) as exc:
        # Network and service errors (timeouts, throttling, 5xx) may well not recur.
        raise TransientReadError(f"{rel}: read failed: {_why(exc)}") from exc
    if len(data) > max_bytes:
        raise UnreadableFile(f"{rel}: too large (grew past the cap of {max_bytes} bytes while read)")
    if len(data) != found.size:
        raise UnreadableFile(f"{rel}: changed while being read (size differs); retried next run")
    return data


def _check_same(found: FoundFile, regular: bool, size: int | None, mtime_ns: int | None, max_bytes: int,
                tick_ns: int = 1) -> None:
    """Raise if the opened file is not the regular file, of the size and mtime, discovered.

    ``tick_ns`` is the mtime precision compared (1: exact).
    """
    rel = found.rel_path
    if not regular:
        raise UnreadableFile(f"{rel}: not a regular file")
    if size is not None and size > max_bytes:
        raise UnreadableFile(f"{rel}: too large ({size} bytes > cap {max_bytes})")
    if (size, None if mtime_ns is None else mtime_ns // tick_ns) != (found.size, found.mtime_ns // tick_ns):
        raise UnreadableFile(f"{rel}: changed since discovery (size or mtime differs); retried next run")


def _read_at_most(fd: int, limit: int) -> bytes:
    """Read a file descriptor until EOF or ``limit`` bytes, whichever comes first."""
    return _read_chunks(lambda n: os.read(fd, n), limit)


def _read_chunks(read: Callable[[int], bytes], limit: int) -> bytes:
    """Read with ``read(n)`` until EOF or ``limit`` bytes, whichever comes first."""
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = read(min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


# `accords fetch` saves page.html with page.html.meta (JSON: url, final_url, fetched_at, ...).
SIDECAR_SUFFIX = ".meta"
_SIDECAR_MAX_BYTES = 64_000


def read_sidecar(found: FoundFile) -> dict[str, object] | None:
    """The fetch sidecar next to a raw file (local or remote), if any and readable; never raises."""
    path = found.path.with_name(found.path.name + SIDECAR_SUFFIX)
    try:
        if found.fs_uri is not None:
            fs, _ = storage.filesystem(found.fs_uri)
            # One open, no separate lookup: a missing sidecar (the usual case) costs one request.
            with fs.open_input_stream(path.as_posix(), compression=None) as stream:
                data = _read_chunks(stream.read, _SIDECAR_MAX_BYTES + 1)
        else:
            local = Path(path)
            if local.is_symlink() or not local.is_file() or local.stat().st_size > _SIDECAR_MAX_BYTES:
                return None
            data = local.read_bytes()
        if len(data) > _SIDECAR_MAX_BYTES:
            return None
        meta = json.loads(data.decode("utf-8"))
    except (OSError, ValueError, AccordsError):
        return None
    return meta if isinstance(meta, dict) else None
