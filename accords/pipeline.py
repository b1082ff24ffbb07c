"""The ingestion pipeline as plain functions, shared by the Prefect flow and plain loops.

``process_batch`` turns a batch of discovered files into validated rows (read -> parse ->
extract -> validate); ``run_ingest`` wires the stages for one whole run around the warehouse
commit. The Prefect flow in ``flows/ingest.py`` wraps the same functions in tasks.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from accords import validate
from accords.discover import FoundFile, SkippedFile, TransientReadError, read_file, read_sidecar
from accords.errors import UnparseableFile, UnreadableFile
from accords.extract import EXTRACTOR_VERSION, extract
from accords.history import FileState, RunCounts
from accords.ids import article_id as make_article_id
from accords.ids import scope_to_article, sha256_hex
from accords.parse import ParseResult, parse_file
from accords.records import Article
from accords.rerun import Work, split_unchanged, unchanged_ingestions  # noqa: F401  (part of this API)
from accords.tables import utcnow

CHILD_TABLES = (("entities", "entity"), ("mentions", "mention"), ("agreements", "agreement"),
                ("meetings", "meeting"))
# Reads failing with a possibly transient OS error are retried: attempts, first backoff (x4 each).
READ_ATTEMPTS = 3
READ_BACKOFF_S = 0.05


def crash_point(crash_at: str | None, point: str) -> None:
    """Test hook: SIGKILL this process at a named point, or stop it there ("pause:<point>").

    A stopped process keeps what it holds (the writer lock); the test acts, then sends SIGCONT.
    A process pauses once: points passed several times (one per table) do not stop it again.
    """
    if crash_at == point:
        os.kill(os.getpid(), signal.SIGKILL)
    elif crash_at == f"pause:{point}" and point not in _PAUSED:
        _PAUSED.add(point)
        os.kill(os.getpid(), signal.SIGSTOP)


_PAUSED: set[str] = set()


@dataclass(frozen=True)
class BatchContext:
    """Everything a batch needs, picklable so batches can run in worker processes."""

    run_id: str
    ingested_at: str
    max_file_bytes: int
    max_extract_chars: int
    verify_hashes: bool
    known_article_ids: frozenset[str]
    crash_at: str | None = None


@dataclass
class ArticleRows:
    """All rows produced for one new article, grouped so duplicates can be dropped together."""

    article_id: str
    rows: dict[str, list[dict[str, Any]]]
    quarantine: list[dict[str, Any]]


@dataclass
class BatchOutput:
    """What one batch produced: per-article rows, one ingestion row per file, the file-article links.

    A batch holding a piece of a large .jsonl file reports the piece in ``pieces`` instead of an
    ingestion row: the file's row is made once all its pieces are in (``accords.pieces``).
    """

    articles: list[ArticleRows] = field(default_factory=list)
    ingestions: list[dict[str, Any]] = field(default_factory=list)
    file_quarantine: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    pieces: list[Any] = field(default_factory=list)  # accords.pieces.PieceDone

    def extend(self, other: BatchOutput) -> None:
        """Add ``other``'s rows (a file's or a piece's, kept apart until it succeeded) to these."""
        self.articles += other.articles
        self.ingestions += other.ingestions
        self.file_quarantine += other.file_quarantine
        self.links += other.links
        self.pieces += other.pieces


def _quarantine_row(ctx: BatchContext, source_path: str, article_id: str | None, record_type: str,
                    record: dict[str, Any], errors: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "run_id": ctx.run_id, "source_path": source_path, "article_id": article_id,
        "record_type": record_type, "record_json": json.dumps(record, default=str, ensure_ascii=False),
        "schema_id": validate.schema_id(record_type), "errors": errors, "quarantined_at": ctx.ingested_at,
    }


