"""Context cues that an unrecognised name is a company ("Czech carrier Smartwings", "Masdar signed").

The segmenter keeps unknown pieces as leftovers; ``company_cue`` tells it which of them the
words around them mark as companies, so the alias pass can type them as organizations.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from accords.extract.scan import Tok

if TYPE_CHECKING:
    from accords.extract.analyzer import Analyzer

# Lowercase company nouns right before an unknown name: "Czech carrier Smartwings".
_COMPANY_BEFORE_RE = re.compile(
    r"\b(?:carrier|airline|maker|manufacturer|producer|company|firm|conglomerate|operator|developer|"
    r"lender|insurer|utility|start-?up|provider|supplier|exporter|shipbuilder|miner|refiner|automaker|"
    r"carmaker|chipmaker|retailer|broadcaster|subsidiary|giant|group|champion)[ \t]+$"
)
# A company as subject of a signing: "Wartsila and Samruk-Energy signed", "Masdar signed".
_SIGNED_AFTER_RE = re.compile(
    r"(?:[ \t]+and[ \t]+[A-Z][\w-]*(?:[ \t]+[A-Z][\w-]*){0,4})?[ \t]+(?:also[ \t]+|has[ \t]+|have[ \t]+)?"
    r"(?:signed|inked|concluded)\b"
)
_CAP_BEFORE_RE = re.compile(r"[A-Z][\w.'-]*[ \t]+$")
_PAIR_BEFORE_RE = re.compile(r"\b[A-Z][\w-]*[ \t]+and[ \t]+$")


def company_cue(a: Analyzer, toks: list[Tok]) -> bool:
    """Context says an unknown name is a company: "Czech carrier Smartwings", "Nokia and X signed"."""
    lex = a.lex
    if toks[0].text in lex.org_legal or any(
        t.conn or t.text in lex.roles or t.text in lex.honorifics or t.text in lex.first_names for t in toks
    ):
        return False
    start, end = toks[0].start, toks[-1].end
    if _COMPANY_BEFORE_RE.search(a.scan, max(0, start - 40), start):
        return True
    if len(toks) > 2 or not (a.name_like(toks[-1]) or "-" in toks[-1].text):
        return False
    if _CAP_BEFORE_RE.search(a.scan, max(0, start - 30), start):
        return False  # "Korean Air signed": the name started before this piece
    if _SIGNED_AFTER_RE.match(a.scan, end):
        return True
    return bool(_PAIR_BEFORE_RE.search(a.scan, max(0, start - 40), start)) and bool(
        _SIGNED_AFTER_RE.match(a.scan, end)
    )
