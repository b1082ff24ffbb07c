"""Run the fault-injection suites and render what they measured as the table in docs/reliability.md.

    .venv/bin/python bench/fault_table.py            # print the table
    .venv/bin/python bench/fault_table.py --write    # also replace the table in docs/reliability.md

Every row comes from a ``record_fault`` call in tests/test_reliability.py or
tests/test_fault_crash.py, made after the test's assertions passed; nothing here is typed in.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
START, END = "<!-- fault-table:start -->", "<!-- fault-table:end -->"
SUITES = ["tests/test_reliability.py", "tests/test_fault_crash.py"]
GROUPS = ["bad input", "bad records", "vanishing files", "huge input", "crash", "disk", "concurrency",
          "security"]


def run_suites() -> tuple[list[dict], str, float]:
    """Run the suites with FAULT_TABLE_OUT set; return the reports, pytest's summary line, seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "faults.jsonl"
        env = {**os.environ, "FAULT_TABLE_OUT": str(out)}
        t0 = time.monotonic()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUITES],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.monotonic() - t0
        lines = [ln for ln in done.stdout.splitlines() if ln.strip()]
        summary = lines[-1] if lines else done.stderr.strip()[-200:]
        if done.returncode != 0:
            print(done.stdout[-4000:], file=sys.stderr)
            raise SystemExit(f"the fault suites failed: {summary}")
        reports = [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]
    return reports, summary, seconds


def render(reports: list[dict], summary: str, seconds: float) -> str:
    """The markdown table plus totals."""
    order = {g: i for i, g in enumerate(GROUPS)}
    reports = sorted(reports, key=lambda r: (order.get(r["group"], 99), r["fault"]))
    lines = ["| # | group | fault or input | what the pipeline did | rows lost | rows duplicated |",
             "|---|---|---|---|---|---|"]
    for i, r in enumerate(reports, 1):
        cells = [str(i), r["group"], r["fault"], r["behaviour"], str(r["lost_rows"]),
                 str(r["duplicate_rows"])]
        lines.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", "\\n") for c in cells) + " |")
    lost = sum(r["lost_rows"] for r in reports)
    dups = sum(r["duplicate_rows"] for r in reports)
    lines += ["", f"**{len(reports)} faults, {lost} rows lost, {dups} rows duplicated.** Measured by "
              f"`bench/fault_table.py` on {platform.system()} {platform.machine()}, Python "
              f"{platform.python_version()}, {os.cpu_count()} cores: `{summary}` "
              f"({seconds:.0f} s wall for both suites)."]
    return "\n".join(lines)


def main() -> int:
    """Run, print and optionally write the table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--write", action="store_true", help=f"replace the table in {DOC.relative_to(ROOT)}")
    args = ap.parse_args()
    table = render(*run_suites())
    print(table)
    if args.write:
        text = DOC.read_text(encoding="utf-8")
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        DOC.write_text(f"{head}{START}\n{table}\n{END}{tail}", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
