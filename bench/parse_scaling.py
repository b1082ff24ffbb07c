"""How HTML parsing time grows with page size (moved here from a timing assertion in the tests).

Usage: python bench/parse_scaling.py [--small N] [--factor F] [--repeat R] [--max-ratio X]

Parses a generated report of N paragraphs and one of N*F paragraphs with ``accords.parse.parse_file``
(trafilatura plus lxml, as ingestion does), keeps the best of R runs of each, and prints both times
and their ratio. Linear growth gives a ratio near F; with ``--max-ratio`` the script exits 1 when
the ratio is above X (``--max-ratio 3`` for F=2 leaves room for a busy machine, not for quadratic
growth).
"""

from __future__ import annotations

import argparse
import sys
import time

from accords.parse import parse_file


def report(paragraphs: int) -> bytes:
    body = "".join(f"<p>Paragraph {i} of a long report on talks between two delegations.</p>"
                   for i in range(paragraphs))
    return f"<html><body><article>{body}</article></body></html>".encode()


def best_time(data: bytes, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        parse_file(data, "big.html")
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=5000, help="paragraphs in the smaller page")
    ap.add_argument("--factor", type=int, default=2, help="the larger page has this many times more")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--max-ratio", type=float, default=None)
    args = ap.parse_args(argv)
    parse_file(report(10), "warm.html")  # imports and caches out of the measurement
    small, large = args.small, args.small * args.factor
    t_small = best_time(report(small), args.repeat)
    t_large = best_time(report(large), args.repeat)
    ratio = t_large / t_small
    print(f"{small:>8} paragraphs  {t_small:8.3f} s")
    print(f"{large:>8} paragraphs  {t_large:8.3f} s")
    print(f"ratio {ratio:.2f} for {args.factor}x the size (linear: ~{args.factor})")
    if args.max_ratio is not None and ratio > args.max_ratio:
        print(f"ratio above {args.max_ratio}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
