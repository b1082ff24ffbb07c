"""DISCOVER stage: find the article files in raw/ and read them. The only module touching raw/.

Nothing here modifies, moves or deletes anything in raw/. Names are never given to a shell, so
spaces, unicode, leading dashes and newlines in names are harmless.
"""

from __future__ import annotations

import errno
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from flows.errors import UnreadableFile
from flows.parse import SUPPORTED_EXTENSIONS

# Suffixes of files that browsers, downloaders and editors write before the real file exists.
_PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".temp", ".swp", ".swo", ".swx", ".crdownload", ".download")


@dataclass(frozen=True)
class FoundFile:
    """A raw file ready to be read: a settled regular file with a supported extension."""

    path: Path  # absolute, symlink-free path of the file itself
    rel_path: str  # POSIX path relative to raw_dir, as the user sees it
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class SkippedFile:
    """A name in raw/ that is not ingested this run, and why."""

    rel_path: str
    reason: str


@dataclass
class _Walk:
    """Mutable state of one discovery walk."""

    root: Path  # resolved raw_dir
    now: float
    settle_seconds: float
    max_bytes: int
    found: list[FoundFile]
    skipped: list[SkippedFile]
    visited: set[tuple[int, int]]  # (st_dev, st_ino) of every directory walked
    pending: list[tuple[Path, str]]  # (link path, rel path) of directory symlinks, walked last


def discover(
    raw_dir: Path,
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

    Raises:
        UnreadableFile: raw_dir does not exist, is not a directory or cannot be listed.
    """
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
    walk.found.sort(key=lambda f: f.rel_path)
    walk.skipped.sort(key=lambda s: s.rel_path)
    return walk.found, walk.skipped


def _walk_tree(walk: _Walk, real_dir: Path, rel_dir: str, entries: list[os.DirEntry[str]]) -> None:
    """Walk one directory tree iteratively (no recursion limit on deep trees)."""
    stack: list[tuple[Path, str, list[os.DirEntry[str]]]] = [(real_dir, rel_dir, entries)]
    while stack:
        current, rel_current, current_entries = stack.pop()
        subdirs: list[tuple[Path, str, list[os.DirEntry[str]]]] = []
        for entry in current_entries:
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
    if name.startswith("."):
        walk.skipped.append(SkippedFile(rel, "hidden directory" if is_dir else "hidden file"))
        return None
    if is_dir:
        return _enter_dir(walk, parent / name, rel)
    reason = _partial_reason(name)
    if reason is not None:
        walk.skipped.append(SkippedFile(rel, reason))
        return None
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
    if Path(rel).suffix.lower() not in SUPPORTED_EXTENSIONS:
        if not rel.endswith(SIDECAR_SUFFIX):  # a fetched page's sidecar is data, not an article
            walk.skipped.append(SkippedFile(rel, "unsupported extension"))
        return
    if st.st_size > walk.max_bytes:
        walk.skipped.append(SkippedFile(rel, f"too large ({st.st_size} bytes > cap {walk.max_bytes})"))
        return
    age = walk.now - st.st_mtime_ns / 1e9
    if age < 0:
        # A future mtime may be a writer's clock or a file still being written: wait, visibly.
        walk.skipped.append(SkippedFile(rel, f"still being written (mtime {-age:.1f} s in the future)"))
        return
    if age < walk.settle_seconds:
        walk.skipped.append(SkippedFile(rel, f"still being written (modified {age:.1f} s ago)"))
        return
    walk.found.append(FoundFile(path=path, rel_path=rel, size=st.st_size, mtime_ns=st.st_mtime_ns))


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
    size and mtime match what discovery saw, before and after reading.

    Raises:
        TransientReadError: the OS reported an error that may not recur (callers may retry).
        UnreadableFile: vanished, permission denied, not a regular file (any more), larger
            than ``max_bytes``, or changed since discovery / while being read.
    """
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
        _check_same(found, before, max_bytes)
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


def _check_same(found: FoundFile, st: os.stat_result, max_bytes: int) -> None:
    """Raise if the opened file is not the regular file, of the size and mtime, discovered."""
    rel = found.rel_path
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile(f"{rel}: not a regular file")
    if st.st_size > max_bytes:
        raise UnreadableFile(f"{rel}: too large ({st.st_size} bytes > cap {max_bytes})")
    if (st.st_size, st.st_mtime_ns) != (found.size, found.mtime_ns):
        raise UnreadableFile(f"{rel}: changed since discovery (size or mtime differs); retried next run")


def _read_at_most(fd: int, limit: int) -> bytes:
    """Read until EOF or ``limit`` bytes, whichever comes first."""
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


# `accords fetch` saves page.html with page.html.meta (JSON: url, final_url, fetched_at, ...).
SIDECAR_SUFFIX = ".meta"
_SIDECAR_MAX_BYTES = 64_000


def read_sidecar(found: FoundFile) -> dict[str, object] | None:
    """The fetch sidecar next to a raw file, if any and readable; never raises."""
    import json

    path = found.path.with_name(found.path.name + SIDECAR_SUFFIX)
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > _SIDECAR_MAX_BYTES:
            return None
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None
