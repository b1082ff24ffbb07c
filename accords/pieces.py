"""Large .jsonl files as a stream of bounded pieces of lines, each a unit of work like a batch of files.

One .jsonl export can hold hundreds of thousands of articles; read and parsed whole it would sit in
one worker's memory and leave the other workers idle. Instead the run first scans such a file once
(``plan_pieces``: its sha256, and where to cut it into pieces of at most ``jsonl_batch_lines``
lines and about ``batch_bytes`` bytes, on line ends), then each piece is read, parsed, extracted
and validated on its own (``process_piece``, in a worker), and the file's ``ingestions`` row is
made once every piece is back (``FileAssembler``). All of it is staged in the run, which commits
atomically: a run dying between two pieces leaves the warehouse as it was, and the next run reads
the file whole again.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from accords import storage
from accords.discover import FoundFile, _check_same, read_sidecar
from accords.errors import AccordsError, UnparseableFile, UnreadableFile
from accords.history import FileState
from accords.parse import parse_jsonl
from accords.pipeline import (
    BatchContext,
    BatchOutput,
    Work,
    add_parsed,
    file_batches,
    ingestion_row,
    unchanged_row,
)

SCAN_CHUNK = 1 << 20  # bytes read at a time while scanning a file
# UTF-16/32 (a BOM, or NULs early on) cannot be cut on b"\n": such files are parsed whole.
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True, slots=True)
class Piece:
    """Lines ``[start, end)`` (byte offsets, on line ends) of a .jsonl file, from line ``first_line``."""

    file: FoundFile
    sha256: str  # of the whole file, as scanned
    status: str  # new or changed
    index: int
    count: int  # pieces of the file
    start: int
    end: int
    first_line: int


@dataclass(frozen=True, slots=True)
class PieceDone:
    """What one piece produced, for its file's ingestion row (its rows are in the batch output)."""

    path: str
    index: int
    count: int
    articles: int = 0
    bad_lines: int = 0
    reasons: tuple[str, ...] = ()  # the first few bad lines' errors
    error: str | None = None  # the piece failed as a whole (its rows were dropped)


@contextmanager
def _opened(f: FoundFile, max_bytes: int) -> Iterator[tuple[Callable[[int], bytes], Callable[[int], None]]]:
    """(read(n), seek(offset)) of a discovered file, checked to be the file discovery saw."""
    rel = f.rel_path
    try:
        if f.fs_uri is not None:
            fs, _ = storage.filesystem(f.fs_uri)
            handle = fs.open_input_file(f.path.as_posix())
            try:
                _check_same(f, True, handle.size(), f.mtime_ns, max_bytes)
                yield handle.read, handle.seek
            finally:
                handle.close()
            return
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | os.O_CLOEXEC
        fd = os.open(f.path, flags)
        try:
            st = os.fstat(fd)
            _check_same(f, stat.S_ISREG(st.st_mode), st.st_size, st.st_mtime_ns, max_bytes)
            yield (lambda n: os.read(fd, n)), (lambda offset: os.lseek(fd, offset, os.SEEK_SET))
            st = os.fstat(fd)
            _check_same(f, stat.S_ISREG(st.st_mode), st.st_size, st.st_mtime_ns, max_bytes)
        finally:
            os.close(fd)
    except FileNotFoundError as exc:
        raise UnreadableFile(f"{rel}: file vanished before it could be read") from exc
    except (OSError, AccordsError) as exc:
        if isinstance(exc, UnreadableFile):
            raise
        raise UnreadableFile(f"{rel}: read failed: {exc}") from exc


def scan(f: FoundFile, max_bytes: int, max_lines: int,
         max_piece_bytes: int) -> tuple[str, list[tuple[int, int, int]] | None]:
    """Hash a file and cut it into line ranges: (sha256, [(start, end, first_line)]).

    The ranges are None for a file that cannot be cut on line ends (UTF-16 or UTF-32).
    """
    digest = hashlib.sha256()
    cuts: list[tuple[int, int, int]] = []
    pos = piece_start = lines = 0
    first_line = 1
    wide = False
    with _opened(f, max_bytes) as (read, _):
        while chunk := read(SCAN_CHUNK):
            if pos == 0:
                wide = chunk.startswith(_WIDE_BOMS) or b"\x00" in chunk[:65536]
            digest.update(chunk)
            i = chunk.find(b"\n")
            while i >= 0:
                lines += 1
                end = pos + i + 1
                if lines >= max_lines or end - piece_start >= max_piece_bytes:
                    cuts.append((piece_start, end, first_line))
                    first_line += lines
                    piece_start, lines = end, 0
                i = chunk.find(b"\n", i + 1)
            pos += len(chunk)
    if pos != f.size:
        raise UnreadableFile(f"{f.rel_path}: changed while being read (size differs); retried next run")
    if pos > piece_start:
        cuts.append((piece_start, pos, first_line))
    return digest.hexdigest(), None if wide else cuts


# Work in discovery order: a file read whole (with its previous state), or a split file's pieces.
Planned = list[tuple[FoundFile, FileState | None] | list[Piece]]


