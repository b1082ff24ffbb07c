"""Group the gold agreements of eval sets into events and list those of two or more articles.

Usage: python bench/events_gold.py [SET ...]   (default: mfa dev, under ../shared/eval)

The gold has no instrument name, so each record's evidence quote stands in for it; dates are the
articles' ``published``. A check of ``accords.events`` independent of extraction errors
(docs/events.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from accords import events
from accords.ids import stable_id

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"


def main(sets: list[str]) -> None:
    """Print the multi-article events of the gold of ``sets``."""
    reports, source = [], {}
    for name in sets:
        for gold_path in sorted((EVAL / name / "gold").glob("*.json")):
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            doc = EVAL / name / "docs" / gold["doc"]
            meta = json.loads(doc.read_text(encoding="utf-8")) if doc.suffix == ".json" else {}
            published = meta.get("published")
            article = stable_id("gold-article", name, gold["doc"]) * 4
            for i, a in enumerate(gold.get("agreements", [])):
                aid = stable_id("gold", name, gold["doc"], str(i))
                row = {"agreement_id": aid, "article_id": article, "kind": a["kind"], "status": a["status"],
                       "parties": a["parties"], "fields": a.get("fields", []), "name": a.get("evidence"),
                       "evidence": a.get("evidence")}
                reports.append(events.report_from_row(row, published))
                source[aid] = f"{name}/{gold['doc']}"
    evs, links = events.build_events(reports)
    by_id = {r["agreement_id"]: r for r in links}
    multi = [e for e in evs if e["article_count"] >= 2]
    print(f"{len(reports)} gold agreements -> {len(evs)} events, {len(multi)} with two or more articles")
    for e in multi:
        print(f"{e['event_id']} {e['kind']} {e['parties']} furthest {e['status']}")
        for aid in e["agreement_ids"]:
            r = by_id[aid]
            print(f"    {source[aid]} {r['reported']} {r['status']}: {r['name'][:90]!r} <- {r['reason']}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["mfa", "dev"])
