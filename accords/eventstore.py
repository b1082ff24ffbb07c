"""Keeping ``agreement_events`` and ``agreement_event_links`` current: the I/O side of ``accords.events``.

A run that adds agreements (ingest) or replaces them (reprocess) stages the event tables in the
same staged run, so they commit atomically with the agreements::

    collector = EventCollector()
    outputs = collector.watch(outputs)          # sees each batch's agreements as it is staged
    ...                                          # the run stages its outputs
    stage_events(staged, warehouse, run_id, collector.reports())

Incremental: the run's agreements touch some blocks (``events.block_keys``); only the stored
reports reachable from those blocks (through reports sharing a block, transitively) are regrouped,
read from the link table's features, never from ``agreements``. Events outside them are copied
unchanged. A run with no new agreements stages nothing, so a rerun changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from accords import events, validate
from accords.events import Report
from accords.storage import Location
from accords.tables import StagedWriter, utcnow
from accords.warehouse import open_store

EVENT_TABLES = ("agreement_events", "agreement_event_links")
_LINK_FEATURES = ["event_id", "agreement_id", "article_id", "kind", "name", "status", "parties", "fields",
                  "date", "reported", "renewal", "blocks"]


class EventCollector:
    """Collects a run's agreements as ``Report``s while its batch outputs pass by.

    ``published``: article_id -> published date of articles whose rows the outputs do not carry
    (reprocess re-extracts stored articles); new articles bring their own.
    """

    def __init__(self, published: dict[str, Any] | None = None) -> None:
        self.published = dict(published or {})
        self._reports: dict[str, Report] = {}

    def add(self, output: Any) -> None:
        """Take the agreements of one ``pipeline.BatchOutput``."""
        for art in output.articles:
            for row in art.rows.get("articles", []):
                self.published.setdefault(row["article_id"], row.get("published"))
            for row in art.rows.get("agreements", []):
                if row["agreement_id"] not in self._reports:
                    self._reports[row["agreement_id"]] = events.report_from_row(
                        row, self.published.get(row["article_id"]))

    def watch(self, outputs: Iterable[Any]) -> Iterator[Any]:
        """Yield ``outputs`` unchanged, collecting each one's agreements first."""
        for out in outputs:
            self.add(out)
            yield out

    def reports(self) -> list[Report]:
        """The run's agreements (one report per agreement_id)."""
        return list(self._reports.values())


def _closure(links: pa.Table, keys: set[str]) -> pa.Array:
    """Indices of the link rows reachable from ``keys`` through shared block keys."""
    if links.num_rows == 0 or not keys:
        return pa.array([], pa.int64())
    blocks = links["blocks"].combine_chunks()
    flat = pc.list_flatten(blocks)
    parent = pc.list_parent_indices(blocks)
    selected: set[int] = set()
    frontier = set(keys)
    while frontier:
        hit = pc.is_in(flat, value_set=pa.array(sorted(frontier), pa.string()))
        rows = set(pc.unique(parent.filter(hit)).to_pylist()) - selected
        if not rows:
            break
        selected |= rows
        new_keys = set(pc.list_flatten(blocks.take(pa.array(sorted(rows)))).to_pylist())
        frontier = new_keys - keys
        keys |= new_keys
    return pa.array(sorted(selected), pa.int64())


def _stored_reports(warehouse: Location) -> list[Report]:
    """Reports of every stored agreement (a warehouse written before events existed)."""
    store = open_store(warehouse)
    cols = ["article_id", "agreement_id", "kind", "name", "status", "parties", "fields", "date", "evidence"]
    published = dict(zip(*store.read_table("articles", ["article_id", "published"]).to_pydict().values(),
                         strict=True))
    return [events.report_from_row(r, published.get(r["article_id"]))
            for r in store.read_table("agreements", cols).to_pylist()]


def _quarantine(run_id: str, record_type: str, record: dict[str, Any], errors: list[dict[str, str]],
                article_id: str | None) -> dict[str, Any]:
    return {"run_id": run_id, "source_path": None, "article_id": article_id, "record_type": record_type,
            "record_json": json.dumps(record, default=str, ensure_ascii=False),
            "schema_id": validate.schema_id(record_type), "errors": errors, "quarantined_at": utcnow()}


def validated(run_id: str, event_rows: list[dict[str, Any]], link_rows: list[dict[str, Any]]
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Stamp rows with the run and schema versions and validate them: (events, links, quarantine).

    An invalid event is quarantined with its links (and an invalid link with its event), so the
    two tables never disagree.
    """
    ev_version = validate.schema_version("agreement_event")
    link_version = validate.schema_version("agreement_event_link")
    evs = [{**r, "run_id": run_id, "schema_version": ev_version} for r in event_rows]
    lks = [{**r, "run_id": run_id, "schema_version": link_version} for r in link_rows]
    quarantine: list[dict[str, Any]] = []
    bad: set[str] = set()
    for rec, errs in validate.partition("agreement_event", evs)[1]:
        quarantine.append(_quarantine(run_id, "agreement_event", rec, errs, rec.get("signed_article_id")))
        bad.add(rec["event_id"])
    for rec, errs in validate.partition("agreement_event_link", lks)[1]:
        quarantine.append(_quarantine(run_id, "agreement_event_link", rec, errs, rec.get("article_id")))
        bad.add(rec["event_id"])
    return ([r for r in evs if r["event_id"] not in bad], [r for r in lks if r["event_id"] not in bad],
            quarantine)


def stage_events(staged: StagedWriter, warehouse: Location, run_id: str, reports: list[Report],
                 rebuild: bool = False) -> int:
    """Stage the event tables as they are once the run's agreements are in; the rows quarantined.

    ``reports``: the agreements the run adds. ``rebuild``: they replace every stored agreement
    (reprocess), so the events are built from them alone. Without reports nothing is staged.
    """
    if not reports and not rebuild:
        return 0
    store = open_store(warehouse)
    files = {t: store.table_files(t) for t in EVENT_TABLES}
    affected = pa.array([], pa.string())
    group = list(reports)
    if not rebuild:
        links = store.read_table("agreement_event_links", _LINK_FEATURES)
        if links.num_rows == 0 and store.table_files("agreements"):
            group += _stored_reports(warehouse)  # first run with events: start from what is stored
        else:
            keys = {k for r in reports for k in events.block_keys(r)}
            touched = links.take(_closure(links, keys))
            affected = pc.unique(touched["event_id"])
            new_ids = {r.agreement_id for r in reports}
            group += [events.report_from_row(r) for r in touched.to_pylist()
                      if r["agreement_id"] not in new_ids]
    event_rows, link_rows = events.build_events(group)
    event_rows, link_rows, quarantine = validated(run_id, event_rows, link_rows)
    for table, rows in zip(EVENT_TABLES, (event_rows, link_rows), strict=True):
        if rebuild or len(affected):
            # Stored events regrouped: the table is replaced by the others plus the new rows.
            staged.replace_table(table, consumed=[PurePosixPath(str(f)).name for f in files[table]])
        if not rebuild and len(affected):
            for part in store.scan_table(table, files[table]):
                keep = pc.invert(pc.is_in(part["event_id"], value_set=affected))
                staged.append_arrow(table, part.filter(keep))
        staged.append(table, rows)  # no stored event touched: the new rows are appended
    staged.append("quarantine", quarantine)
    return len(quarantine)
