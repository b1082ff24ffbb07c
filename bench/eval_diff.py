"""Per-document errors of the extractor against a gold folder, for extractor work.

Usage: python bench/eval_diff.py DOCS_DIR GOLD_DIR [--only NAME_SUBSTRING] [--agreements|--entities]

Runs the parser and extractor over each document (as bench/dev_eval.py does) and prints, per
document, the entities missed and invented per type (compared the way ../shared/eval/score.py
compares them: normalised names and aliases) and the extracted agreements beside the gold ones.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
from pathlib import Path

from accords.extract import extract
from accords.parse import parse_file

HERE = Path(__file__).resolve().parent
SCORE = HERE.parent.parent / "shared" / "eval" / "score.py"
TYPES = {"PERSON": "persons", "ORGANIZATION": "organizations", "LOCATION": "locations"}


def _scorer():  # noqa: ANN202
    spec = importlib.util.spec_from_file_location("score", SCORE)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def _agreement(a: dict) -> str:
    return (
        f"{a.get('kind')}/{a.get('status')} parties={sorted(a.get('parties') or [])} "
        f"fields={sorted(a.get('fields') or [])}"
    )


def main() -> int:
    """Print each document's entity and agreement differences."""
    ap = argparse.ArgumentParser()
    ap.add_argument("docs", type=Path)
    ap.add_argument("gold", type=Path)
    ap.add_argument("--only", default="")
    ap.add_argument("--agreements", action="store_true", help="agreements only")
    ap.add_argument("--entities", action="store_true", help="entities only")
    ap.add_argument("--meetings", action="store_true", help="meetings only, with their scores")
    ap.add_argument("--docs-range", default="", help="FIRST-LAST: only gold files whose number is in range")
    args = ap.parse_args()
    sc = _scorer()
    counts = {k: [0, 0, 0] for k in ("meetings", "meetings_any_kind", "meeting_participants")}
    acc = {k: [0, 0] for k in ("status", "location", "date")}
    for gf in sorted(args.gold.glob("*.json")):
        gold = json.loads(gf.read_text(encoding="utf-8"))
        if args.only not in gold["doc"] or not _in_range(gold["doc"], args.docs_range):
            continue
        doc = args.docs / gold["doc"]
        ents, agrs, meets = [], [], []
        for art in parse_file(doc.read_bytes(), doc.name).articles:
            result = extract(art.text, title=art.title, published=art.published)
            ents += [e.__dict__ if hasattr(e, "__dict__") else dict(e) for e in result.entities]
            agrs += [a.__dict__ if hasattr(a, "__dict__") else dict(a) for a in result.agreements]
            meets += result.meetings
        print(f"=== {gold['doc']}")
        if args.meetings:
            _print_meetings(sc, meets, gold, counts, acc)
            continue
        if not args.agreements:
            for etype, key in TYPES.items():
                system = [
                    (e.get("name"), {sc.norm(n) for n in [e.get("name"), *(e.get("aliases") or [])] if n})
                    for e in ents
                    if e.get("type") == etype
                ]
                golds = [{sc.norm(n) for n in aliases} for aliases in gold.get(key, [])]
                hit = set()
                fps = []
                for name, aliases in system:
                    j = next((i for i, g in enumerate(golds) if i not in hit and aliases & g), None)
                    if j is None:
                        fps.append(name)
                    else:
                        hit.add(j)
                fns = [gold[key][i][0] for i in range(len(golds)) if i not in hit]
                if fps or fns:
                    print(f"  {key}: FP {fps}  FN {fns}")
            codes = {str(e.get("country_code") or "") for e in ents if e.get("type") == "COUNTRY"} - {""}
            gc = set(gold.get("countries", []))
            if codes != gc:
                print(f"  countries: FP {sorted(codes - gc)}  FN {sorted(gc - codes)}")
        if not args.entities:
            print("  system agreements:")
            for a in agrs:
                print(f"    {_agreement(a)}  | {str(a.get('evidence'))[:90]!r}")
            print("  gold agreements:")
            for g in gold.get("agreements", []):
                print(f"    {_agreement(g)}  | {str(g.get('evidence'))[:90]!r}")
    if args.meetings:
        for k, (tp, fp, fn) in counts.items():
            p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
            f1 = 2 * p * r / max(p + r, 1e-9)
            print(f"{k:22s} P={p:.3f} R={r:.3f} F1={f1:.3f}  (tp={tp} fp={fp} fn={fn})")
        print("status/location/date accuracy", [round(a / n, 3) if n else None for a, n in acc.values()])
    return 0


def _in_range(doc: str, spec: str) -> bool:
    """True when ``spec`` is empty or the number in ``doc`` ("mfa-012.json") lies in FIRST-LAST."""
    if not spec:
        return True
    num = re.search(r"(\d+)", doc)
    lo, hi = (int(x) for x in spec.split("-"))
    return bool(num) and lo <= int(num.group(1)) <= hi


def _meeting(m: dict) -> str:
    return (
        f"{m.get('kind')}/{m.get('status')} {m.get('participants')} {m.get('countries')} "
        f"@{m.get('location')} {m.get('date')}"
    )


def _print_meetings(sc, meets: list[dict], gold: dict, counts: dict, acc: dict) -> None:  # noqa: ANN001
    """Print a document's system and gold meetings and add them to the running scores."""
    before = counts["meetings"][:]
    sc.match_meetings(meets, gold, counts, acc)
    tp = counts["meetings"][0] - before[0]
    print(f"  meetings: {tp} matched of {len(meets)} system / {len(gold.get('meetings', []))} gold")
    for m in meets:
        print(f"    S {_meeting(m)}  | {m['evidence'][:80]!r}")
    for g in gold.get("meetings", []):
        print(f"    G {_meeting(g)}  | {g['evidence'][:80]!r}")


if __name__ == "__main__":
    raise SystemExit(main())
