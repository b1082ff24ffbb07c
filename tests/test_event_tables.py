"""The agreement event tables as runs maintain them: ingest, batches, reruns, reprocess.

The extractor is replaced by a stand-in returning the agreements each test article is written
to report, so these tests check event building, not extraction.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from accords import pipeline
from accords.query import query
from accords.records import Extraction
from accords.runner import run_ingest, run_reprocess
from accords.settings import Settings
from accords.warehouse import read_table, table_files

VOLATILE = {"run_id"}
EVENT_TABLES = ("agreement_events", "agreement_event_links")

# title -> (published, text, [(kind, name, status, parties, fields, date)])
ARTICLES: dict[str, tuple[str, str, list[tuple[Any, ...]]]] = {
    "treaty-planned": (
        "2025-03-02",
        "Iceland and Peru will sign an extradition treaty in Lima next week.",
        [("treaty", "Extradition Treaty", "planned", ["ISL", "PER"], ["law_justice"], None)],
    ),
    "treaty-agreed": (
        "2025-04-11",
        "Negotiators agreed the text of an Iceland-Peru extradition treaty.",
        [
            (
                "agreement",
                "agreement on the text of an extradition treaty",
                "agreed",
                ["PER", "ISL"],
                ["law_justice"],
                "2025-04-11",
            )
        ],
    ),
    "treaty-signed": (
        "2025-05-10",
        "Peru and Iceland signed the Iceland-Peru Extradition Treaty on Friday.",
        [
            (
                "treaty",
                "Iceland-Peru Extradition Treaty",
                "signed",
                ["PER", "ISL"],
                ["law_justice"],
                "2025-05-09",
            )
        ],
    ),
    "mous-a": (
        "2025-06-03",
        "Finland and New Zealand signed MoUs on renewable energy and on health workforce.",
        [
            (
                "memorandum_of_understanding",
                "memorandum of understanding on renewable energy",
                "signed",
                ["FIN", "NZL"],
                ["energy"],
                "2025-06-03",
            ),
            (
                "memorandum_of_understanding",
                "memorandum of understanding on health workforce",
                "signed",
                ["FIN", "NZL"],
                ["health"],
                "2025-06-03",
            ),
        ],
    ),
    "mous-b": (
        "2025-06-03",
        "Two memoranda were signed in Helsinki: health workforce and renewable energy.",
        [
            (
                "memorandum_of_understanding",
                "MoU on health workforce cooperation",
                "signed",
                ["NZL", "FIN"],
                ["health"],
                None,
            ),
            (
                "memorandum_of_understanding",
                "renewable energy MoU",
                "signed",
                ["NZL", "FIN"],
                ["energy"],
                None,
            ),
        ],
    ),
    "fta-planned": (
        "2025-01-05",
        "Argentina, Brazil, Paraguay, Uruguay and Norway will sign a free trade deal.",
        [
            (
                "agreement",
                "MERCOSUR-Norway Free Trade Agreement",
                "planned",
                ["ARG", "BRA", "PRY", "URY", "NOR"],
                ["trade"],
                None,
            )
        ],
    ),
    "fta-signed": (
        "2025-02-07",
        "Brazil, Paraguay, Uruguay and Norway signed the free trade agreement.",
        [
            (
                "agreement",
                "free trade agreement between MERCOSUR and Norway",
                "signed",
                ["BRA", "PRY", "URY", "NOR"],
                ["trade"],
                "2025-02-07",
            )
        ],
    ),
}


def fake_extract(text: str, title: str | None = None, published: Any = None) -> Extraction:
    """The agreements the article ``title`` is written to report (evidence: its whole text)."""
    rows = []
    for i, (kind, name, status, parties, fields, day) in enumerate(ARTICLES[title][2]):
        rows.append(
            {
                "agreement_id": f"a{i}",
                "kind": kind,
                "name": name,
                "status": status,
                "parties": parties,
                "signatories": [],
                "fields": fields,
                "date": day,
                "location": None,
                "evidence": text,
                "evidence_start": 0,
                "evidence_end": len(text),
            }
        )
    return Extraction(agreements=rows)


def write(raw: Path, titles: list[str]) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    for title in titles:
        published, text, _ = ARTICLES[title]
        p = raw / f"{title}.json"
        p.write_text(json.dumps({"title": title, "published": published, "text": text}), encoding="utf-8")
        os.utime(p, (1_600_000_000, 1_600_000_000))


def snapshot(wh: Path, table: str) -> list[tuple]:
    rows = read_table(wh, table).to_pylist()
    return sorted(
        tuple((k, json.dumps(v, default=str)) for k, v in sorted(r.items()) if k not in VOLATILE)
        for r in rows
    )


@pytest.fixture
def stub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "extract", fake_extract)


def quiet(msg: str) -> None:
    pass


def ingest(tmp_path: Path, titles: list[str], name: str = "wh", raw: str = "raw") -> Settings:
    write(tmp_path / raw, titles)
    settings = Settings(raw_dir=tmp_path / raw, warehouse_dir=tmp_path / name, settle_seconds=0.0)
    res = run_ingest(settings, log=quiet)
    assert res.row["status"] == "completed", res.row["error"]
    return settings


def events_by_name(wh: Path) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in read_table(wh, "agreement_events").to_pylist()}


def test_three_reports_in_three_articles_are_one_event_with_stage_dates(tmp_path: Path, stub: None) -> None:
    s = ingest(tmp_path, ["treaty-planned", "treaty-agreed", "treaty-signed"])
    evs = read_table(s.warehouse_dir, "agreement_events").to_pylist()
    assert len(evs) == 1
    ev = evs[0]
    arts = {a["title"]: a["article_id"] for a in read_table(s.warehouse_dir, "articles").to_pylist()}
    assert ev["article_count"] == 3 and ev["status"] == "signed" and ev["parties"] == ["ISL", "PER"]
    assert (str(ev["planned_reported"]), ev["planned_article_id"]) == ("2025-03-02", arts["treaty-planned"])
    assert (str(ev["agreed_reported"]), ev["agreed_article_id"]) == ("2025-04-11", arts["treaty-agreed"])
    assert (str(ev["signed_reported"]), ev["signed_article_id"]) == ("2025-05-10", arts["treaty-signed"])
    assert str(ev["signed_on"]) == "2025-05-09"
    assert (str(ev["first_reported"]), str(ev["last_reported"])) == ("2025-03-02", "2025-05-10")
    agreements = {a["agreement_id"] for a in read_table(s.warehouse_dir, "agreements").to_pylist()}
    assert set(ev["agreement_ids"]) == agreements
    links = read_table(s.warehouse_dir, "agreement_event_links").to_pylist()
    assert sorted(r["agreement_id"] for r in links) == sorted(agreements)
    assert all(r["event_id"] == ev["event_id"] for r in links)
    assert sum(r["linked_to"] is None for r in links) == 1 and all(r["reason"] for r in links)


def test_same_day_mous_on_different_topics_are_separate_events(tmp_path: Path, stub: None) -> None:
    s = ingest(tmp_path, ["mous-a", "mous-b"])
    evs = read_table(s.warehouse_dir, "agreement_events").to_pylist()
    assert len(evs) == 2
    assert sorted(tuple(e["fields"]) for e in evs) == [("energy",), ("health",)]
    assert all(e["article_count"] == 2 and e["agreement_count"] == 2 for e in evs)


def test_multilateral_instrument_with_a_missing_party_is_one_event(tmp_path: Path, stub: None) -> None:
    s = ingest(tmp_path, ["fta-planned", "fta-signed"])
    evs = read_table(s.warehouse_dir, "agreement_events").to_pylist()
    assert len(evs) == 1
    assert evs[0]["parties"] == ["ARG", "BRA", "NOR", "PRY", "URY"] and evs[0]["article_count"] == 2
    assert evs[0]["status"] == "signed"


ALL = list(ARTICLES)


def test_two_batches_in_any_order_give_the_events_of_one(tmp_path: Path, stub: None) -> None:
    one = ingest(tmp_path, ALL, name="one", raw="raw-one")
    # The later reports first: the second run brings earlier ones, regrouping stored events.
    late = ["treaty-signed", "mous-b", "fta-signed"]
    two = ingest(tmp_path, late, name="two", raw="raw-two")
    write(tmp_path / "raw-two", [t for t in ALL if t not in late])
    assert run_ingest(two, log=quiet).row["status"] == "completed"
    for table in EVENT_TABLES:
        assert snapshot(two.warehouse_dir, table) == snapshot(one.warehouse_dir, table)
    assert len(read_table(one.warehouse_dir, "agreement_events")) == 4


def test_rerun_with_nothing_new_changes_nothing(tmp_path: Path, stub: None) -> None:
    s = ingest(tmp_path, ALL)
    files = {t: table_files(s.warehouse_dir, t) for t in EVENT_TABLES}
    before = {t: snapshot(s.warehouse_dir, t) for t in EVENT_TABLES}
    res = run_ingest(s, log=quiet)
    assert res.row["files_unchanged"] == len(ALL) and res.tables.get("agreement_events", 0) == 0
    assert {t: table_files(s.warehouse_dir, t) for t in EVENT_TABLES} == files
    assert {t: snapshot(s.warehouse_dir, t) for t in EVENT_TABLES} == before


def test_a_run_touching_no_stored_block_only_appends(tmp_path: Path, stub: None) -> None:
    s = ingest(tmp_path, ["treaty-planned", "treaty-signed"])
    first = table_files(s.warehouse_dir, "agreement_events")
    write(s.raw_dir, ["mous-a"])
    run_ingest(s, log=quiet)
    after = table_files(s.warehouse_dir, "agreement_events")
    assert len(after) == 2 and first[0].name in {p.name for p in after}  # the old file is kept
    assert len(read_table(s.warehouse_dir, "agreement_events")) == 3
    # A run touching a stored event's block regroups it: the treaty's stored event is replaced.
    write(s.raw_dir, ["treaty-agreed"])
    run_ingest(s, log=quiet)
    evs = events_by_name(s.warehouse_dir)
    assert len(evs) == 3 and evs["Iceland-Peru Extradition Treaty"]["article_count"] == 3


def test_reprocess_rebuilds_the_same_events(tmp_path: Path, stub: None) -> None:
    s = ingest(tmp_path, ALL)
    before = {t: snapshot(s.warehouse_dir, t) for t in EVENT_TABLES}
    res = run_reprocess(s, log=quiet)
    assert res.row["status"] == "completed", res.row["error"]
    assert {t: snapshot(s.warehouse_dir, t) for t in EVENT_TABLES} == before
    assert all(len(table_files(s.warehouse_dir, t)) == 1 for t in EVENT_TABLES)


def test_events_are_built_for_agreements_stored_before_events_existed(
    tmp_path: Path, stub: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accords import runner

    monkeypatch.setattr(runner, "stage_events", lambda *args, **kwargs: 0)  # an older version
    s = ingest(tmp_path, ["treaty-planned", "treaty-agreed"])
    assert read_table(s.warehouse_dir, "agreement_events").num_rows == 0
    monkeypatch.undo()
    monkeypatch.setattr(pipeline, "extract", fake_extract)
    write(s.raw_dir, ["treaty-signed"])
    run_ingest(s, log=quiet)
    evs = read_table(s.warehouse_dir, "agreement_events").to_pylist()
    assert len(evs) == 1 and evs[0]["article_count"] == 3


def test_agreement_timeline_has_one_row_per_event_and_stage(tmp_path: Path, stub: None) -> None:
    s = ingest(tmp_path, ["treaty-planned", "treaty-agreed", "treaty-signed", "fta-signed"])
    df = query("select name, stage, reported, article_title, furthest_status, article_count "
               "from agreement_timeline order by first_reported, stage_order", s.warehouse_dir)
    rows = [(r.stage, str(r.reported)[:10], r.article_title, r.furthest_status) for r in df.itertuples()]
    assert rows == [
        ("signed", "2025-02-07", "fta-signed", "signed"),
        ("planned", "2025-03-02", "treaty-planned", "signed"),
        ("agreed", "2025-04-11", "treaty-agreed", "signed"),
        ("signed", "2025-05-10", "treaty-signed", "signed"),
    ]
    assert set(df["article_count"]) == {1, 3}
