"""Query the warehouse with DuckDB: one view per table plus a few convenience views.

The Parquet files stay plain (pandas, Polars and pyarrow read them without this module); this
module only saves typing in notebooks and in ``accords query``::

    from accords.query import connect, load
    con = connect("warehouse")
    con.sql("select party_name, count(*) from agreement_parties group by 1 order by 2 desc").show()
    con.sql("select name_a, name_b, year, meetings, agreements from dyads").show()
    con.sql("select name, stage, reported, article_title from agreement_timeline").show()
    runs = load("runs", warehouse_dir="warehouse")

Views read ``warehouse/<table>/*.parquet`` through a glob evaluated at query time, so a long-lived
connection sees later runs (and follows a table's generation link when it is replaced). Files
whose names start with "." or "_" and the ``_staging`` folder are never read. A table with no
files when ``connect`` is called is an empty view with the table's columns; connect again once
it has files.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from accords.errors import AccordsError
from accords.storage import as_location
from accords.warehouse import TABLE_SCHEMAS, TABLES, open_store, table_dir, table_files

# Historical codes the agreement schema allows; pycountry's official names for them are long.
HISTORICAL_COUNTRIES: dict[str, str] = {
    "SUN": "Soviet Union",
    "DDR": "East Germany",
    "YUG": "Yugoslavia",
    "CSK": "Czechoslovakia",
}

# Glob characters DuckDB would interpret in a folder name; such folders get an explicit file list.
_GLOB_CHARS = frozenset("*?[]{}")

# Convenience views, created after the table views (names are part of the public API).
CONVENIENCE_VIEWS: dict[str, str] = {
    "agreement_parties": """
        select a.agreement_id, a.article_id, a.kind, a.name as agreement_name, a.status, a.date,
               p.party,
               coalesce(c.name, p.party) as party_name,
               case when c.code is null then 'organization' else 'country' end as party_type,
               c.code as country_code
        from agreements a, unnest(a.parties) as p(party)
        left join country_names c on c.code = p.party
    """,
    "agreement_fields": """
        select a.agreement_id, a.article_id, a.kind, a.name as agreement_name, a.status, a.date,
               f.field
        from agreements a, unnest(a.fields) as f(field)
    """,
    "entity_mentions": """
        select e.entity_id, e.type, e.name, e.country_code, e.role, e.acronym, e.mention_count,
               e.article_id, ar.title as article_title, ar.published as article_published
        from entities e
        left join articles ar using (article_id)
    """,
    # One display name per entity: the name it carries in most articles (ties: alphabetical).
    "entity_names": """
        select entity_id, arg_min(name, (-n, name)) as name, arg_min(type, (-n, name)) as type
        from (select entity_id, name, type, count(distinct article_id) as n
              from entities group by all)
        group by entity_id
    """,
    "cooccurrence": """
        with pairs as (
            select a.entity_id as entity_a, b.entity_id as entity_b,
                   count(distinct a.article_id) as articles
            from (select distinct article_id, entity_id from entities) a
            join (select distinct article_id, entity_id from entities) b
              on a.article_id = b.article_id and a.entity_id < b.entity_id
            group by all
        )
        select p.entity_a, na.name as name_a, na.type as type_a,
               p.entity_b, nb.name as name_b, nb.type as type_b, p.articles
        from pairs p
        join entity_names na on na.entity_id = p.entity_a
        join entity_names nb on nb.entity_id = p.entity_b
        order by p.articles desc, name_a, name_b
    """,
    # One row per meeting and participant, with the person's country from the article's entities.
    "meeting_participants": """
        select m.meeting_id, m.article_id, m.kind, m.status, m.date, m.location, m.participant,
               m.entity_id, e.country_code
        from (select meeting_id, article_id, kind, status, date, location,
                     unnest(participants) as participant, unnest(participant_ids) as entity_id
              from meetings) m
        left join (select distinct article_id, entity_id, country_code from entities) e
          on e.article_id = m.article_id and e.entity_id = m.entity_id
    """,
    # Country pairs (country_a < country_b) per year: meetings both took part in and agreements
    # both are parties to. Undated records count in their article's year (else year is NULL).
    "dyads": """
        with records as (
            select 'meeting' as what, m.article_id, m.meeting_id as id, m.countries as codes,
                   coalesce(m.date, ar.published) as day
            from meetings m left join articles ar using (article_id)
            union all
            select 'agreement', a.article_id, a.agreement_id, a.parties, coalesce(a.date, ar.published)
            from agreements a left join articles ar using (article_id)
        ),
        pairs as (
            select distinct r.what, r.article_id, r.id, r.day, x.code as country_a, y.code as country_b
            from records r, unnest(r.codes) as x(code), unnest(r.codes) as y(code)
            where x.code < y.code
        )
        select p.country_a, ca.name as name_a, p.country_b, cb.name as name_b, year(p.day) as year,
               count(distinct (p.article_id, p.id)) filter (where p.what = 'meeting') as meetings,
               count(distinct (p.article_id, p.id)) filter (where p.what = 'agreement') as agreements,
               min(p.day) as first_date, max(p.day) as last_date
        from pairs p
        join country_names ca on ca.code = p.country_a
        join country_names cb on cb.code = p.country_b
        group by all
        order by p.country_a, p.country_b, year nulls last
    """,
    # Which articles each raw file holds now (its latest successful ingestion): the file_articles
    # rows of the run that last read it, or the article_ids list of warehouses written before
    # file_articles existed. line: the article's line in a .jsonl file (else null).
    "file_links": """
        with ok as (
            select path, run_id, status, article_ids, ingested_at from ingestions
            where status in ('new', 'changed', 'unchanged') and sha256 is not null
        ),
        latest as (
            select * from ok
            qualify row_number() over (partition by path order by ingested_at desc, run_id desc) = 1
        ),
        last_read as (
            select path, run_id from ok where status in ('new', 'changed')
            qualify row_number() over (partition by path order by ingested_at desc, run_id desc) = 1
        )
        select f.path, f.article_id, f.line
        from file_articles f join last_read r on r.path = f.path and r.run_id = f.run_id
        where f.path in (select path from latest where len(coalesce(article_ids, [])) = 0)
        union all
        select l.path, u.article_id, null::bigint as line
        from latest l, unnest(l.article_ids) as u(article_id)
    """,
    # One row per agreement event and stage it reached (planned, agreed, signed): when the stage
    # was first reported and in which article. An event is one instrument (accords.events).
    "agreement_timeline": """
        with stages as (
            select event_id, 'planned' as stage, 1 as stage_order, planned_reported as reported,
                   planned_article_id as article_id from agreement_events
            union all
            select event_id, 'agreed', 2, agreed_reported, agreed_article_id from agreement_events
            union all
            select event_id, 'signed', 3, signed_reported, signed_article_id from agreement_events
        )
        select e.event_id, e.kind, e.name, e.parties, e.fields, s.stage, s.stage_order, s.reported,
               s.article_id, ar.title as article_title, e.status as furthest_status, e.signed_on,
               e.article_count, e.first_reported, e.last_reported, e.renews_event_id
        from stages s
        join agreement_events e using (event_id)
        left join articles ar on ar.article_id = s.article_id
        where s.article_id is not null
        order by e.first_reported nulls last, e.event_id, s.stage_order
    """,
    "latest_runs": """
        select run_id, started_at, finished_at, status, trigger, command, files_seen, files_new,
               files_changed, files_failed, files_skipped, articles_written, entities_written,
               agreements_written, meetings_written, records_quarantined, duration_s, error
        from runs
        order by started_at desc nulls last, run_id desc
    """,
}


class QueryError(AccordsError):
    """A query against the warehouse failed (bad SQL, unknown table or column)."""


def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-3 code -> short English name, plus the historical codes."""
    import pycountry  # imported lazily: loading its database takes a moment

    names = {c.alpha_3: getattr(c, "common_name", None) or c.name for c in pycountry.countries}
    names.update(HISTORICAL_COUNTRIES)
    return names


