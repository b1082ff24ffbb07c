"""The ``accords`` command line: a thin layer over the library and the Prefect flows."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from accords.settings import PROJECT_ROOT


def _flow(entrypoint: str) -> Any:
    """The object at ``"module:attribute"``, imported when a command needs it.

    The CLI is the application shell that starts the Prefect flows of the top-level ``flows``
    package, but the library ``accords`` must stay importable (and free of import cycles) without
    them: so flows are looked up by entrypoint string at run time, never imported statically.
    """
    module, _, attr = entrypoint.partition(":")
    return getattr(importlib.import_module(module), attr)


def _prefect_defaults() -> None:
    """Keep Prefect's state in the project's .prefect/ and quiet unless told otherwise."""
    os.environ.setdefault("PREFECT_HOME", str(PROJECT_ROOT / ".prefect"))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    # The embedded server can take long to start on a loaded 2-core machine (20 s is the default).
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


def format_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Render rows as a plain aligned text table."""
    cells = [[("" if r.get(c) is None else str(r.get(c))) for c in columns] for r in rows]
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) for row in cells]
    return "\n".join(lines)


def print_summary(row: dict[str, Any], tables: dict[str, int] | None = None) -> None:
    """Print the short end-of-run summary."""
    print(f"run {row['run_id']}: {row['status']} in {row['duration_s']:.1f} s")
    print(f"  files      {row['files_seen']} seen: {row['files_new']} new, {row['files_changed']} changed, "
          f"{row['files_unchanged']} unchanged, {row['files_failed']} failed, {row['files_skipped']} skipped")
    print(f"  written    {row['articles_written']} articles, {row['entities_written']} entities, "
          f"{row['mentions_written']} mentions, {row['agreements_written']} agreements, "
          f"{row.get('meetings_written') or 0} meetings")
    print(f"  quarantined {row['records_quarantined']} records")
    if row.get("error"):
        print(f"  error      {row['error']}")


def _settings(args: argparse.Namespace) -> Any:
    from accords.settings import load_settings

    return load_settings(
        raw_dir=getattr(args, "raw", None), warehouse_dir=getattr(args, "warehouse", None),
        verify_hashes=True if getattr(args, "verify_hashes", False) else None,
        lock_wait_seconds=getattr(args, "wait", None), trigger=getattr(args, "trigger", None),
        workers=getattr(args, "workers", None), task_runner=getattr(args, "task_runner", None),
        dask_address=getattr(args, "dask_address", None),
    )


def _flow_options(settings: Any) -> dict[str, Any]:
    """Settings a flow takes as its ``options`` parameter (JSON values; paths go separately)."""
    skip = {"raw_dir", "warehouse_dir", "trigger", "crash_at"}
    return {f.name: getattr(settings, f.name) for f in fields(settings) if f.name not in skip}


def _finish(state: Any, settings: Any, what: str, quiet: bool = False) -> int:
    """Print a flow run's summary (from the warehouse when the flow failed); the exit code.

    ``quiet`` (cron): nothing is printed for a run that succeeded.
    """
    from accords.history import recent_runs

    if state.is_completed():
        if not quiet:
            print_summary(state.result())
        return 0
    runs = recent_runs(settings.warehouse_dir, limit=1)
    if runs:
        print_summary(runs[0])
    else:
        print(f"{what} failed: {state.message}", file=sys.stderr)
    return 1


def _plain(run: Any, settings: Any, progress: Any = None, quiet: bool = False) -> int:
    """Run a pipeline entry point without Prefect and print its summary (``quiet``: if it failed)."""
    from accords.runner import WAIT_NOTICE

    def notices(msg: str) -> None:
        # Quiet while working, but a run that sits waiting for the lock says why.
        if WAIT_NOTICE in msg and not quiet:
            print(msg, file=sys.stderr, flush=True)

    result = run(settings, log=notices, progress=progress)
    if result.failed or not quiet:
        print_summary(result.row)
    return 1 if result.failed else 0


