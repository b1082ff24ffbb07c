"""Score the extractor alone on the dev set, without Prefect or the warehouse writer.

Usage: python bench/dev_eval.py [DOCS_DIR] [GOLD_DIR] [--keep DIR]

Parses every article file in DOCS_DIR with the real parser (``accords.parse``), runs
``accords.extract.extract`` over each article, writes the four tables
the scorer reads (articles, entities, agreements, meetings) as Parquet into a temporary directory and
prints ../shared/eval/score.py's report. The real pipeline gives the same numbers; this is
only a faster loop for extractor work.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from accords.extract import extract
from accords.ids import article_id
from accords.parse import parse_file
from accords.tables import to_arrow

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "eval"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("docs", nargs="?", type=Path, default=SHARED / "dev" / "docs")
    ap.add_argument("gold", nargs="?", type=Path, default=SHARED / "dev" / "gold")
    ap.add_argument("--keep", type=Path, help="write the tables here instead of a temp dir")
    args = ap.parse_args()
    arts, ents, agrs, meets = [], [], [], []
    for f in sorted(p for p in args.docs.iterdir() if p.is_file()):
        for art in parse_file(f.read_bytes(), f.name).articles:
            aid = article_id(art.text)
            res = extract(art.text, art.title, art.published)
            arts.append({"article_id": aid, "source_path": f.name})
            ents += [{**e, "article_id": aid} for e in res.entities]
            agrs += [{**a, "article_id": aid} for a in res.agreements]
            meets += [{**m, "article_id": aid} for m in res.meetings]
    out = args.keep or Path(tempfile.mkdtemp(prefix="accords-dev-"))
    for name, rows in (("articles", arts), ("entities", ents), ("agreements", agrs), ("meetings", meets)):
        (out / name).mkdir(parents=True, exist_ok=True)
        if rows:
            # Meetings with the warehouse's column types: an all-null column (date) stays a date.
            table = to_arrow(name, rows) if name == "meetings" else pa.Table.from_pylist(rows)
            pq.write_table(table, out / name / "part-0.parquet")
    return subprocess.call([sys.executable, str(SHARED / "score.py"), str(args.gold), str(out)])


if __name__ == "__main__":
    sys.exit(main())
