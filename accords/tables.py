"""What both warehouse implementations share: the table schemas, Arrow conversion, the staged writer.

``accords.localstore`` (a local folder) and ``accords.objectstore`` (an object store) both build
on this module and never on each other; ``accords.warehouse`` chooses between them.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from accords.errors import WarehouseError

_s, _i32, _i64 = pa.string(), pa.int32(), pa.int64()
_ts = pa.timestamp("us", tz="UTC")
_list = pa.list_(pa.string())
_versions = [("run_id", _s), ("extractor_version", _s), ("schema_version", _s)]

TABLE_SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema([
        ("article_id", _s), ("source_path", _s), ("source_sha256", _s), ("title", _s),
        ("published", pa.date32()), ("url", _s), ("source", _s), ("language", _s), ("text", _s),
        ("text_chars", _i64), *_versions, ("ingested_at", _ts),
    ]),
    "entities": pa.schema([
        ("article_id", _s), ("entity_id", _s), ("type", _s), ("name", _s), ("aliases", _list),
        ("country_code", _s), ("role", _s), ("acronym", _s), ("mention_count", _i32), *_versions,
    ]),
    "mentions": pa.schema([
        ("article_id", _s), ("entity_id", _s), ("start", _i32), ("end", _i32), ("text", _s), *_versions,
    ]),
    "agreements": pa.schema([
        ("article_id", _s), ("agreement_id", _s), ("kind", _s), ("name", _s), ("status", _s),
        ("parties", _list), ("signatories", _list), ("fields", _list), ("date", pa.date32()),
        # meeting_id came with agreement schema 1.1.0: older files lack it, and read it as null.
        ("location", _s), ("meeting_id", _s), ("evidence", _s), ("evidence_start", _i32),
        ("evidence_end", _i32), *_versions,
    ]),
    "meetings": pa.schema([
        ("article_id", _s), ("meeting_id", _s), ("kind", _s), ("status", _s), ("participants", _list),
        ("participant_ids", _list), ("countries", _list), ("location", _s), ("date", pa.date32()),
        ("evidence", _s), ("evidence_start", _i32), ("evidence_end", _i32), *_versions,
    ]),
    # Agreement events (accords.events): one row per instrument, and one link row per agreement
    # saying which event it belongs to and why; rebuilt, block by block, by the run adding agreements.
    "agreement_events": pa.schema([
        ("event_id", _s), ("kind", _s), ("kind_class", _s), ("name", _s), ("parties", _list),
        ("fields", _list), ("status", _s), ("planned_reported", pa.date32()), ("planned_article_id", _s),
        ("agreed_reported", pa.date32()), ("agreed_article_id", _s), ("signed_reported", pa.date32()),
        ("signed_article_id", _s), ("signed_on", pa.date32()), ("first_reported", pa.date32()),
        ("last_reported", pa.date32()), ("article_count", _i32), ("agreement_count", _i32),
        ("agreement_ids", _list), ("renewal", pa.bool_()), ("renews_event_id", _s), ("run_id", _s),
        ("schema_version", _s),
    ]),
    "agreement_event_links": pa.schema([
        ("event_id", _s), ("agreement_id", _s), ("article_id", _s), ("linked_to", _s), ("reason", _s),
        ("score", pa.float64()), ("blocks", _list), ("kind", _s), ("name", _s), ("status", _s),
        ("parties", _list), ("fields", _list), ("date", pa.date32()), ("reported", pa.date32()),
        ("renewal", pa.bool_()), ("run_id", _s), ("schema_version", _s),
    ]),
    "quarantine": pa.schema([
        ("run_id", _s), ("source_path", _s), ("article_id", _s), ("record_type", _s),
        ("record_json", _s), ("schema_id", _s),
        ("errors", pa.list_(pa.struct([("path", _s), ("message", _s)]))), ("quarantined_at", _ts),
    ]),
    # Which articles a file holds: one row per article of a file, written by the run that read the
    # file as new or changed (``line``: its line in a .jsonl file, else null). Replaces the
    # ``ingestions.article_ids`` list, which only runs before this table filled (see history.py).
    "file_articles": pa.schema([("run_id", _s), ("path", _s), ("article_id", _s), ("line", _i64)]),
    "ingestions": pa.schema([
        ("run_id", _s), ("path", _s), ("sha256", _s), ("size_bytes", _i64), ("mtime_ns", _i64),
        ("status", _s), ("articles", _i32), ("article_ids", _list), ("error", _s),
        ("schema_version", _s), ("ingested_at", _ts),
    ]),
    "runs": pa.schema([
        ("run_id", _s), ("flow_run_id", _s), ("started_at", _ts), ("finished_at", _ts), ("status", _s),
        ("trigger", _s), ("command", _s), ("raw_dir", _s), ("files_seen", _i64), ("files_new", _i64),
        ("files_changed", _i64), ("files_unchanged", _i64), ("files_failed", _i64),
        ("files_skipped", _i64), ("articles_written", _i64), ("entities_written", _i64),
        # meetings_written came with run schema 1.1.0: null in runs recorded before it.
        ("mentions_written", _i64), ("agreements_written", _i64), ("meetings_written", _i64),
        ("records_quarantined", _i64), ("duration_s", pa.float64()), ("extractor_version", _s),
        ("schema_version", _s), ("error", _s),
    ]),
}
# Commit order: data before history, so a completed run row implies its data is visible.
TABLES = ("articles", "entities", "mentions", "agreements", "meetings", "agreement_events",
          "agreement_event_links", "quarantine", "file_articles", "ingestions", "runs")


def utcnow() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


def _convert(value: Any, typ: pa.DataType) -> Any:
    """Turn JSON-shaped values (ISO strings) into what Arrow expects for the column type."""
    if value is None:
        return None
    if pa.types.is_date32(typ) and isinstance(value, str):
        return date.fromisoformat(value[:10])
    if pa.types.is_timestamp(typ) and isinstance(value, str):
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value


def to_arrow(table: str, rows: list[dict[str, Any]]) -> pa.Table:
    """Build an Arrow table with the table's fixed schema (extra keys are ignored)."""
    schema = TABLE_SCHEMAS[table]
    cols = {}
    for f in schema:
        name = f.name
        if pa.types.is_date32(f.type) or pa.types.is_timestamp(f.type):
            cols[name] = [_convert(r.get(name), f.type) for r in rows]
        else:
            # Most columns need no conversion: a call per cell was most of this function's time.
            cols[name] = [r.get(name) for r in rows]
    return pa.table(cols, schema=schema)