def _sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _table_source(warehouse: Path, table: str) -> str | None:
    """A read_parquet(...) expression for a table's committed files, or None if it has none."""
    if not table_files(warehouse, table):
        return None
    folder = str(table_dir(warehouse, table).absolute())
    if _GLOB_CHARS.isdisjoint(folder):
        # A glob, evaluated per query: the view follows new runs and generation swaps.
        # "[!._]" skips hidden and "_"-prefixed names, like accords.warehouse.table_files.
        files = _sql_string(f"{folder}/[!._]*.parquet")
    else:
        files = "[" + ", ".join(_sql_string(str(p)) for p in table_files(warehouse, table)) + "]"
    return f"read_parquet({files}, union_by_name = true)"


def connect(warehouse_dir: str | Path = "warehouse", database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a view per warehouse table and the convenience views.

    Table views: articles, entities, mentions, agreements, meetings, agreement_events,
    agreement_event_links, quarantine, file_articles, ingestions, runs. Every view has all of the
    table's columns with their warehouse types, even when the table has no files yet or older
    files lack a newer column. Convenience views:
    agreement_parties, agreement_fields, entity_mentions, entity_names, cooccurrence,
    meeting_participants (one row per meeting and participant, with the person's country_code),
    dyads (country pairs per year: meetings, agreements, first and last date), file_links (each
    raw file's articles now, for old and new warehouses alike), agreement_timeline (one row per
    agreement event and stage: first reported when and where), latest_runs; plus
    the country_names(code, name) lookup table.
    """
    location = as_location(warehouse_dir)
    # On an object store the views read pyarrow datasets of one snapshot, taken now (DuckDB's
    # own S3 reader is an extension downloaded at run time, and a glob could not see snapshots).
    store = open_store(location)
    remote = store.datasets() if store.snapshot_reads else None
    con = duckdb.connect(database)
    try:
        for table in TABLES:
            # A typed empty table gives every column its type; UNION ALL BY NAME fills columns
            # missing from older files with NULL instead of failing.
            empty = f"_empty_{table}"
            con.register(f"_arrow_{empty}", TABLE_SCHEMAS[table].empty_table())
            con.execute(f"create or replace temp table {empty} as select * from _arrow_{empty}")
            con.unregister(f"_arrow_{empty}")
            if remote is not None:
                con.register(f"_ds_{table}", remote[table])
                source: str | None = f"_ds_{table}" if remote[table].files else None
            else:
                source = _table_source(Path(location), table)
            body = f"select * from {empty}"
            if source is not None:
                body += f" union all by name select * from {source}"
            con.execute(f"create or replace temp view {table} as {body}")
        names = country_names()
        codes = pa.table({"code": list(names), "name": list(names.values())})
        con.register("_arrow_country_names", codes)
        con.execute("create or replace temp table country_names as select * from _arrow_country_names")
        con.unregister("_arrow_country_names")
        for name, sql in CONVENIENCE_VIEWS.items():
            con.execute(f"create or replace temp view {name} as {sql}")
    except duckdb.Error as exc:
        con.close()
        raise QueryError(f"cannot open the warehouse at {location}: {exc}") from exc
    return con


def query(sql: str, warehouse_dir: str | Path = "warehouse") -> pd.DataFrame:
    """Run one SQL statement against the warehouse views and return the result as a DataFrame.

    Raises:
        QueryError: the SQL does not parse or refers to something that does not exist.
    """
    con = connect(warehouse_dir)
    try:
        return con.execute(sql).df()
    except duckdb.Error as exc:
        raise QueryError(str(exc).strip()) from exc
    finally:
        con.close()


def run_sql(sql: str, warehouse_dir: str | Path = "warehouse") -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run one SQL statement against the warehouse views; return column names and rows.

    Raises:
        QueryError: the SQL does not parse or refers to something that does not exist.
    """
    con = connect(warehouse_dir)
    try:
        cursor = con.execute(sql)
        columns = [d[0] for d in cursor.description or []]
        return columns, cursor.fetchall()
    except duckdb.Error as exc:
        raise QueryError(str(exc).strip()) from exc
    finally:
        con.close()


def _plain(value: Any) -> Any:
    """A JSON-ready version of a DuckDB result value (dates as ISO strings, lists kept)."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def cell_text(value: Any) -> str:
    """One value as text for a table or CSV cell: lists and structs as JSON, None as ''."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def rows_to_csv(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    """CSV text with a header line."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cell_text(v) for v in row] for row in rows)
    return buf.getvalue()


def rows_to_json(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    """A JSON array with one object per row."""
    records = [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
    return json.dumps(records, ensure_ascii=False, indent=1)


def load(table: str, warehouse_dir: str | Path = "warehouse") -> pd.DataFrame:
    """One table or view (e.g. "agreements", "agreement_parties") as a pandas DataFrame.

    Raises:
        QueryError: ``table`` is not a warehouse table or convenience view.
    """
    known = (*TABLES, *CONVENIENCE_VIEWS, "country_names")
    if table not in known:
        raise QueryError(f"unknown table {table!r}; choose one of {', '.join(known)}")
    return query(f"select * from {table}", warehouse_dir)