def _use_running_serve() -> str | None:
    """Without PREFECT_API_URL, use the server of an ``accords serve`` running on this PREFECT_HOME.

    Saves starting Prefect's temporary server (most of a no-op run's time), and the run shows in
    the UI that serve's user has open. None (the temporary server, as before) when there is none.
    """
    from accords.server import running_server, ui_url

    if os.environ.get("PREFECT_API_URL"):
        return None
    url = running_server(Path(os.environ["PREFECT_HOME"]), timeout=1.0)
    if url:
        os.environ["PREFECT_API_URL"] = url  # read when Prefect is imported, just after this
        print(f"using the Prefect server of the running `accords serve`: {ui_url(url)}", file=sys.stderr)
    return url


def _progress(args: argparse.Namespace, command: str, unit: str) -> tuple[str, Any]:
    """``--quiet``, a terminal or neither: the progress mode for a flow and a tracker for --no-prefect."""
    from accords.progress import make_tracker, terminal_mode

    mode = terminal_mode(args.quiet, sys.stderr.isatty())
    return mode, make_tracker(command, unit, mode)


def cmd_ingest(args: argparse.Namespace) -> int:
    """Run the ingest flow once (Prefect's embedded API unless PREFECT_API_URL is set)."""
    settings = _settings(args)
    mode, tracker = _progress(args, "ingest", "files")
    if args.no_prefect:
        from accords.runner import run_ingest

        return _plain(run_ingest, settings, tracker, args.quiet)
    _use_running_serve()
    ingest_flow = _flow("flows.ingest:ingest_flow")
    state = ingest_flow(raw_dir=str(settings.raw_dir), warehouse_dir=str(settings.warehouse_dir),
                        trigger=settings.trigger, options=_flow_options(settings), progress=mode,
                        return_state=True)
    return _finish(state, settings, "ingest", args.quiet)


def cmd_reprocess(args: argparse.Namespace) -> int:
    """Re-extract every stored article with the current extractor."""
    settings = _settings(args)
    mode, tracker = _progress(args, "reprocess", "articles")
    if args.no_prefect:
        from accords.runner import run_reprocess

        return _plain(run_reprocess, settings, tracker, args.quiet)
    _use_running_serve()
    reprocess_flow = _flow("flows.ingest:reprocess_flow")
    state = reprocess_flow(warehouse_dir=str(settings.warehouse_dir), options=_flow_options(settings),
                           progress=mode, return_state=True)
    return _finish(state, settings, "reprocess", args.quiet)