class StagedWriter:
    """What every staged run shares: one Parquet writer per table, row counts, replaced tables.

    Subclasses say where a table's file goes (``_open_writer``) and how the run commits.
    """

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = dict.fromkeys(TABLES, 0)
        self.replaced: set[str] = set()
        self.committed = False  # set at the commit point: from then on, never undone
        self._consumed: dict[str, list[str]] = {}

    def _open_writer(self, table: str) -> pq.ParquetWriter:
        raise NotImplementedError

    def replace_table(self, table: str, consumed: list[str]) -> None:
        """Mark ``table`` as replaced: at commit its content becomes the staged rows.

        ``consumed`` names the table's current files whose rows the staged rows replace; any
        other file that appears in the table meanwhile (a skipped run's row) is carried over.
        """
        self.replaced.add(table)
        self._consumed[table] = list(consumed)

    def append(self, table: str, rows: list[dict[str, Any]]) -> None:
        """Append rows to the run's file for ``table`` (one file per table, row groups)."""
        if rows:
            self.append_arrow(table, to_arrow(table, rows))

    def append_arrow(self, table: str, data: pa.Table) -> None:
        """Append an Arrow table (with the table's schema) to the run's file for ``table``."""
        if data.num_rows == 0:
            return
        try:
            writer = self._writers.get(table)
            if writer is None:
                writer = self._writers[table] = self._open_writer(table)
            writer.write_table(data)
        except OSError as exc:
            raise WarehouseError(f"writing {table} for run {self.run_id} failed: {exc}") from exc
        self.rows[table] += data.num_rows

    def _failed_before_commit(self, exc: OSError) -> WarehouseError:
        """Drop what was staged; the error to raise for an I/O failure before the commit point."""
        self.abort()
        return WarehouseError(f"commit of run {self.run_id} failed before it took effect, "
                              f"the warehouse is unchanged: {exc}")

    def _passed_commit_point(self, crash_hook: Any) -> None:
        """From here on the run is committed and never undone."""
        self.committed = True
        if crash_hook is not None:
            crash_hook("after_commit_record")

    def abort(self) -> None:
        """Drop everything staged; a committed run is kept."""
        raise NotImplementedError

    def _close_writers(self) -> None:
        """Close every writer (after an error too: close errors are then beside the point)."""
        for writer in self._writers.values():
            with contextlib.suppress(Exception):
                writer.close()
