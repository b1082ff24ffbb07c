"""One JSON Lines export at the size cap, ingested cold (issue 16: bounded memory for big .jsonl).

Usage: python bench/jsonl_bench.py [--mb 49.9] [--modes flow,no-prefect] [--workers 2] [--batch-lines N]

Writes a .jsonl of short invented news articles just under the 50 MB file cap, then for each
mode ingests it into a fresh warehouse with the CLI in a subprocess (``accords ingest`` through
the Prefect flow, and ``--no-prefect``), and prints: wall time, articles/s, the peak RSS of the
CLI's process tree (the sum over the process and its workers, sampled from /proc every 0.1 s)
and the largest single process's peak (``getrusage(RUSAGE_CHILDREN).ru_maxrss``). It checks that
every line's article is in the warehouse and that a rerun writes nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from accords.warehouse import read_table  # noqa: E402

COUNTRIES = ["Chile", "Peru", "Kenya", "Norway", "Japan", "Egypt", "Brazil", "India", "Ghana", "Oman",
             "Mexico", "Canada", "France", "Spain", "Italy", "Poland", "Vietnam", "Nigeria", "Chad", "Fiji"]
TOPICS = ["fisheries", "tourism", "trade", "energy", "railways", "education", "health", "water"]
GIB = 1 << 30


def write_export(path: Path, max_bytes: int) -> int:
    """Write short invented articles, one JSON object a line, up to ``max_bytes``; return the count."""
    n = size = 0
    with path.open("w", encoding="utf-8") as fh:
        while True:
            a, b = COUNTRIES[n % 20], COUNTRIES[(n * 7 + 3) % 20]
            if a == b:
                b = COUNTRIES[(n + 1) % 20]
            topic = TOPICS[n % 8]
            line = (f'{{"title": "Wire {n}", "published": "2024-{n % 12 + 1:02d}-{n % 28 + 1:02d}", '
                    f'"text": "{a} and {b} discussed {topic} cooperation on day {n}. Officials from both '
                    f'sides met in the capital and agreed to continue talks."}}\n')
            if size + len(line) > max_bytes:
                return n
            fh.write(line)
            size += len(line)
            n += 1


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * page
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


def run_cli(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run the CLI; return (seconds, peak tree RSS in bytes, output)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "accords.cli", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    done.set()
    sampler.join()
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"accords {' '.join(args)} failed ({proc.returncode}):\n{out[-3000:]}")
    return took, peak, out


def bench_mode(mode: str, raw: Path, work: Path, expected: int, env: dict[str, str]) -> bool:
    """Cold ingest and a rerun in one mode; print the figures; True when every check passed."""
    wh = work / f"wh-{mode}"
    args = ["ingest", "--raw", str(raw), "--warehouse", str(wh)]
    if mode == "no-prefect":
        args.append("--no-prefect")
    took, tree_peak, _ = run_cli(args, env)
    single_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # the largest so far
    ids = read_table(wh, "articles", ["source_path"]).column("source_path").to_pylist()
    want = {f"news.jsonl#{i}" for i in range(1, expected + 1)}
    all_in = len(ids) == expected and set(ids) == want
    before = {t: read_table(wh, t).num_rows for t in ("articles", "entities", "mentions", "quarantine")}
    rerun_took, rerun_peak, _ = run_cli(args, env)
    after = {t: read_table(wh, t).num_rows for t in before}
    last = max(read_table(wh, "runs").to_pylist(), key=lambda r: r["started_at"])
    rerun_empty = after == before and last["articles_written"] == 0 and last["files_unchanged"] == 1
    print(f"{mode:>10}: {expected:,} articles in {took:.1f} s = {expected / took:,.0f} articles/s; "
          f"peak RSS {tree_peak / 2**20:,.0f} MiB (process tree), largest process so far "
          f"{single_peak / 2**20:,.0f} MiB; every line's article present: {all_in}")
    print(f"{'':>10}  rerun: {rerun_took:.1f} s, peak RSS {rerun_peak / 2**20:,.0f} MiB, wrote nothing: "
          f"{rerun_empty}")
    ok = all_in and rerun_empty and tree_peak <= GIB
    shutil.rmtree(wh, ignore_errors=True)
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mb", type=float, default=49.9, help="size of the export in MB (cap: 50)")
    ap.add_argument("--modes", default="flow,no-prefect")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--batch-lines", type=int, help="ACCORDS_JSONL_BATCH_LINES (default: the setting's)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="accords-jsonl-"))
    raw = work / "raw"
    raw.mkdir()
    export = raw / "news.jsonl"
    n = write_export(export, int(args.mb * 1_000_000))
    os.utime(export, (1_600_000_000, 1_600_000_000))
    print(f"export: {export.stat().st_size / 1e6:.1f} MB, {n:,} articles, {args.workers} workers, "
          f"{os.cpu_count()} CPUs")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORDS_")}
    env.update(ACCORDS_SETTLE_SECONDS="0", ACCORDS_WORKERS=str(args.workers),
               PREFECT_HOME=env.get("PREFECT_HOME", str(work / "prefect")),
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p))
    if args.batch_lines:
        env["ACCORDS_JSONL_BATCH_LINES"] = str(args.batch_lines)
    ok = True
    try:
        for mode in args.modes.split(","):
            ok &= bench_mode(mode, raw, work, n, env)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("all checks passed" if ok else "a check FAILED (or peak RSS above 1 GiB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
