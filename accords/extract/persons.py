"""Person rules: decide whether a piece of a run is a person and emit it.

A person is recognised when a name-like tail follows an honorific or a role in the same run
("Kazakh President Kassym-Jomart Tokayev", "H.E. Mr. Nguyen Xuan Phuc"), or, without a title,
when a known given name starts it, a lowercase role precedes it ("energy minister Guillermo
Perry") or an appositive/speech verb follows it ("Albert Melnikov, deputy trade representative
of the Soviet Union, said"). The parts live in ``person_titles`` (reading the title block),
``person_names`` (which tokens form the name, its canonical form) and ``person_context`` (the
evidence around an untitled name); this module combines them and emits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accords.extract import locations
from accords.extract.items import PERSON, Item
from accords.extract.person_context import before_role, person_evidence
from accords.extract.person_names import clean_name
from accords.extract.person_titles import name_start, title_parts
from accords.extract.scan import Tok

if TYPE_CHECKING:
    from accords.extract.analyzer import Analyzer


def titled_person(a: Analyzer, toks: list[Tok], owner: str | None) -> bool:
    """Honorific/role + name in one run; emits the person and any country/org in the title."""
    i = name_start(a, toks)
    if i is None:
        return False
    parts = title_parts(a, toks[:i], owner)
    if parts is None:
        return False
    role, country = parts
    name_toks = toks[i:]
    canonical, surface, extra = clean_name(a, name_toks)
    a.emit(
        Item(PERSON, name_toks[0].start, name_toks[-1].end, canonical, surface, country, role, aliases=extra)
    )
    return True


def unknown_piece(a: Analyzer, toks: list[Tok], owner: str | None) -> None:
    """An unrecognised stretch: a person if the evidence says so, else a leftover."""
    toks = a.strip(toks)
    if not toks:
        return
    names = [t for t in toks if not t.conn]
    if len(names) >= 2 and len(names) <= 5 and all(a.name_like(t) or t.conn for t in toks):
        evidence = person_evidence(a, toks)
        if evidence is not None:
            role, country = evidence
            canonical, surface, extra = clean_name(a, toks)
            a.emit(
                Item(
                    PERSON,
                    toks[0].start,
                    toks[-1].end,
                    canonical,
                    surface,
                    country or owner,
                    role,
                    aliases=extra,
                )
            )
            return
    if locations.context_location(a, toks):
        return
    if len(names) == 1 and a.name_like(toks[0]):
        ev = before_role(a, toks[0].start)
        if ev is not None:
            canonical, surface, extra = clean_name(a, toks)
            a.emit(
                Item(
                    PERSON,
                    toks[0].start,
                    toks[0].end,
                    canonical,
                    surface,
                    ev[1] or owner,
                    ev[0],
                    aliases=extra,
                )
            )
            return
    a.leftover(toks)
