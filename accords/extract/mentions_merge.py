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

from accords.extract.instruments import clean_parties, heads

_CLASS = {
    "memorandum_of_understanding": "mou",
    "letter_of_intent": "mou",
    "joint_statement": "statement",
    "declaration": "statement",
}
_CAPTION = re.compile(r"^\s*(?:photo|picture|image)s?\b[^:\n]{0,30}[:\-–]|^\s*\(?photo\b", re.I)
_DEFINITE = re.compile(r"^\s*(?:The|This|That)\s+", re.I)
_PLURAL_HEAD = re.compile(
    r"\b(?:MOUs|MoUs|Memorand(?:a|ums)|agreements|treaties|instruments|documents)\b", re.I
)
_ISO3 = re.compile(r"[A-Z]{3}")


def _cls(kind: str) -> str:
    return _CLASS.get(kind, "agreement")


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
    return bool(hs) and hs[0].start() == 0 and not _PLURAL_HEAD.fullmatch(hs[0].group())


def _person_fragment(party: str, persons: list[str]) -> bool:
    return any(
        len(p) > 3 and (p in party or party in p and len(party) > 3) for p in persons
    ) and not _ISO3.fullmatch(party)


def merge_mentions(records: list[dict], pair: tuple[str, str] | None, persons: list[str]) -> list[dict]:
    """Records with cleaned parties and repeated mentions folded into the first (order kept)."""
    for r in records:
        parties = [p for p in r["parties"] if not _person_fragment(p, persons)]
        r["parties"] = clean_parties(parties, pair)
    out: list[dict] = []
    for r in records:
        earlier = [o for o in out if _cls(o["kind"]) == _cls(r["kind"]) and _same_sides(o, r)]
        if earlier and _CAPTION.match(r["evidence"]):
            continue
        if earlier and _definite_reference(r):
            first = earlier[0]
            if _PLURAL_HEAD.search(first["evidence"]) and not first.get("_individuated", 0) >= _count(first):
                first["_individuated"] = first.get("_individuated", 0) + 1
                r["status"] = first["status"]  # "three MOUs were signed ... The MOU on X will ..."
            elif not _PLURAL_HEAD.search(first["evidence"]):
                first["fields"] = first["fields"] + [f for f in r["fields"] if f not in first["fields"]]
                continue
        out.append(r)
    # A counted group every member of which was named later is no record of its own.
    out = [r for r in out if not r.get("_individuated", 0) >= _count(r)]
    for r in out:
        r.pop("_individuated", None)
    return out


_NUMBERS = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}


def _count(rec: dict) -> int:
    # "signed three Memoranda of Understanding": how many instruments the group holds (default 9).
    m = re.search(
        r"\b(two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(?:\w+\s+){0,2}?(?:MOUs|MoUs|"
        r"Memorand(?:a|ums)|agreements|treaties|instruments|documents)\b",
        rec["evidence"],
        re.I,
    )
    if not m:
        return 9
    w = m.group(1).lower()
    return int(w) if w.isdigit() else _NUMBERS[w]