def plan_pieces(work: Work, ctx: BatchContext, max_lines: int,
                max_piece_bytes: int) -> tuple[Planned, list[dict[str, Any]]]:
    """Scan the .jsonl files of ``work``: (the work, split files as their pieces; rows known now).

    A file found unchanged by its hash, or unreadable, gets its ingestion row here; a .jsonl
    file of one piece (or UTF-16) stays whole.
    """
    planned: Planned = []
    rows: list[dict[str, Any]] = []
    for f, prev in work:
        if not f.rel_path.lower().endswith(".jsonl"):
            planned.append((f, prev))
            continue
        try:
            sha, cuts = scan(f, ctx.max_file_bytes, max_lines, max_piece_bytes)
        except UnreadableFile as exc:
            rows.append(ingestion_row(ctx, f, "failed", error=str(exc)))
            continue
        if prev is not None and prev.sha256 == sha:
            rows.append(unchanged_row(f, prev, ctx))
        elif cuts is None or len(cuts) <= 1:
            planned.append((f, prev))
        else:
            status = "new" if prev is None else "changed"
            planned.append([Piece(f, sha, status, i, len(cuts), start, end, line)
                            for i, (start, end, line) in enumerate(cuts)])
    return planned, rows


def work_batches(planned: Planned, max_files: int, max_bytes: int) -> list[list[Any]]:
    """Batches in discovery order: whole files as ``file_batches`` groups them, each piece alone."""
    out: list[list[Any]] = []
    run: Work = []
    for item in planned:
        if isinstance(item, list):
            out += file_batches(run, max_files, max_bytes)
            run = []
            out += [[p] for p in item]
        else:
            run.append(item)
    return out + file_batches(run, max_files, max_bytes)


def read_range(f: FoundFile, start: int, end: int, max_bytes: int) -> bytes:
    """The bytes ``[start, end)`` of a discovered file (checked unchanged since discovery)."""
    parts: list[bytes] = []
    with _opened(f, max_bytes) as (read, seek):
        seek(start)
        left = end - start
        while left > 0 and (part := read(min(left, SCAN_CHUNK))):
            parts.append(part)
            left -= len(part)
    if left:
        raise UnreadableFile(f"{f.rel_path}: changed while being read (shorter); retried next run")
    return b"".join(parts)


def process_piece(p: Piece, ctx: BatchContext, out: BatchOutput) -> None:
    """Read, parse, extract and validate one piece, appending its rows and ``PieceDone`` to ``out``."""
    data = read_range(p.file, p.start, p.end, ctx.max_file_bytes)
    done = PieceDone(p.file.rel_path, p.index, p.count)
    if data.strip():  # a piece of blank lines holds nothing (and is not "an empty file")
        parsed = parse_jsonl(data, p.file.rel_path, p.first_line)
        del data
        sidecar = read_sidecar(p.file)
        url = sidecar.get("final_url") or sidecar.get("url") if sidecar else None
        add_parsed(parsed, p.file.rel_path, p.sha256, ctx, out, url if isinstance(url, str) else None)
        done = PieceDone(p.file.rel_path, p.index, p.count, len(parsed.articles), len(parsed.problems),
                         tuple(x.error for x in parsed.problems[:3]))
    out.pieces.append(done)


def failed_piece(p: Piece, exc: Exception) -> PieceDone:
    """The ``PieceDone`` of a piece that raised: its file fails, with the reason."""
    why = str(exc) if isinstance(exc, UnreadableFile | UnparseableFile) else f"{type(exc).__name__}: {exc}"
    return PieceDone(p.file.rel_path, p.index, p.count, error=f"lines from {p.first_line}: {why}")


@dataclass
class _Progress:
    first: Piece
    seen: int = 0
    articles: int = 0
    bad_lines: int = 0
    reasons: list[str] = field(default_factory=list)
    error: str | None = None


class FileAssembler:
    """Collects the pieces of split files and makes each file's ingestion row after its last piece."""

    def __init__(self, ctx: BatchContext, planned: Planned) -> None:
        self.ctx = ctx
        self.pending = {item[0].file.rel_path: _Progress(item[0])
                        for item in planned if isinstance(item, list)}

    def finish(self, done: list[PieceDone]) -> list[dict[str, Any]]:
        """Ingestion rows of the files whose last outstanding piece is in ``done``."""
        rows = []
        for d in done:
            prog = self.pending[d.path]
            prog.seen += 1
            prog.articles += d.articles
            prog.bad_lines += d.bad_lines
            prog.reasons += d.reasons
            prog.error = prog.error or d.error
            if prog.seen == d.count:
                rows.append(self._row(self.pending.pop(d.path)))
        return rows

    def _row(self, prog: _Progress) -> dict[str, Any]:
        ctx, f, sha = self.ctx, prog.first.file, prog.first.sha256
        if prog.error is not None:
            return ingestion_row(ctx, f, "failed", sha, error=prog.error)
        if not prog.articles:
            reason = "; ".join(prog.reasons[:3]) or "no article in file"
            return ingestion_row(ctx, f, "failed", sha, error=reason)
        error = f"{prog.bad_lines} line(s) could not be parsed" if prog.bad_lines else None
        return ingestion_row(ctx, f, prog.first.status, sha, prog.articles, error)



def process_pieces(pieces: list[Any], ctx: BatchContext) -> BatchOutput:
    """Process pieces of large .jsonl files; a piece that fails fails its file, the others go on."""
    out = BatchOutput()
    for piece in pieces:
        one = BatchOutput()
        try:
            process_piece(piece, ctx, one)
        except ImportError:
            raise  # a broken installation, not a bad piece: the whole run fails (as for files)
        except Exception as exc:  # noqa: BLE001  the piece's rows are dropped and its file fails
            out.pieces.append(failed_piece(piece, exc))
            continue
        out.extend(one)
    return out
