"""Peak RSS of one large single-article file (issue 16): a 45 MB .txt or a 40 MB HTML page.

Usage: python bench/large_inputs.py txt|html

Writes the file into a fresh raw/, ingests it with ``accords ingest --no-prefect`` (one worker)
in a subprocess and prints the wall time and the peak RSS of the command's process tree.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from jsonl_bench import ROOT, run_cli  # noqa: E402

PARAGRAPH = "Chile and Peru signed a trade agreement in Lima on Monday, officials said. " * 12 + "\n\n"


def write_input(raw: Path, kind: str) -> Path:
    """One 45 MB plain-text article, or one 40 MB HTML page of paragraphs."""
    if kind == "txt":
        path = raw / "big.txt"
        path.write_text("A very long report\n\n" + PARAGRAPH * (45_000_000 // len(PARAGRAPH)))
    else:
        path = raw / "big.html"
        count = 40_000_000 // (len(PARAGRAPH) + 12)
        body = "".join(f"<p>{PARAGRAPH.strip()} {i}</p>\n" for i in range(count))
        path.write_text(f"<html><head><title>Long page</title></head><body><article>{body}</article>"
                        "</body></html>")
    os.utime(path, (1_600_000_000, 1_600_000_000))
    return path


def main() -> int:
    kind = sys.argv[1] if len(sys.argv) > 1 else "txt"
    work = Path(tempfile.mkdtemp(prefix="accords-large-"))
    raw = work / "raw"
    raw.mkdir()
    path = write_input(raw, kind)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORDS_")}
    env.update(ACCORDS_SETTLE_SECONDS="0", ACCORDS_WORKERS="1", PYTHONPATH=str(ROOT))
    args = ["ingest", "--no-prefect", "--raw", str(raw), "--warehouse", str(work / "wh")]
    try:
        took, peak, _ = run_cli(args, env)
    finally:
        size = path.stat().st_size
        shutil.rmtree(work, ignore_errors=True)
    print(f"{kind}: {size / 1e6:.1f} MB file, {took:.1f} s, peak RSS {peak / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
