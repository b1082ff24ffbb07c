"""Fields of an agreement: the closed-vocabulary keyword table and the cues that delimit its scope.

``fields_of`` maps a text (an instrument's topic, clause or name) to the fields whose keywords it
holds (``data/agreement_fields.json``). The regular expressions here find the part of a sentence
that states what an instrument covers ("which provides for ...", "to finance ...").
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from accords.extract.context import Doc, mentions_in

_DATA = Path(__file__).resolve().parent / "data" / "agreement_fields.json"
# A descriptive clause that lists what a joint statement / declaration covers.
STATEMENT_SCOPE = re.compile(
    r"(?:,\s*|\s)(?:which|that)\s+(?:covers?|covered|address\w*|sets?\s+out|outlines?|focus\w*\s+on|includ\w*|"
    r"spans?|reaffirm\w*)\b|,\s*(?:covering|including|reaffirming|addressing|setting\s+out|outlining|"
    r"focusing\s+on)\b",
    re.I,
)
# A relative clause that states what an instrument covers (fields when its topic names none).
PROVIDES = re.compile(
    r",?\s*(?:which|that)\s+(?:will\s+)?(?:provides?\s+for|covers?|sets?\s+out|includ\w*|focus\w*\s+on|"
    r"envisag\w*|concerns?)\b",
    re.I,
)
SALE = re.compile(
    r"\b(?<!power\s)(?:sell|sells|selling|sold|sale|buy|buys|bought|purchase\w*|acquir\w*|stake|half\s+of)\b",
    re.I,
)
PURPOSE = re.compile(
    r"\b(?:to\s+(?:finance|fund|develop|build|construct|support|expand|establish|modernise|modernize|upgrade|"
    r"facilitate|promote|include|cover)|for\s+(?:the|a|an)\s+(?!\w+\s+(?:of\s+)?(?:years?|period|months?)\b))[^;:.]{3,100}",
    re.I,
)


def _compile_fields() -> list[tuple[str, re.Pattern[str]]]:
    """Compile the keyword table into one regex per field (longest terms first)."""
    data = json.loads(_DATA.read_text(encoding="utf-8"))["fields"]
    out: list[tuple[str, re.Pattern[str]]] = []
    for fld, terms in data.items():
        alts = []
        for term in sorted(terms, key=len, reverse=True):
            body = re.escape(term.rstrip("*")).replace(r"\ ", r"[\s-]+").replace(r"\-", r"[\s-]?")
            alts.append(body + (r"\w*" if term.endswith("*") else ""))
        out.append((fld, re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])", re.IGNORECASE)))
    return out


FIELD_RES = _compile_fields()


def fields_of(text: str) -> list[str]:
    """Return the closed-vocabulary fields whose keywords occur in ``text`` (vocabulary order).

    Overlapping keywords resolve to the longest one: "economic partnership agreement" is trade
    (not economy), "food security" agriculture (not security), "power purchase" energy (not
    investment). A keyword inside a longer keyword of another field does not count.
    """
    if not text:
        return []
    spans = [(m.start(), m.end(), fld) for fld, rx in FIELD_RES for m in rx.finditer(text)]
    if len(spans) < 2:
        return [spans[0][2]] if spans else []
    found = {
        f for a, b, f in spans if not any(x <= a and b <= y and y - x > b - a and g != f for x, y, g in spans)
    }
    return [f for f, _ in FIELD_RES if f in found]


def strip_mentions(doc: Doc, s0: int, s1: int, types: tuple[str, ...]) -> str:
    """``text[s0:s1]`` with the mentions of the given entity types blanked out (for field cues)."""
    out = doc.text[s0:s1]
    for a, b, e in reversed(mentions_in(doc, s0, s1)):
        if e.type in types:
            out = out[: a - s0] + " " * (b - a) + out[b - s0 :]
    return out
