"""Company parties the entity tagger missed: names recognised by their form in the text.

"champlin petroleum corp", "... (pdvsa)" in lower-case wire text (``text_companies``) and
capitalised brand names right before "signed" or after "with" (``subject_names``), never a
tagged country, person or organisation.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from accords.extract.context import Doc, mentions_in
from accords.extract.instrument_spans import DETERMINERS, STOP_BEFORE
from accords.extract.party_names import COMMERCIAL, COMPANY_MARK, GOVERNMENT

_CO_NAME = re.compile(
    r"\b((?:[a-z][\w&.-]*\s+){0,3}?(?:corp(?:oration)?|co|inc|ltd|plc|(?<!working\s)(?<!expert\s)group|company)\b)"
    r"(?:'s)?|"
    r"\b(?:[a-z][\w&.-]*\s+){1,4}\(([a-z]{2,8})\)",
    re.IGNORECASE,
)


def text_companies(clause: str) -> list[str]:
    """Company names recognised by form ("champlin petroleum corp", "... (pdvsa)")."""
    out: list[str] = []
    for m in _CO_NAME.finditer(clause):
        if m.group(2):
            if re.fullmatch(r"[ivxlc]+", m.group(2), re.I):
                continue  # an enumerator "(iii)", not an acronym
            before = m.group(0)[: m.group(0).rfind("(") + 1]
            if INSTRUMENT_ACRONYM.fullmatch(m.group(2)) or INSTRUMENT_ACRONYM_BEFORE.search(before):
                continue  # the instrument's own acronym: "... Partnership Agreement (CEPA)"
            name = m.group(2).upper()
            # Title-case text: keep the spelled-out name the acronym abbreviates ("Agence
            # française de développement (AFD)").
            words = m.group(0)[: m.group(0).rfind("(")].split()
            first = next((k for k, w in enumerate(words) if w[:1] == name[:1]), None)
            if first is not None and len(words) - first >= 2:
                name = f"{' '.join(words[first:])} ({name})"
        else:
            words = m.group(1).split()
            while words and words[0].lower() in STOP_BEFORE | DETERMINERS:
                words.pop(0)
            if len(words) < 2:
                continue
            name = " ".join(w if w[:1].isupper() else w.capitalize() for w in words)
        if name not in out:
            out.append(name)
    return out


INSTRUMENT_ACRONYM_BEFORE = re.compile(
    r"(?:agreements?|treaty|accord|pact|protocol|partnership|arrangement)\s*\(\s*$", re.IGNORECASE
)
INSTRUMENT_ACRONYM = re.compile(r"[A-Z]*(?:FTA|EPA|CEPA|CECPA|BIT|PTA|TPP|CPTPP)s?")
_SUBJECT_VERB = re.compile(
    r"\s+(?:also\s+|have\s+|has\s+|jointly\s+)?(?:signed|inked|concluded|sealed|clinched|entered\s+into)\b"
)
_CAP_RUN = re.compile(
    r"(?:[A-Z][\w&.'’-]*)(?:\s+(?:of|for|and|de|du|la)?\s*[A-Z][\w&.'’-]*)*\s*(?:\([\w-]+\))?$"
)
_NOT_A_NAME = re.compile(
    r"^(?:The|They|It|He|She|We|Both|Leaders?|Ministers?|President|Prime|Minister|In|On|At|Also|Addition|"
    r"Meanwhile|Separately|Later|Earlier|Officials?|Representatives?|Sides?|Governments?)\b"
)
_WITH_OBJECT = re.compile(r"^[^,;]*?\bwith\s+(?:the\s+)?([A-Z][\w&'’-]*(?:\s+[A-Z][\w&'’-]*){0,4})")


def _overlaps_named(doc: Doc, start: int, end: int) -> bool:
    """Whether an organisation or person mention straddles ``text[start:end]`` (partly outside it)."""
    if not doc.starts:
        doc.starts = [m[0] for m in doc.mentions]
    for a, b, e in doc.mentions[bisect_left(doc.starts, start - 300) : bisect_left(doc.starts, end)]:
        if b > start and (a < start or b > end) and e.type in ("ORGANIZATION", "PERSON"):
            return True
    return False


def _untagged_name(doc: Doc, s0: int, sent: str, r0: int, r1: int) -> str | None:
    """A company-like capitalised run ``sent[r0:r1]`` that is no tagged country/person/org."""
    run = sent[r0:r1]
    if not run or _NOT_A_NAME.match(run) or ROLE_GROUP.fullmatch(run):
        return None  # "the three Foreign Ministers signed": people, not a company
    if _overlaps_named(doc, s0 + r0, s0 + r1):
        return None  # part of a tagged name: "... Ministry of Energy and | Petroleum", "Åsmund | Aukrust"
    for _a, _b, e in mentions_in(doc, s0 + r0 - 1, s0 + r1 + 1):
        if e.type == "ORGANIZATION" or e.type == "PERSON":
            return None  # tagged already, or a person
        if e.type == "COUNTRY" and not (
            (COMPANY_MARK.search(run) or len(run.split()) > len(doc.text[_a:_b].split()))
            and len(run.split()) > 1
            and not (GOVERNMENT.search(run) and not COMMERCIAL.search(run))
        ):
            return None  # a bare country name is no company ("Royal Jordanian" is one)
    name = re.sub(r"\s*\([\w-]+\)$", "", run).strip()
    if name.casefold() in doc.country_names or len(name) < 3:
        return None
    return name


def subject_names(doc: Doc, s0: int, sent: str, c0: int, pos: int, c1: int) -> list[str]:
    """Names of untagged companies that sign the instrument whose trigger starts at ``pos``.

    "X and Y signed an agreement", "Masdar signed a power purchase agreement with Z": capitalised
    runs right before the verb (and after "with") that no entity mention covers; entity tagging
    misses many brand names. A run that is a tagged country or person is not a company.
    """
    region = sent[c0:pos]
    vms = list(_SUBJECT_VERB.finditer(region))
    if not vms:
        return []
    vm = vms[-1]
    subj = re.split(r"[,;:(]\s*(?![\w-]+\))|\bwhile\b|\bwhereas\b", region[: vm.start()])[-1]
    off = c0 + vm.start() - len(subj)
    out: list[str] = []
    for piece in re.split(r"(\s+and\s+)", subj):
        p0 = off
        off += len(piece)
        m = _CAP_RUN.search(piece.rstrip())
        if m and not re.fullmatch(r"\s+and\s+", piece):
            name = _untagged_name(doc, s0, sent, p0 + m.start(), p0 + m.end())
            if name and name not in out:
                out.append(name)
    om = _WITH_OBJECT.match(sent, pos, c1)
    if om:
        name = _untagged_name(doc, s0, sent, om.start(1), om.end(1))
        if name and name not in out:
            out.append(name)
    return out


ROLE_GROUP = re.compile(r"(?:[A-Z]\w+\s+)?(?:Ministers|Leaders|Presidents|Delegations|Heads\s+of\s+State)")