def extraction_rows(
    aid: str, art: Article, ctx: BatchContext
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Extract one article and validate the results: (valid rows per table, quarantine rows)."""
    versions = {"run_id": ctx.run_id, "extractor_version": EXTRACTOR_VERSION}
    # Very long texts are stored whole but extracted on a prefix, bounding time and memory.
    result = extract(art.text[: ctx.max_extract_chars], art.title, art.published)
    crash_point(ctx.crash_at, "during_extract")
    # Agreement and meeting ids are unique within the article; scoped, within the warehouse.
    result = scope_to_article(aid, result)
    ctx_rules = validate.article_context(art.text, result)
    rows: dict[str, list[dict[str, Any]]] = {}
    quarantine: list[dict[str, Any]] = []
    for table, rtype in CHILD_TABLES:
        version = validate.schema_version(rtype)
        records = [{**r, "article_id": aid, **versions, "schema_version": version}
                   for r in getattr(result, table)]
        valid, bad = validate.partition(rtype, records, ctx_rules)
        rows[table] = valid
        quarantine += [_quarantine_row(ctx, art.source_path, aid, rtype, r, e) for r, e in bad]
    return rows, quarantine


def reextract_batch(articles: list[dict[str, Any]], ctx: BatchContext) -> BatchOutput:
    """Re-extract stored articles (rows of the articles table) with the current extractor."""
    out = BatchOutput()
    for row in articles:
        art = Article(text=row["text"], source_path=row["source_path"], title=row.get("title"),
                      published=row.get("published"))
        rows, quarantine = extraction_rows(row["article_id"], art, ctx)
        out.articles.append(ArticleRows(row["article_id"], {"articles": [], **rows}, quarantine))
    return out


def article_rows(art: Article, source_sha256: str, ctx: BatchContext) -> ArticleRows:
    """Extract and validate one article: valid rows per table plus quarantine rows."""
    aid = make_article_id(art.text)
    versions = {"run_id": ctx.run_id, "extractor_version": EXTRACTOR_VERSION}
    article = {
        "article_id": aid, "source_path": art.source_path, "source_sha256": source_sha256,
        "title": art.title, "published": art.published.isoformat() if art.published else None,
        "url": art.url, "source": art.source, "language": art.language, "text": art.text,
        "text_chars": len(art.text), **versions, "schema_version": validate.schema_version("article"),
        "ingested_at": ctx.ingested_at,
    }
    out = ArticleRows(aid, {"articles": [], **{t: [] for t, _ in CHILD_TABLES}}, [])
    art_errors = validate.check("article", article)
    if art_errors:
        out.quarantine.append(_quarantine_row(ctx, art.source_path, aid, "article", article, art_errors))
        return out
    out.rows["articles"].append(article)
    rows, quarantine = extraction_rows(aid, art, ctx)
    out.rows.update(rows)
    out.quarantine += quarantine
    return out


def ingestion_row(ctx: BatchContext, f: FoundFile | SkippedFile, status: str, sha: str | None = None,
                  articles: int = 0, error: str | None = None,
                  article_ids: tuple[str, ...] = ()) -> dict[str, Any]:
    """The ``ingestions`` row of one file; ``article_ids`` only carries a pre-``file_articles`` list."""
    found = isinstance(f, FoundFile)
    return {
        "run_id": ctx.run_id, "path": f.rel_path, "sha256": sha,
        "size_bytes": f.size if found else None, "mtime_ns": f.mtime_ns if found else None,
        "status": status, "articles": articles, "article_ids": list(article_ids),
        "error": error, "schema_version": validate.schema_version("ingestion"),
        "ingested_at": ctx.ingested_at,
    }


def trusted_unchanged(f: FoundFile, prev: FileState | None, ctx: BatchContext) -> bool:
    """Same size and mtime as at its last ingestion: unchanged without reading (fast reruns).

    ``verify_hashes`` turns this off, for edits that keep both (rare, but possible).
    """
    return (prev is not None and not ctx.verify_hashes
            and prev.size_bytes == f.size and prev.mtime_ns == f.mtime_ns)


def unchanged_row(f: FoundFile, prev: FileState, ctx: BatchContext) -> dict[str, Any]:
    """The ingestion row of a file recognised as unchanged."""
    return ingestion_row(ctx, f, "unchanged", prev.sha256, prev.articles, article_ids=prev.article_ids)


def link_row(ctx: BatchContext, rel_path: str, art: Article, aid: str) -> dict[str, Any]:
    """The ``file_articles`` row linking an article to the file it was read from."""
    _, sep, line = art.source_path.rpartition("#")
    return {"run_id": ctx.run_id, "path": rel_path, "article_id": aid,
            "line": int(line) if sep and line.isdigit() else None}


Fetched = bytes | Exception  # a file's bytes, or why they could not be read


def process_file(f: FoundFile, prev: FileState | None, ctx: BatchContext, out: BatchOutput,
                 fetched: Fetched | None = None) -> None:
    """Read, classify, parse, extract and validate one file, appending its rows to ``out``.

    ``fetched``: the file's bytes (or read error) when they were read ahead (see ``prefetch``).
    """
    if trusted_unchanged(f, prev, ctx):
        out.ingestions.append(unchanged_row(f, prev, ctx))
        return
    try:
        if isinstance(fetched, Exception):
            raise fetched  # an unexpected error fails this file only (see process_batch)
        data = fetched if fetched is not None else read_with_retry(f, ctx.max_file_bytes)
    except UnreadableFile as exc:
        out.ingestions.append(ingestion_row(ctx, f, "failed", error=str(exc)))
        return
    sha = sha256_hex(data)
    if prev is not None and prev.sha256 == sha:
        out.ingestions.append(unchanged_row(f, prev, ctx))
        return
    status = "new" if prev is None else "changed"
    try:
        parsed = parse_file(data, f.rel_path)
    except UnparseableFile as exc:
        out.ingestions.append(ingestion_row(ctx, f, "failed", sha, error=str(exc)))
        return
    del data, fetched  # the bytes are parsed: one copy fewer while a large article is extracted
    crash_point(ctx.crash_at, "during_parse")
    sidecar = read_sidecar(f)
    url = sidecar.get("final_url") or sidecar.get("url") if sidecar else None
    add_parsed(parsed, f.rel_path, sha, ctx, out, url if isinstance(url, str) else None)
    if not parsed.articles:
        reason = "; ".join(p.error for p in parsed.problems[:3]) or "no article in file"
        out.ingestions.append(ingestion_row(ctx, f, "failed", sha, error=reason))
        return
    error = f"{len(parsed.problems)} line(s) could not be parsed" if parsed.problems else None
    out.ingestions.append(ingestion_row(ctx, f, status, sha, len(parsed.articles), error))


def add_parsed(parsed: ParseResult, rel_path: str, sha: str, ctx: BatchContext, out: BatchOutput,
               url: str | None = None) -> None:
    """Append the rows of parsed articles (new ones extracted), their links and bad lines to ``out``.

    ``url``: where a page saved by `accords fetch` came from (beats any link inside the page).
    """
    if url:
        parsed.articles = [replace(a, url=url) for a in parsed.articles]
    for art in parsed.articles:
        aid = make_article_id(art.text)
        out.links.append(link_row(ctx, rel_path, art, aid))
        if aid not in ctx.known_article_ids:
            out.articles.append(article_rows(art, sha, ctx))
    for problem in parsed.problems:
        # A bad line of a .jsonl file: quarantined with its reason, the good lines go on.
        out.file_quarantine.append(_quarantine_row(
            ctx, problem.source_path, None, "article", {"source_path": problem.source_path},
            [{"path": "/", "message": problem.error}]))


def read_with_retry(f: FoundFile, max_bytes: int, attempts: int = READ_ATTEMPTS) -> bytes:
    """``read_file``, retrying errors that may be transient (EAGAIN, EINTR, EIO...) with a short backoff.

    A file that vanished or changed is not retried: the next run sees it as it then is.
    """
    for attempt in range(1, attempts + 1):
        try:
            return read_file(f, max_bytes)
        except TransientReadError as exc:
            if attempt == attempts:
                raise UnreadableFile(f"{exc} (after {attempts} attempts)") from exc
            time.sleep(READ_BACKOFF_S * 4 ** (attempt - 1))
    raise AssertionError("unreachable")


# Concurrent reads of a batch's files on an object store (each read waits on the network).
REMOTE_READ_THREADS = 8


def prefetch(files: list[tuple[FoundFile, FileState | None]], ctx: BatchContext) -> dict[int, Fetched]:
    """Read a batch's object-store files concurrently: position in ``files`` -> bytes or error.

    A local read costs microseconds, a request to an object store tens of milliseconds; read one
    after another, a batch of small remote files would wait on the network most of its time.
    The batch's bytes are bounded by the batch size (``batch_bytes``).
    """
    todo = [(i, f) for i, (f, prev) in enumerate(files)
            if f.fs_uri is not None and not trusted_unchanged(f, prev, ctx)]
    if not todo:
        return {}

    def read(f: FoundFile) -> Fetched:
        try:
            return read_with_retry(f, ctx.max_file_bytes)
        except Exception as exc:  # kept with its file: one bad read never fails the batch
            return exc

    with ThreadPoolExecutor(min(REMOTE_READ_THREADS, len(todo)), thread_name_prefix="accords-read") as pool:
        return dict(zip((i for i, _ in todo), pool.map(read, [f for _, f in todo]), strict=True))


def process_batch(files: list[tuple[FoundFile, FileState | None]], ctx: BatchContext) -> BatchOutput:
    """Process a batch of files (pieces of a large .jsonl go to ``accords.pieces``; see ``accords.work``).

    One bad file never stops the others.
    """
    out = BatchOutput()
    fetched = prefetch(files, ctx)
    for i, (f, prev) in enumerate(files):
        # Each file's rows are kept apart and merged only when the whole file succeeded, so a
        # file failing half-way leaves no orphan articles behind.
        one = BatchOutput()
        try:
            process_file(f, prev, ctx, one, fetched.pop(i, None))
        except ImportError:
            raise  # a broken installation, not a bad file: the whole run fails
        except Exception as exc:
            # Whatever one file triggers (even an extractor bug) is recorded against that file;
            # the run goes on, and the file is retried next run.
            out.ingestions.append(ingestion_row(ctx, f, "failed", error=f"{type(exc).__name__}: {exc}"))
            continue
        out.extend(one)
    return out


def skipped_rows(skipped: list[SkippedFile], ctx: BatchContext) -> list[dict[str, Any]]:
    """Ingestion rows noting files discovery passed over (hidden, partial, links, too large)."""
    return [ingestion_row(ctx, s, "skipped", error=s.reason) for s in skipped]


def dedupe(out: BatchOutput, seen: set[str]) -> BatchOutput:
    """Drop articles already produced earlier in this run (same text in two files)."""
    kept = []
    for a in out.articles:
        if a.article_id in seen:
            continue
        seen.add(a.article_id)
        kept.append(a)
    out.articles = kept
    return out


def count_batch(out: BatchOutput) -> RunCounts:
    """Counters for one (deduplicated) batch."""
    c = RunCounts()
    for row in out.ingestions:
        key = {"new": "files_new", "changed": "files_changed", "unchanged": "files_unchanged",
               "failed": "files_failed", "skipped": "files_skipped"}[row["status"]]
        setattr(c, key, getattr(c, key) + 1)
    c.files_seen = len(out.ingestions)
    for a in out.articles:
        c.articles_written += len(a.rows["articles"])
        c.entities_written += len(a.rows["entities"])
        c.mentions_written += len(a.rows["mentions"])
        c.agreements_written += len(a.rows["agreements"])
        c.meetings_written += len(a.rows["meetings"])
        c.records_quarantined += len(a.quarantine)
    c.records_quarantined += len(out.file_quarantine)
    return c


def table_rows(out: BatchOutput) -> dict[str, list[dict[str, Any]]]:
    """Flatten a batch into rows per warehouse table."""
    tables: dict[str, list[dict[str, Any]]] = {t: [] for t in ("articles", *(c for c, _ in CHILD_TABLES))}
    quarantine = list(out.file_quarantine)
    for a in out.articles:
        for t, rows in a.rows.items():
            tables[t].extend(rows)
        quarantine.extend(a.quarantine)
    tables["quarantine"] = quarantine
    tables["file_articles"] = out.links
    tables["ingestions"] = out.ingestions
    return tables


def batches(items: list[Any], size: int) -> list[list[Any]]:
    """Split a list into consecutive batches of at most ``size``."""
    return [items[i:i + size] for i in range(0, len(items), size)]


def file_batches(work: list[tuple[FoundFile, FileState | None]], max_files: int,
                 max_bytes: int) -> list[list[tuple[FoundFile, FileState | None]]]:
    """Consecutive batches of at most ``max_files`` files and about ``max_bytes`` bytes.

    Bytes matter as much as files: twenty 1 MB .jsonl files would otherwise be one batch of
    20,000 articles, held in memory at once and run on a single core.
    """
    out: list[list[tuple[FoundFile, FileState | None]]] = []
    current: list[tuple[FoundFile, FileState | None]] = []
    size = 0
    for item in work:
        if current and (len(current) >= max_files or size + item[0].size > max_bytes):
            out.append(current)
            current, size = [], 0
        current.append(item)
        size += item[0].size
    if current:
        out.append(current)
    return out


def make_context(run_id: str, started_at: datetime, settings: Any,
                 known: set[str] | frozenset[str]) -> BatchContext:
    """Build the batch context from settings and the warehouse's known article ids."""
    return BatchContext(
        run_id=run_id, ingested_at=(started_at or utcnow()).isoformat(),
        max_file_bytes=settings.max_file_bytes, max_extract_chars=settings.max_extract_chars,
        verify_hashes=settings.verify_hashes, known_article_ids=frozenset(known), crash_at=settings.crash_at,
    )


BatchFn = Callable[[list[tuple[FoundFile, FileState | None]], BatchContext], BatchOutput]
