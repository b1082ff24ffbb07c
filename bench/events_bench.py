"""What agreement events cost a cold ingest (issue 12): the same run with and without them.

Usage: python bench/events_bench.py RAW_DIR [--repeat N] [--workers W]

Each repetition ingests RAW_DIR (e.g. the Reuters corpus from ../shared/tools/reuters_to_raw.py)
into an empty warehouse with `accords ingest --no-prefect`, once as shipped and once with
``runner.stage_events`` replaced by a no-op (no event tables), alternating, each in its own
process. Prints the run's own duration (runs.duration_s) and the wall time of each, the time
spent in ``stage_events`` (timed inside the run), the event rows written, and the overhead:
median duration with events / median without - 1.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Runs one cold ingest in this process, with events timed or switched off; prints a JSON line.
CHILD = r"""
import json, sys, time
import accords.runner as runner
from accords.cli import main
from accords.warehouse import read_table
mode, raw, wh, workers = sys.argv[1:5]
spent = [0.0]
real = runner.stage_events
def timed(*args, **kwargs):
    t = time.perf_counter()
    try:
        return real(*args, **kwargs)
    finally:
        spent[0] += time.perf_counter() - t
runner.stage_events = timed if mode == "events" else (lambda *args, **kwargs: 0)
rc = main(["ingest", "--no-prefect", "--raw", raw, "--warehouse", wh, "--workers", workers])
run = read_table(wh, "runs").to_pylist()[-1]
print(json.dumps({"rc": rc, "duration_s": run["duration_s"], "status": run["status"],
                  "agreements": run["agreements_written"], "events_s": spent[0],
                  "events": read_table(wh, "agreement_events").num_rows}))
"""


def one(mode: str, raw: Path, workers: int) -> dict:
    """One cold ingest in a fresh warehouse and process; its figures."""
    wh = Path(tempfile.mkdtemp(prefix=f"events-bench-{mode}-"))
    try:
        start = time.perf_counter()
        cmd = [sys.executable, "-c", CHILD, mode, str(raw), str(wh / "warehouse"), str(workers)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["wall_s"] = time.perf_counter() - start
        return result
    finally:
        shutil.rmtree(wh, ignore_errors=True)


def main() -> None:
    """Run the comparison and print it."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("raw", type=Path)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--workers", type=int, default=0)
    args = ap.parse_args()
    runs: dict[str, list[dict]] = {"events": [], "no-events": []}
    for i in range(args.repeat):
        for mode in (("events", "no-events") if i % 2 == 0 else ("no-events", "events")):
            r = one(mode, args.raw, args.workers)
            runs[mode].append(r)
            print(f"{mode:10s} run {i + 1}: duration {r['duration_s']:.1f} s, wall {r['wall_s']:.1f} s, "
                  f"stage_events {r['events_s']:.2f} s, {r['agreements']} agreements -> {r['events']} events "
                  f"({r['status']})", flush=True)
    med = {m: statistics.median(r["duration_s"] for r in rs) for m, rs in runs.items()}
    wall = {m: statistics.median(r["wall_s"] for r in rs) for m, rs in runs.items()}
    inside = statistics.median(r["events_s"] for r in runs["events"])
    print(f"median duration: events {med['events']:.1f} s, no events {med['no-events']:.1f} s, "
          f"overhead {100 * (med['events'] / med['no-events'] - 1):+.1f}%")
    print(f"median wall: events {wall['events']:.1f} s, no events {wall['no-events']:.1f} s, "
          f"overhead {100 * (wall['events'] / wall['no-events'] - 1):+.1f}%")
    print(f"stage_events itself: {inside:.2f} s = {100 * inside / med['no-events']:.1f}% of the run")


if __name__ == "__main__":
    main()