def cmd_compact(args: argparse.Namespace) -> int:
    """Merge each table's Parquet files into one, atomically, under the writer lock."""
    from accords.runner import run_compact
    from accords.warehouse import TABLES, table_files

    settings = _settings(args)
    result = run_compact(settings, log=lambda m: None)
    if result.failed or result.row["status"] == "skipped":
        print(f"compact {result.row['status']}: {result.row['error']}", file=sys.stderr)
        return 1 if result.failed else 0
    counts = ", ".join(f"{t} {len(table_files(settings.warehouse_dir, t))}" for t in TABLES)
    print(f"compacted in {result.row['duration_s']:.1f} s; files per table now: {counts}")
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    """Print recent run history from the warehouse."""
    from accords.history import recent_runs

    rows = recent_runs(_settings(args).warehouse_dir, args.limit)
    for r in rows:
        r["started_at"] = r["started_at"].strftime("%Y-%m-%d %H:%M:%S") if r["started_at"] else None
        r["duration_s"] = f"{r['duration_s']:.1f}"
        r["error"] = (r["error"] or "")[:60]
    cols = ["run_id", "started_at", "status", "trigger", "command", "files_seen", "files_new",
            "files_failed", "articles_written", "entities_written", "agreements_written", "meetings_written",
            "records_quarantined", "duration_s", "error"]
    print(format_table(rows, cols) if rows else "no runs recorded yet")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    """Run SQL against the warehouse views (accords.query) and print the result."""
    from accords.query import cell_text, rows_to_csv, rows_to_json, run_sql

    columns, rows = run_sql(args.sql, _settings(args).warehouse_dir)
    if args.csv:
        sys.stdout.write(rows_to_csv(columns, rows))
    elif args.json:
        print(rows_to_json(columns, rows))
    else:
        # Long cells (article text, evidence) are cut so the table stays readable; --csv has them whole.
        cut = [{c: cell_text(v)[:80] for c, v in zip(columns, row, strict=True)} for row in rows]
        print(format_table(cut, columns))
        print(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    """Download pages and feed items into raw/fetched/ (no Prefect flow needed; see flows/fetch.py)."""
    from accords.errors import SettingsError
    from accords.fetch import FetchPolicy, fetch_all, fetched_dir, load_feeds

    feeds = list(args.feed or [])
    if args.feeds_file:
        feeds += load_feeds(args.feeds_file).feeds
    if not args.urls and not feeds:
        raise SettingsError("give at least one URL, --feed or --feeds-file")
    policy = FetchPolicy(**{k: v for k, v in {"timeout": args.timeout, "max_bytes": args.max_bytes,
                                               "retries": args.retries}.items() if v is not None},
                         allow_private=args.allow_private)
    dest = fetched_dir(_settings(args).raw_dir)
    results = fetch_all(args.urls, dest, feeds=feeds, policy=policy)
    rows = [{"status": r.status, "kind": r.kind, "url": r.url[:70],
             "file": Path(r.path).name if r.path else "", "error": (r.error or "")[:90]} for r in results]
    print(format_table(rows, ["status", "kind", "url", "file", "error"]))
    print(f"into {dest}; the next ingest picks the new pages up")
    return 1 if any(r.status in ("failed", "refused") for r in results) else 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the ingest flow on a schedule (and on file arrival), starting a local server if needed."""
    serve_command = _flow("flows.serve:serve_command")
    # Served runs log at INFO so the UI and this terminal show what each run did.
    os.environ["PREFECT_LOGGING_LEVEL"] = args.log_level
    return serve_command(_settings(args), cron=args.cron, interval=args.interval, watch=args.watch,
                         port=args.port, log=lambda m: print(m, flush=True),
                         fetch_interval=args.fetch_interval, grace=args.grace)


def cmd_trigger(args: argparse.Namespace) -> int:
    """Ask the Prefect server to run the deployment now (trigger=manual)."""
    from accords.server import flow_run_url, resolve_api_url, trigger_run

    api_url = resolve_api_url(os.environ, Path(os.environ["PREFECT_HOME"]))
    run = trigger_run(api_url, "manual", lock_wait_seconds=args.wait, wait=args.follow)
    print(f"flow run {run.name} ({run.id}): {run.state.name if run.state else 'created'}")
    print(f"  {flow_run_url(api_url, run.id)}")
    return 1 if args.follow and run.state is not None and not run.state.is_completed() else 0


QUIET_HELP = ("no progress, and no summary unless the run failed (cron); progress is otherwise a bar "
              "on a terminal, one line per batch on stderr when not")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every ``accords`` command."""
    ap = argparse.ArgumentParser(prog="accords", description=__doc__)
    sub = ap.add_subparsers(dest="command", required=True)

    def paths(p: argparse.ArgumentParser, raw: bool = True) -> None:
        if raw:
            p.add_argument("--raw", help="raw articles folder or URI, e.g. s3://bucket/raw "
                           "(default ./raw, ACCORDS_RAW_DIR)")
        p.add_argument("--warehouse",
                       help="warehouse folder or URI, e.g. s3://bucket/warehouse "
                       "(default ./warehouse, ACCORDS_WAREHOUSE_DIR)")

    p = sub.add_parser("ingest", help="ingest raw/ once")
    paths(p)
    p.add_argument("--verify-hashes", action="store_true",
                   help="re-read and hash files even when size and mtime are unchanged")
    p.add_argument("--wait", type=float, help="seconds to wait for another run's lock (default 0: skip)")
    p.add_argument("--trigger", choices=["manual", "schedule", "event"], help=argparse.SUPPRESS)
    p.add_argument("--workers", type=int, help="extraction processes (default 0: one per core)")
    p.add_argument("--task-runner", choices=["process", "dask"],
                   help="where batches run: local processes (default) or a Dask cluster (prefect-dask)")
    p.add_argument("--dask-address",
                   help="Dask scheduler, tcp://HOST:PORT (default: a temporary local cluster)")
    p.add_argument("--no-prefect", action="store_true", help="run the same pipeline without Prefect")
    p.add_argument("-q", "--quiet", action="store_true", help=QUIET_HELP)
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("reprocess", help="re-extract every stored article with the current extractor")
    paths(p, raw=False)
    p.add_argument("--wait", type=float, help="seconds to wait for another run's lock (default 0: skip)")
    p.add_argument("--workers", type=int, help="extraction processes (default 0: one per core)")
    p.add_argument("--no-prefect", action="store_true", help="run the same pipeline without Prefect")
    p.add_argument("-q", "--quiet", action="store_true", help=QUIET_HELP)
    p.set_defaults(func=cmd_reprocess)

    p = sub.add_parser("compact", help="merge each table's files into one (atomic, under the lock)")
    paths(p, raw=False)
    p.add_argument("--wait", type=float, help="seconds to wait for another run's lock (default 0: skip)")
    p.set_defaults(func=cmd_compact)

    p = sub.add_parser("runs", help="show recent run history")
    paths(p, raw=False)
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_runs)

    p = sub.add_parser("query", help="run SQL on the warehouse (views: tables plus agreement_parties, "
                       "agreement_fields, entity_mentions, cooccurrence, latest_runs)")
    p.add_argument("sql", help='e.g. "select party_name, count(*) from agreement_parties group by 1"')
    paths(p, raw=False)
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--csv", action="store_true", help="print CSV (cells whole) instead of a table")
    fmt.add_argument("--json", action="store_true", help="print a JSON array of row objects")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("fetch", help="download article pages (and feed items) into raw/fetched/")
    p.add_argument("urls", nargs="*", metavar="URL", help="article page URLs (http or https)")
    p.add_argument("--feed", action="append", metavar="FEED_URL",
                   help="an RSS/Atom feed whose items to fetch (repeatable)")
    p.add_argument("--feeds-file", type=Path, help="TOML file of [[feed]] url = ... (e.g. feeds.toml)")
    p.add_argument("--raw", type=Path, help="raw articles folder (default ./raw, ACCORDS_RAW_DIR)")
    p.add_argument("--allow-private", action="store_true",
                   help="allow private, loopback and link-local addresses (refused by default)")
    p.add_argument("--timeout", type=float, help="seconds to connect and between bytes (default 10)")
    p.add_argument("--max-bytes", type=int, help="size cap per page or feed (default 5000000)")
    p.add_argument("--retries", type=int, help="retries with backoff on errors, 429 and 5xx (default 2)")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("serve", help="serve the ingest flow on a schedule; starts a local Prefect server "
                       "unless PREFECT_API_URL is set")
    paths(p)
    when = p.add_mutually_exclusive_group()
    when.add_argument("--cron", help="cron expression in UTC, e.g. '*/15 * * * *'")
    when.add_argument("--interval", type=float, help="seconds between runs (default 900)")
    p.add_argument("--watch", action="store_true", help="also run when files arrive or change in raw/")
    p.add_argument("--port", type=int, help="port of the local server (default 4200, or a free one)")
    p.add_argument("--fetch-interval", type=float,
                   help="also serve the fetch flow (feeds in feeds.toml into raw/) every N seconds")
    p.add_argument("--log-level", default="INFO", help="Prefect log level of served runs (default INFO)")
    p.add_argument("--grace", type=float, default=2.0,
                   help="on SIGINT/SIGTERM, seconds a flow run in flight may take to finish before it "
                   "is cancelled (default 2)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("trigger", help="run the served deployment now (trigger=manual)")
    p.add_argument("--wait", type=float, help="seconds the run waits for another run's lock (default: skip)")
    p.add_argument("--follow", action="store_true", help="wait for the run to end; non-zero exit if it fails")
    p.set_defaults(func=cmd_trigger)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``accords`` console script."""
    _prefect_defaults()
    args = build_parser().parse_args(argv)
    from accords.errors import AccordsError

    try:
        return int(args.func(args))
    except AccordsError as exc:
        print(f"accords: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
