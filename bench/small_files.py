"""Small-file growth and compaction (issue: performance and scale).

Usage: python bench/small_files.py [--runs 200]

Ingests one new small article per run, N runs in a row (automatic compaction off), prints the
Parquet files per table, then runs `compact` and prints them again, with the time each took and
a check that no row was lost or duplicated.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from accords.runner import run_compact, run_ingest
from accords.settings import Settings
from accords.warehouse import TABLES, read_table, table_files

COUNTRIES = ["Chile", "Peru", "Kenya", "Norway", "Japan", "Egypt", "Brazil", "India", "Ghana", "Oman"]


def files_per_table(wh: Path) -> str:
    return ", ".join(f"{t} {len(table_files(wh, t))}" for t in TABLES)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=200)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="accords-small-"))
    raw = work / "raw"
    raw.mkdir()
    settings = replace(Settings(raw_dir=raw, warehouse_dir=work / "wh"), settle_seconds=0, workers=1,
                       compact_after_files=0)
    t0 = time.perf_counter()
    for i in range(args.runs):
        a, b = COUNTRIES[i % 10], COUNTRIES[(i * 3 + 1) % 10]
        p = raw / f"note-{i:04d}.txt"
        p.write_text(f"Note {i}\n\nThe foreign ministers of {a} and {b} signed a memorandum of "
                     f"understanding on tourism in Lima, meeting number {i}.\n", encoding="utf-8")
        os.utime(p, (1_600_000_000, 1_600_000_000))
        run_ingest(settings, log=lambda m: None)
    took = time.perf_counter() - t0
    wh = settings.warehouse_dir
    before = {t: read_table(wh, t).num_rows for t in TABLES}
    print(f"{args.runs} single-file runs in {took:.1f} s ({took / args.runs * 1000:.0f} ms per run)")
    print(f"  files per table: {files_per_table(wh)}")
    t0 = time.perf_counter()
    res = run_compact(settings, log=lambda m: None)
    print(f"compact: {res.row['status']} in {time.perf_counter() - t0:.2f} s")
    print(f"  files per table: {files_per_table(wh)}")
    after = {t: read_table(wh, t).num_rows for t in TABLES}
    after["runs"] -= 1  # the compaction's own run row
    ids = read_table(wh, "articles", ["article_id"]).column("article_id").to_pylist()
    print(f"rows per table unchanged by compaction: {before == after}; articles {len(ids)}, "
          f"distinct {len(set(ids))}")
    return 0 if before == after and len(ids) == len(set(ids)) == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
