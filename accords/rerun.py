"""Which discovered files a run can pass over: the Arrow side of ``pipeline.trusted_unchanged``.

A rerun over a large raw/ compares sizes and mtimes in Arrow against the file state table and
builds the unchanged files' ingestion rows there, without per-file Python objects.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from accords import validate
from accords.discover import FoundFile
from accords.history import FileState, file_states_at
from accords.tables import TABLE_SCHEMAS


class BatchContext(Protocol):
    """What these functions read of ``pipeline.BatchContext`` (named here so neither imports the other)."""

    verify_hashes: bool
    run_id: str
    ingested_at: str

# Files to read this run, each with its previous state (None: new to the warehouse).
Work = list[tuple[FoundFile, FileState | None]]


def split_unchanged(found: list[FoundFile], states: pa.Table, ctx: BatchContext) -> tuple[pa.Array, Work]:
    """Split discovered files into those trusted unchanged and those needing work.

    The rule is ``trusted_unchanged``'s, applied in Arrow against ``states`` (a
    ``file_state_table``): a rerun over a large raw/ then builds no per-file Python objects.
    Returns the ``states`` rows of the unchanged files (in ``found`` order, for
    ``unchanged_ingestions``) and each other file with its previous state, if any.
    """
    if states.num_rows == 0:  # a first run: every file is new
        return pa.array([], pa.int32()), [(f, None) for f in found]
    rows = pc.index_in(pa.array([f.rel_path for f in found], pa.string()),
                       value_set=states["path"].combine_chunks())
    if ctx.verify_hashes:
        trusted = pa.repeat(pa.scalar(False), len(found))
    else:
        sizes = pa.array([f.size for f in found], pa.int64())
        mtimes = pa.array([f.mtime_ns for f in found], pa.int64())
        same = pc.and_(pc.equal(states["size_bytes"].take(rows), sizes),
                       pc.equal(states["mtime_ns"].take(rows), mtimes))
        # No state, or a state without size or mtime (null): not trusted.
        trusted = same.combine_chunks().fill_null(False)
    need = pc.invert(trusted)
    prev_rows = rows.filter(need)
    prevs = iter(file_states_at(states, prev_rows.drop_null()))
    work = [(found[i], next(prevs) if has_prev else None) for i, has_prev in zip(
        pc.indices_nonzero(need).to_pylist(), pc.is_valid(prev_rows).to_pylist(), strict=True)]
    return rows.filter(trusted), work


def unchanged_ingestions(states: pa.Table, rows: pa.Array, ctx: BatchContext) -> pa.Table:
    """The ingestion rows (``unchanged_row``'s) of unchanged files, as an Arrow table.

    ``rows`` index ``states`` (see ``split_unchanged``); a trusted file's size and mtime are
    its state's, so every column comes from the state or the run.
    """
    t = states.take(rows)
    n = t.num_rows
    schema = TABLE_SCHEMAS["ingestions"]
    empty_ids = pa.scalar([], schema.field("article_ids").type)
    ids = pc.coalesce(t["article_ids"], empty_ids)

    def const(name: str, value: Any) -> pa.Array:
        return pa.repeat(pa.scalar(value, schema.field(name).type), n)

    columns = {
        "run_id": const("run_id", ctx.run_id), "path": t["path"], "sha256": t["sha256"],
        "size_bytes": t["size_bytes"], "mtime_ns": t["mtime_ns"], "status": const("status", "unchanged"),
        "articles": pc.coalesce(t["articles"], pc.list_value_length(ids).cast(pa.int32())),
        "article_ids": ids,
        "error": pa.nulls(n, pa.string()),
        "schema_version": const("schema_version", validate.schema_version("ingestion")),
        "ingested_at": const("ingested_at", datetime.fromisoformat(ctx.ingested_at)),
    }
    return pa.table(columns, schema=schema)
