"""Acronym definitions: names defined by "(ACR)" right after them, and names found from their acronym.

"Shanghai Cooperation Organization (SCO)" gives the run's organization its acronym and makes
later bare "SCO" runs mentions of it (``acronym_after_run``); ``defines_acronym`` tells whether a
piece spelling the initials of a following "(ACR)" is a body; ``emit_forced`` emits the names
that ``organizations.acronym_spans`` recovered from their acronym and cuts them out of the runs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from accords.extract import organizations
from accords.extract.items import LOCATION, ORGANIZATION, Item
from accords.extract.scan import Tok

if TYPE_CHECKING:
    from accords.extract.analyzer import Analyzer

# "(ACR)" / "(the ACR)" right after a name.
ACRONYM_AFTER = re.compile(r"[ \t]*\((?:the[ \t]+)?([A-Z][A-Za-z&.\-]*[A-Z])\)")
# "(Shortname)": a one-word short name in brackets.
_SHORT_AFTER = re.compile(r"[ \t]*\(([A-Z][a-z]+[A-Za-z-]*)\)")
# ", ACR," after a name (an appositive acronym).
_ACRONYM_APPOS = re.compile(r",[ \t]+([A-Z]{2,6}),")
_FIRST_WORD_RE = re.compile(r"[A-Z][\w-]*")


def emit_forced(
    a: Analyzer, spans: list[tuple[int, int]], forced: list[tuple[int, int, str, int]]
) -> list[tuple[int, int]]:
    """Emit names found from their acronym; return the run spans with those names cut out."""
    out: list[tuple[int, int]] = []
    fi = 0
    for start, end in spans:
        while fi < len(forced) and forced[fi][0] < end:
            fs, fe, acro, core = forced[fi]
            fi += 1
            if fs < start and out and out[-1][1] > fs:
                continue  # overlaps a name already cut out
            surface = a.span_text(fs, fe)
            aliases = (a.span_text(fs, core),) if core < fe else ()
            item = a.emit(Item(ORGANIZATION, fs, fe, surface, surface, acronym=acro, aliases=aliases))
            if acro not in a.acronyms or a.acronyms[acro] is None:
                a.acronyms[acro] = item
            if start < fs:
                out.append((start, fs))
            start = max(start, fe)
        if start < end:
            out.append((start, end))
    return out


def acronym_after_run(a: Analyzer, toks: list[Tok], before: int) -> None:
    """Acronym defined right after a run: "Shanghai Cooperation Organization (SCO)"."""
    end = toks[-1].end + (2 if toks[-1].poss else 0)
    m = ACRONYM_AFTER.match(a.scan, end) or _ACRONYM_APPOS.match(a.scan, end)
    new = [i for i in a.items[before:] if i.type in (ORGANIZATION, LOCATION)]
    target = new[-1] if new else None
    if not m:
        # A one-word short name in brackets after a body: "Viet Nam Oil and Gas Group (Petrovietnam)".
        m = _SHORT_AFTER.match(a.scan, end)
        if not m or target is None or target.type != ORGANIZATION:
            return
        word = m.group(1)
        if word in a.lex.stopwords or any(e.kind != ORGANIZATION for e in a.lex.gazetteer.get(word, ())):
            return
    acro = m.group(1)
    if target is not None and _ACRONYM_APPOS.match(a.scan, end) and not m.group(0).startswith(" ("):
        if not organizations.initials_match(acro, target.surface):
            return
    if acro in a.acronyms and a.acronyms[acro] is not None:
        return
    if target is not None and not target.acronym:
        target.acronym = acro
    a.acronyms[acro] = target


def defines_acronym(a: Analyzer, toks: list[Tok]) -> bool:
    """True if ``toks`` is followed by "(ACR)" spelling its initials: a body defining its acronym."""
    m = ACRONYM_AFTER.match(a.scan, toks[-1].end)
    if not m or not organizations.initials_match(m.group(1), a.span_text(toks[0].start, toks[-1].end)):
        return False
    after = _FIRST_WORD_RE.match(a.scan, m.end() + 1)
    if after and a.scan[m.end() : m.end() + 1] == " " and after.group() in a.lex.blockers:
        return False  # "Foreign Agricultural Investment Reform (FAIR) Act": an instrument's name
    if a.role_at(toks, 0) == len(toks):
        return False  # "Senior Minister (SM)", "Prime Minister (PM)": a title, not a body
    return not any(a.name_like(t) for t in toks) or any(t.text in a.lex.org_words for t in toks)
