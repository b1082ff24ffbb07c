"""Score the extractor alone on the dev set, without Prefect or the warehouse writer.

Usage: python bench/dev_eval.py [DOCS_DIR] [GOLD_DIR] [--keep DIR]

Runs ``flows.extract.extract`` over every .json article in DOCS_DIR, writes the three tables
the scorer reads (articles, entities, agreements) as Parquet into a temporary directory and
prints ../shared/eval/score.py's report. The real pipeline gives the same numbers; this is
only a faster loop for extractor work.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from flows.extract import extract
from flows.ids import article_id, canonical_text

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared" / "eval"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("docs", nargs="?", type=Path, default=SHARED / "dev" / "docs")
    ap.add_argument("gold", nargs="?", type=Path, default=SHARED / "dev" / "gold")
    ap.add_argument("--keep", type=Path, help="write the tables here instead of a temp dir")
    args = ap.parse_args()
    arts, ents, agrs = [], [], []
    for f in sorted(args.docs.glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        text = canonical_text(doc.get("text") or "")
        pub = doc.get("published")
        published = date.fromisoformat(pub[:10]) if pub else None
        aid = article_id(text)
        res = extract(text, doc.get("title"), published)
        arts.append({"article_id": aid, "source_path": f.name})
        ents += [{**e, "article_id": aid} for e in res.entities]
        agrs += [{**a, "article_id": aid} for a in res.agreements]
    out = args.keep or Path(tempfile.mkdtemp(prefix="accords-dev-"))
    for name, rows in (("articles", arts), ("entities", ents), ("agreements", agrs)):
        (out / name).mkdir(parents=True, exist_ok=True)
        if rows:
            pq.write_table(pa.Table.from_pylist(rows), out / name / "part-0.parquet")
    return subprocess.call([sys.executable, str(SHARED / "score.py"), str(args.gold), str(out)])


if __name__ == "__main__":
    sys.exit(main())
