"""Signatories of an instrument: the persons who signed it ("signed by X", "the two leaders signed")."""

from __future__ import annotations

import re

from accords.extract.context import Doc, Ent, mentions_in
from accords.extract.status_cues import SIGNED

_WITNESS = re.compile(r"\b(?:witness\w*|presence|attend\w*|oversaw|observed)\b", re.IGNORECASE)
_LEADERS = re.compile(
    r"\b(?:(?:the\s+)?(?:two|both)\s+(?:leaders|presidents|prime\s+ministers|heads\s+of\s+state)|the\s+leaders)\b",
    re.I,
)


def signatories_of(doc: Doc, s0: int, sent: str, c0: int, pos: int, parties: list[str]) -> list[str]:
    """Persons who signed: named subjects before the trigger, "signed by X", or "both leaders"."""
    out: list[str] = []
    pre = sent[c0:pos]
    if not SIGNED.search(sent):
        return out
    for a, _b, e in mentions_in(doc, s0 + c0, s0 + pos):
        if e.type == "PERSON" and not _WITNESS.search(sent[c0 : a - s0]) and e.name not in out:
            out.append(e.name)
    m = re.search(r"\bsigned\s+by\b", sent)
    if m:
        for _a, _b, e in mentions_in(doc, s0 + m.end(), s0 + min(len(sent), m.end() + 160)):
            if e.type == "PERSON" and e.name not in out:
                out.append(e.name)
    if not out and _LEADERS.search(pre):
        leaders = [
            e for e in doc.ents.values()
            if e.type == "PERSON" and e.role and re.search(
                r"president|prime minister|premier|chancellor|king|emir|sultan|leader|head of state",
                e.role, re.I)
        ]  # fmt: skip
        leaders.sort(key=lambda e: (-e.count, e.first))
        chosen: list[Ent] = []
        for e in leaders:
            if e.code and parties and e.code not in parties:
                continue
            if e.code and any(c.code == e.code for c in chosen):
                continue
            chosen.append(e)
            if len(chosen) == 2:
                break
        out = [e.name for e in chosen]
    return out
