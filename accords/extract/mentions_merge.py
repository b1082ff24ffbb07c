"""Second pass over an article's agreement records: clean parties, fold repeated mentions.

Works on the output dicts of ``extract_agreements`` (pure; imports only ``instruments``):
- an instrument's own name, a person's name or a fragment of one is never a party; a lone side
  of the article's bilateral pair gets the other side;
- a photo caption that repeats a signing ("Photo: X signs an MOU ...") is the same instrument;
- a definite reference ("The MOU on the youth programme underscores ...") repeats an earlier
  single instrument of its kind, or individuates an earlier counted group ("signed three MOUs")
  and then takes the group's status.
"""

from __future__ import annotations

import re

from accords.extract.instruments import KIND_CLASS, NUMBER_WORDS, PLURAL_HEAD, clean_parties, heads, is_iso3

_CAPTION = re.compile(r"^\s*(?:photo|picture|image)s?\b[^:\n]{0,30}[:\-–]|^\s*\(?photo\b", re.I)
_DEFINITE = re.compile(r"^\s*(?:The|This|That)\s+", re.I)
# "signed three Memoranda of Understanding": the number before a plural head.
_GROUP_COUNT = re.compile(
    r"\b(" + "|".join(NUMBER_WORDS) + r"|\d{1,2})\s+(?:\w+\s+){0,2}?" + PLURAL_HEAD.pattern, re.I
)


def _cls(kind: str) -> str:
    return KIND_CLASS.get(kind, "agreement")


def _same_sides(a: dict, b: dict) -> bool:
    pa, pb = set(a["parties"]), set(b["parties"])
    return bool(pa) and (pa <= pb or pb <= pa)


def _definite_reference(rec: dict) -> bool:
    # The evidence opens with "The <instrument>": it names an instrument already introduced.
    ev = rec["evidence"]
    m = _DEFINITE.match(ev)
    if not m:
        return False
    hs = heads(ev[m.end() : m.end() + 60])
    return bool(hs) and hs[0].start() == 0 and not PLURAL_HEAD.fullmatch(hs[0].group())


def _person_fragment(party: str, persons: list[str]) -> bool:
    return any(len(p) > 3 and (p in party or party in p and len(party) > 3) for p in persons) and not is_iso3(
        party
    )


def merge_mentions(records: list[dict], pair: tuple[str, str] | None, persons: list[str]) -> list[dict]:
    """Records with cleaned parties and repeated mentions folded into the first (order kept)."""
    for r in records:
        parties = [p for p in r["parties"] if not _person_fragment(p, persons)]
        r["parties"] = clean_parties(parties, pair)
    out: list[dict] = []
    named: dict[int, int] = {}  # id() of a counted group -> how many of its members were named
    for r in records:
        earlier = [o for o in out if _cls(o["kind"]) == _cls(r["kind"]) and _same_sides(o, r)]
        if earlier and _CAPTION.match(r["evidence"]):
            continue
        if earlier and _definite_reference(r):
            first = earlier[0]
            if not PLURAL_HEAD.search(first["evidence"]):
                first["fields"] = first["fields"] + [f for f in r["fields"] if f not in first["fields"]]
                continue
            if named.get(id(first), 0) < _count(first):
                named[id(first)] = named.get(id(first), 0) + 1
                r["status"] = first["status"]  # "three MOUs were signed ... The MOU on X will ..."
        out.append(r)
    # A counted group every member of which was named later is no record of its own.
    return [r for r in out if named.get(id(r), 0) < _count(r)]


def _count(rec: dict) -> int:
    # How many instruments a counted group holds; 9 when the text gives no number.
    m = _GROUP_COUNT.search(rec["evidence"])
    if not m:
        return 9
    w = m.group(1).lower()
    return int(w) if w.isdigit() else NUMBER_WORDS[w]
