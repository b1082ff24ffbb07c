"""End-to-end ingestion benchmark over Reuters-21578 (issue: performance and scale).

Usage: python bench/ingest_bench.py [--limit N] [--workers W] [--skip-jsonl] [--keep DIR]

Builds the corpus with ../shared/tools/reuters_to_raw.py into a temporary raw/ (one .json file
per article, and once as .jsonl batches), then for each variant ingests into an empty warehouse
and reruns with nothing new, each in its own process:

  prefect-json   `accords ingest` through the Prefect flow (embedded API, started by the run)
  plain-json     `accords ingest --no-prefect`: the same pipeline functions in a plain loop
  prefect-jsonl  the Prefect flow over .jsonl batches
  prefect-server the Prefect flow against a `prefect server` started (and idle) beforehand, as
                 scheduled runs under `accords serve` see it

and prints wall time, the run's own duration (from the runs table: excludes interpreter and
Prefect start), articles/s, characters/s, peak RSS (largest process of the run's tree), rows,
Parquet files and bytes per table. Orchestration overhead = prefect run duration / plain - 1,
for the embedded server (which is still finishing its start while the run goes) and for a
running server.
Reuters-21578, Distribution 1.0 (research use).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOOL = ROOT.parent / "shared" / "tools" / "reuters_to_raw.py"
ACCORDS = [sys.executable, "-m", "accords.cli"]


def build_corpus(out: Path, fmt: str, limit: int | None) -> None:
    args = [sys.executable, str(TOOL), str(out), "--format", fmt]
    if limit:
        args += ["--limit", str(limit)]
    subprocess.run(args, check=True, capture_output=True)


# Runs the measured command as its child, so RUSAGE_CHILDREN covers exactly that command and
# its worker processes (the largest of them), not earlier commands of this benchmark.
WRAPPER = (
    "import resource, subprocess, sys; rc = subprocess.call(sys.argv[1:]); "
    "ru = resource.getrusage(resource.RUSAGE_CHILDREN); "
    "print(f'PEAK_KB={ru.ru_maxrss} CPU_S={ru.ru_utime + ru.ru_stime}', file=sys.stderr); "
    "sys.exit(rc)"
)


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int, float, subprocess.CompletedProcess]:
    """Run a command; return wall seconds, peak RSS in MiB (its largest process), the CPU seconds
    of its whole process tree, and the result."""
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    peak_kb = int(res.stderr.rsplit("PEAK_KB=", 1)[1].split()[0]) if "PEAK_KB=" in res.stderr else 0
    cpu = float(res.stderr.rsplit("CPU_S=", 1)[1].split()[0]) if "CPU_S=" in res.stderr else 0.0
    return wall, peak_kb // 1024, cpu, res


def table_stats(wh: Path) -> dict[str, tuple[int, int, int]]:
    from accords.warehouse import TABLES, read_table, table_files

    stats = {}
    for t in TABLES:
        files = table_files(wh, t)
        rows = read_table(wh, t, []).num_rows if files else 0
        stats[t] = (rows, len(files), sum(f.stat().st_size for f in files))
    return stats


def last_run(wh: Path) -> dict:
    from accords.history import recent_runs

    return recent_runs(wh, 1)[0]


def total_chars(wh: Path) -> int:
    import pyarrow.compute as pc

    from accords.warehouse import read_table

    t = read_table(wh, "articles", ["text_chars"])
    return int(pc.sum(t.column("text_chars")).as_py() or 0)


def variant(name: str, raw: Path, work: Path, extra: list[str], env: dict[str, str],
            server_pgid: int | None = None) -> dict:
    wh = work / f"wh-{name}"
    results = {}
    for phase in ("cold", "rerun"):
        server0 = group_cpu_seconds(server_pgid) if server_pgid else 0.0
        cmd = ACCORDS + ["ingest", "--raw", str(raw), "--warehouse", str(wh), *extra]
        wall, peak, cpu, res = run(cmd, env)
        server_cpu = group_cpu_seconds(server_pgid) - server0 if server_pgid else 0.0
        if res.returncode != 0:
            print(res.stdout, res.stderr, file=sys.stderr)
            raise SystemExit(f"{name} {phase} failed")
        row = last_run(wh)
        results[phase] = {"wall": wall, "peak_mib": peak, "run_s": row["duration_s"], "row": row,
                          "cpu_s": cpu, "server_cpu_s": server_cpu}
    results["chars"] = total_chars(wh)
    results["tables"] = table_stats(wh)
    results["wh"] = wh
    return results


def report(name: str, r: dict) -> None:
    arts = r["cold"]["row"]["articles_written"]
    print(f"\n== {name}")
    for phase in ("cold", "rerun"):
        p = r[phase]
        row = p["row"]
        rate = f"{arts / p['wall']:.0f} articles/s, {r['chars'] / p['wall'] / 1e6:.2f} M chars/s (wall)" \
            if phase == "cold" else f"{row['files_unchanged']} files unchanged"
        server = f" + server {p['server_cpu_s']:.1f} s" if p["server_cpu_s"] else ""
        print(f"  {phase:5s} wall {p['wall']:7.2f} s  run {p['run_s']:7.2f} s  "
              f"peak RSS {p['peak_mib']:5d} MiB  CPU {p['cpu_s']:6.1f} s{server}  {rate}")
    print(f"  articles {arts}, characters {r['chars']:,}")
    print(f"  {'table':12s} {'rows':>10s} {'files':>6s} {'bytes':>12s}")
    for t, (rows, files, size) in r["tables"].items():
        print(f"  {t:12s} {rows:10d} {files:6d} {size:12,d}")


def duckdb_query(wh: Path) -> None:
    try:
        import duckdb
    except ImportError:
        print("\n(duckdb not installed: notebook-style query skipped)")
        return
    sql = f"""
        with a as (select * from read_parquet('{wh}/agreements/*.parquet')),
             ar as (select article_id, published from read_parquet('{wh}/articles/*.parquet'))
        select date_trunc('month', ar.published) as month, f.field, p.party, count(*) as n
        from a join ar using (article_id), unnest(a.fields) as f(field), unnest(a.parties) as p(party)
        group by all order by n desc
    """
    con = duckdb.connect()
    t0 = time.perf_counter()
    rows = con.execute(sql).fetchall()
    print(f"\nnotebook-style query (agreements per field and party by month, DuckDB): "
          f"{time.perf_counter() - t0:.3f} s, {len(rows)} groups")


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds used so far by the live processes of a process group (from /proc)."""
    total = 0
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid:
                total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def settled_server(home: Path) -> tuple[object, str]:
    """Start `prefect server start` (as `accords serve` does); wait until it is healthy and idle.

    After /api/health answers, the server still spends seconds of CPU starting its services;
    measured against a run, that would be the server's start, not orchestration.
    """
    from accords.server import LocalServer, free_port

    server = LocalServer(home, free_port())
    api_url = server.start()
    pgid = server.proc.pid  # type: ignore[union-attr]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        before = group_cpu_seconds(pgid)
        time.sleep(2.0)
        if group_cpu_seconds(pgid) - before < 0.2:  # under 10% of one core
            break
    return server, api_url


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="articles (default: all 19,043)")
    ap.add_argument("--workers", type=int, default=0, help="extraction processes (0: one per core)")
    ap.add_argument("--skip-jsonl", action="store_true")
    ap.add_argument("--skip-prefect", action="store_true")
    ap.add_argument("--keep", type=Path, help="keep corpus and warehouses here")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="accords-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ACCORDS_SETTLE_SECONDS": "0", "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "PREFECT_HOME": str(work / "prefect-home"), "PREFECT_LOGGING_LEVEL": "WARNING"}
    env.pop("PREFECT_API_URL", None)
    extra = ["--workers", str(args.workers)]
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}; work dir {work}")
    t0 = time.perf_counter()
    raw_json, raw_jsonl = work / "raw-json", work / "raw-jsonl"
    if not raw_json.exists():
        build_corpus(raw_json, "json", args.limit)
    if not args.skip_jsonl and not raw_jsonl.exists():
        build_corpus(raw_jsonl, "jsonl", args.limit)
    print(f"corpus built in {time.perf_counter() - t0:.1f} s: {len(list(raw_json.iterdir()))} .json files")
    results = {}
    results["plain-json"] = variant("plain-json", raw_json, work, [*extra, "--no-prefect"], env)
    report("plain-json (no Prefect)", results["plain-json"])
    if not args.skip_prefect:
        results["prefect-json"] = variant("prefect-json", raw_json, work, extra, env)
        report("prefect-json (Prefect flow, embedded API)", results["prefect-json"])
        if not args.skip_jsonl:
            results["prefect-jsonl"] = variant("prefect-jsonl", raw_jsonl, work, extra, env)
            report("prefect-jsonl (Prefect flow, .jsonl batches)", results["prefect-jsonl"])
        server, api_url = settled_server(work / "prefect-server-home")
        try:
            results["prefect-server"] = variant("prefect-server", raw_json, work, extra,
                                                {**env, "PREFECT_API_URL": api_url},
                                                server_pgid=server.proc.pid)  # type: ignore[attr-defined]
        finally:
            server.stop()  # type: ignore[attr-defined]
        report("prefect-server (Prefect flow, running `prefect server`, as `accords serve` uses)",
               results["prefect-server"])
        plain = results["plain-json"]["cold"]["run_s"]
        print()
        for name, what in (("prefect-json", "embedded server starting with the run"),
                           ("prefect-server", "server already running")):
            pref = results[name]["cold"]["run_s"]
            print(f"orchestration overhead, {what}: {pref:.2f} s vs {plain:.2f} s plain = "
                  f"{100 * (pref / plain - 1):+.1f}%")
        # CPU is steadier than wall time on a shared machine: the flow's whole process tree
        # (plus the server's CPU during the run) against the plain loop's, cold runs.
        c_plain = results["plain-json"]["cold"]["cpu_s"]
        c = results["prefect-server"]["cold"]
        c_flow = c["cpu_s"] + c["server_cpu_s"]
        print(f"CPU overhead, server already running: {c_flow:.1f} s (flow {c['cpu_s']:.1f} + server "
              f"{c['server_cpu_s']:.1f}) vs {c_plain:.1f} s plain = {100 * (c_flow / c_plain - 1):+.1f}%")
    duckdb_query(results["plain-json"]["wh"])
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
