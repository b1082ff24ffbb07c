"""accords.query views and the ``accords query`` command, on a small hand-written warehouse."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from accords.cli import main
from accords.errors import AccordsError
from accords.query import QueryError, connect, load, query
from accords.warehouse import TABLES, to_arrow

A1, A2 = "a" * 64, "b" * 64
E_KOR, E_CHL, E_BORIC, E_ASEAN = "1" * 16, "2" * 16, "3" * 16, "4" * 16
M_VISIT, M_CALL, M_SUMMIT = "5" * 16, "6" * 16, "7" * 16
V = {"run_id": "20260101T000000Z-00000001", "extractor_version": "x1", "schema_version": "1.0.0"}


def _write(warehouse: Path, table: str, rows: list[dict], name: str = "part-1") -> None:
    folder = warehouse / table
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(to_arrow(table, rows), str(folder / f"{name}.parquet"))


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    wh = tmp_path / "warehouse"
    _write(wh, "articles", [
        {"article_id": A1, "title": "Chile and Korea sign trade deal", "published": "2026-03-02",
         "text": "...", **V},
        {"article_id": A2, "title": "Chile and ASEAN talk", "published": "2026-04-05", "text": "...", **V},
    ])
    ent = [
        (A1, E_KOR, "COUNTRY", "South Korea", "KOR", 3), (A1, E_CHL, "COUNTRY", "Chile", "CHL", 2),
        (A1, E_BORIC, "PERSON", "Gabriel Boric", "CHL", 1), (A2, E_CHL, "COUNTRY", "Chile", "CHL", 1),
        (A2, E_ASEAN, "ORGANIZATION", "ASEAN", None, 2), (A2, E_BORIC, "PERSON", "Boric", "CHL", 1),
    ]
    _write(wh, "entities", [
        {"article_id": a, "entity_id": e, "type": t, "name": n, "aliases": [], "country_code": c,
         "mention_count": m, **V} for a, e, t, n, c, m in ent
    ])
    _write(wh, "agreements", [
        {"article_id": A1, "agreement_id": "f" * 16, "kind": "agreement", "status": "signed",
         "parties": ["CHL", "KOR"], "signatories": [], "fields": ["trade", "investment"],
         "date": "2026-03-02", "evidence": "They signed.", **V},
        {"article_id": A2, "agreement_id": "e" * 16, "kind": "memorandum_of_understanding",
         "status": "planned", "parties": ["CHL", "ASEAN", "SUN"], "signatories": [], "fields": ["energy"],
         "date": None, "evidence": "They plan.", **V},
    ])
    meeting = {"status": "held", "location": None, "evidence": "They met.", **V}
    _write(wh, "meetings", [
        {**meeting, "article_id": A1, "meeting_id": M_VISIT, "kind": "visit",
         "participants": ["Gabriel Boric"], "participant_ids": [E_BORIC], "countries": ["CHL", "KOR"],
         "location": "Seoul", "date": "2026-03-01"},
        {**meeting, "article_id": A2, "meeting_id": M_CALL, "kind": "call", "participants": ["Boric"],
         "participant_ids": [E_BORIC], "countries": ["KOR", "CHL"], "date": None},
        {**meeting, "article_id": A2, "meeting_id": M_SUMMIT, "kind": "summit", "status": "planned",
         "participants": [], "participant_ids": [], "countries": ["CHL", "KOR", "PER"], "date": "2025-12-30"},
    ])
    _write(wh, "runs", [
        {"run_id": "20260101T000000Z-00000001", "started_at": "2026-01-01T00:00:00+00:00",
         "status": "completed", "command": "ingest", "duration_s": 1.0},
        {"run_id": "20260102T000000Z-00000002", "started_at": "2026-01-02T00:00:00+00:00",
         "status": "skipped", "command": "ingest", "duration_s": 0.0},
    ])
    # Never read: a staged run, a hidden file, a "_" file and a non-Parquet file.
    _write(wh / "_staging" / "r1", "agreements", [{"article_id": A1, "agreement_id": "0" * 16, **V}])
    _write(wh, "agreements", [{"article_id": A1, "agreement_id": "1" * 16, **V}], name=".hidden")
    _write(wh, "agreements", [{"article_id": A1, "agreement_id": "2" * 16, **V}], name="_tmp")
    (wh / "agreements" / "notes.txt").write_text("not parquet")
    return wh


def test_table_views_read_only_committed_parquet(warehouse: Path) -> None:
    con = connect(warehouse)
    assert con.execute("select count(*) from agreements").fetchone() == (2,)
    assert con.execute("select count(*) from articles").fetchone() == (2,)


def test_missing_tables_are_empty_views_with_columns(tmp_path: Path) -> None:
    con = connect(tmp_path / "nowhere")
    for table in (*TABLES, "meeting_participants", "dyads"):
        assert con.execute(f"select count(*) from {table}").fetchone() == (0,)
    cols = dict(con.execute("select column_name, column_type from (describe agreements)").fetchall())
    assert cols["parties"] == "VARCHAR[]" and cols["date"] == "DATE"


def test_older_files_missing_a_column_still_read(warehouse: Path) -> None:
    import pyarrow as pa

    pq.write_table(pa.table({"run_id": ["20260103T000000Z-00000003"], "status": ["completed"]}),
                   str(warehouse / "runs" / "part-old.parquet"))
    df = load("runs", warehouse_dir=warehouse)
    assert len(df) == 3 and "files_seen" in df.columns


def test_agreement_parties_resolves_country_names(warehouse: Path) -> None:
    df = load("agreement_parties", warehouse_dir=warehouse)
    got = {(r.agreement_id[0], r.party, r.party_name, r.party_type) for r in df.itertuples()}
    assert got == {
        ("f", "CHL", "Chile", "country"), ("f", "KOR", "South Korea", "country"),
        ("e", "CHL", "Chile", "country"), ("e", "ASEAN", "ASEAN", "organization"),
        ("e", "SUN", "Soviet Union", "country"),
    }


def test_agreement_fields_one_row_per_field(warehouse: Path) -> None:
    df = query("select agreement_id, field from agreement_fields order by field", warehouse)
    assert list(df["field"]) == ["energy", "investment", "trade"]


def test_entity_mentions_carry_article_title_and_date(warehouse: Path) -> None:
    df = query(f"select * from entity_mentions where entity_id = '{E_KOR}'", warehouse)
    assert df.loc[0, "article_title"] == "Chile and Korea sign trade deal"
    assert str(df.loc[0, "article_published"])[:10] == "2026-03-02"


def test_cooccurrence_counts_articles_per_pair(warehouse: Path) -> None:
    df = load("cooccurrence", warehouse_dir=warehouse)
    pairs = {frozenset((r.name_a, r.name_b)): r.articles for r in df.itertuples()}
    # Boric is "Gabriel Boric" in one article and "Boric" in the other: ties go alphabetically.
    assert pairs[frozenset(("Boric", "Chile"))] == 2
    assert pairs[frozenset(("Chile", "South Korea"))] == 1
    assert pairs[frozenset(("ASEAN", "Chile"))] == 1
    assert len(pairs) == 5  # 3 pairs per article; Boric-Chile is in both
    assert list(df["articles"]) == sorted(df["articles"], reverse=True)


def test_latest_runs_newest_first(warehouse: Path) -> None:
    df = load("latest_runs", warehouse_dir=warehouse)
    assert list(df["status"]) == ["skipped", "completed"]


def test_bad_sql_and_unknown_table_raise_named_errors(warehouse: Path) -> None:
    with pytest.raises(QueryError):
        query("select nope from agreements", warehouse)
    with pytest.raises(QueryError, match="unknown table"):
        load("agreements; drop", warehouse_dir=warehouse)
    assert issubclass(QueryError, AccordsError)


def test_cli_query_table_csv_json(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "select party, party_name from agreement_parties where agreement_id like 'f%' order by party"
    assert main(["query", sql, "--warehouse", str(warehouse)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["party", "party_name"]
    assert out[2].split() == ["CHL", "Chile"] and out[3].split() == ["KOR", "South", "Korea"]

    assert main(["query", sql, "--warehouse", str(warehouse), "--csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["party,party_name", "CHL,Chile", "KOR,South Korea"]

    assert main(["query", "select date, parties from agreements order by agreement_id desc",
                 "--warehouse", str(warehouse), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {"date": "2026-03-02", "parties": ["CHL", "KOR"]}


def test_cli_query_error_exits_2(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "select * from nope", "--warehouse", str(warehouse)]) == 2
    assert "nope" in capsys.readouterr().err


def test_meetings_table_view(warehouse: Path) -> None:
    df = query("select meeting_id, kind, countries, date from meetings order by meeting_id", warehouse)
    assert list(df["kind"]) == ["visit", "call", "summit"] and list(df.loc[0, "countries"]) == ["CHL", "KOR"]
    assert str(df.loc[0, "date"])[:10] == "2026-03-01"


def test_meeting_participants_one_row_per_person_with_country(warehouse: Path) -> None:
    df = load("meeting_participants", warehouse_dir=warehouse)
    got = sorted((r.meeting_id, r.kind, r.participant, r.entity_id, r.country_code) for r in df.itertuples())
    # The summit has no named participant, so no row.
    assert got == [(M_VISIT, "visit", "Gabriel Boric", E_BORIC, "CHL"),
                   (M_CALL, "call", "Boric", E_BORIC, "CHL")]
    assert df.loc[df["meeting_id"] == M_VISIT, "location"].item() == "Seoul"


def test_dyads_count_meetings_and_agreements_per_country_pair_and_year(warehouse: Path) -> None:
    df = load("dyads", warehouse_dir=warehouse)
    got = [(r.country_a, r.country_b, r.year, r.meetings, r.agreements, str(r.first_date)[:10],
            str(r.last_date)[:10]) for r in df.itertuples()]
    assert got == [
        ("CHL", "KOR", 2025, 1, 0, "2025-12-30", "2025-12-30"),
        # The undated call counts on its article's date; the agreement on its own.
        ("CHL", "KOR", 2026, 2, 1, "2026-03-01", "2026-04-05"),
        ("CHL", "PER", 2025, 1, 0, "2025-12-30", "2025-12-30"),
        # ASEAN is a party but no country: only the pair of ISO codes (SUN is historical) counts.
        ("CHL", "SUN", 2026, 0, 1, "2026-04-05", "2026-04-05"),
        ("KOR", "PER", 2025, 1, 0, "2025-12-30", "2025-12-30"),
    ]
    assert df.loc[0, "name_a"] == "Chile" and df.loc[0, "name_b"] == "South Korea"
