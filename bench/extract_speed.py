"""Extractor throughput on one core over Reuters-21578 articles (issue: extraction speed).

Usage: python bench/extract_speed.py [--limit N] [--repeat R]

Builds N articles with ../shared/tools/reuters_to_raw.py, then times ``accords.extract.extract``
(entities, mentions, agreements, meetings; no I/O, no validation) in this single process and prints
characters per second, plus the entity stage and the meeting pass separately, and how time grows
with article length (one synthetic long article made by concatenating real ones).
Reuters-21578, Distribution 1.0 (research use).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from accords.extract import extract
from accords.extract.entities import extract_entities
from accords.extract.meetings import extract_meetings
from accords.ids import canonical_text

TOOL = Path(__file__).resolve().parent.parent.parent / "shared" / "tools" / "reuters_to_raw.py"


def load(limit: int) -> list[tuple[str, str | None]]:
    out = Path(tempfile.mkdtemp(prefix="accords-speed-"))
    subprocess.run(
        [
            sys.executable,
            str(TOOL),
            str(out),
            "--limit",
            str(limit),
            "--format",
            "jsonl",
            "--per-file",
            str(limit),
        ],
        check=True,
        capture_output=True,
    )
    docs = []
    for f in sorted(out.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            d = json.loads(line)
            docs.append((canonical_text(d["text"]), d.get("title")))
    return docs


def best_of(repeat: int, fn) -> float:  # noqa: ANN001
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    docs = load(args.limit)
    chars = sum(len(t) for t, _ in docs)
    extract(*docs[0])  # warm up lazily built tables
    full = best_of(args.repeat, lambda: [extract(t, title) for t, title in docs])
    ents = best_of(args.repeat, lambda: [extract_entities(t, title) for t, title in docs])
    staged = [(t, title, *extract_entities(t, title)) for t, title in docs]
    meets = best_of(
        args.repeat, lambda: [extract_meetings(t, title, None, e, m, []) for t, title, e, m in staged]
    )
    print(f"{len(docs)} Reuters articles, {chars:,} characters (CPU time, best of {args.repeat})")
    for label, secs in (
        ("extract (entities, mentions, agreements, meetings)", full),
        ("entities + mentions only", ents),
        ("meetings pass only (given the entities)", meets),
    ):
        print(f"  {label + ':':52s} {secs:6.2f} s  {chars / secs:>12,.0f} chars/s")
    print("growth with article length (one article made of consecutive real ones):")
    for target in (10_000, 50_000, 200_000):
        text, n = "", 0
        while len(text) < target and n < len(docs):
            text += docs[n][0] + "\n\n"
            n += 1
        t = best_of(1, lambda text=text: extract(text))
        print(f"  {len(text):>8,} chars: {t:6.2f} s  {len(text) / t:>12,.0f} chars/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
