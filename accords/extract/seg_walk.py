"""Gazetteer walk: the longest-match pass over a piece no whole-piece rule claimed.

``walk`` emits every known country, place or body it meets left to right and hands the
unknown stretches between them to the person/leftover rules. Hyphenated compounds are split
when a part is known ("China-Kazakhstan", "Isiolo-Moyale"); one-word places inside personal
names ("Michael Jordan", "Vladimir Putin") are not taken as places.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accords.extract import persons
from accords.extract.items import LOCATION, ORGANIZATION, Item
from accords.extract.lexicon import COUNTRY as GAZ_COUNTRY
from accords.extract.lexicon import DEMONYM, GazEntry
from accords.extract.person_context import title_before
from accords.extract.scan import NAME_PARTICLE_RE, Tok

if TYPE_CHECKING:
    from accords.extract.analyzer import Analyzer


def walk(a: Analyzer, toks: list[Tok], owner: str | None, keep_only: tuple[str, ...] | None = None) -> None:
    """Longest-match gazetteer walk; unknown stretches go to the person/leftover rules."""
    toks, chain_places = _split_hyphens(a, toks)
    buf: list[Tok] = []
    i = 0
    while i < len(toks):
        hit = a.gaz_at(toks, i)
        if not hit and i in chain_places and keep_only is None:
            # "Dhalkebar-Muzaffarpur line": an unknown part of a route between known places.
            if buf:
                persons.unknown_piece(a, buf, owner)
            buf = []
            t = toks[i]
            cue = a.lex.cue_places.get(t.key)
            name = cue[0] if cue else t.text
            a.emit(Item(LOCATION, t.start, t.end, name, t.text, cue[1] if cue else None))
            i += 1
            continue
        if hit and not _ambiguous_hit(a, toks, i, hit, buf):
            if buf and keep_only is None:
                persons.unknown_piece(a, buf, owner)
            buf = []
            if keep_only is None or (hit[1].kind in (GAZ_COUNTRY, DEMONYM, ORGANIZATION)):
                a.emit_gaz(toks, i, hit[0], hit[1])
            i = hit[0]
        else:
            buf.append(toks[i])
            i += 1
    if buf and keep_only is None:
        persons.unknown_piece(a, buf, owner)


def _ambiguous_hit(a: Analyzer, toks: list[Tok], i: int, hit: tuple[int, GazEntry], buf: list[Tok]) -> bool:
    """A one-word place inside a personal name: "Michael Jordan", "Vladimir Putin".

    A country/place right after a given name is a surname; a place from the world list
    (``weak_places``) next to another name-like word is part of that name.
    """
    if hit[0] != i + 1 or hit[1].kind not in (GAZ_COUNTRY, LOCATION):
        return False
    if buf and buf[-1].text in a.lex.first_names and not a.common(buf[-1].text):
        return True
    nxt = toks[hit[0]] if hit[0] < len(toks) else None
    if nxt is not None and a.name_like(nxt) and not a.gaz_at(toks, hit[0]):
        return True
    if toks[i].key not in a.lex.weak_places:
        # "his counterpart, Santiago Pena Palacios": a titled slot makes the place a given name.
        return (
            hit[1].kind == LOCATION
            and nxt is not None
            and not buf
            and a.name_like(nxt)
            and not a.gaz_at(toks, hit[0])
            and title_before(a, toks[i].start)
        )
    return bool(buf) and a.name_like(buf[-1]) and not buf[-1].poss


def _split_hyphens(a: Analyzer, toks: list[Tok]) -> tuple[list[Tok], set[int]]:
    """Split "China-Kazakhstan", "Isiolo-Moyale" into parts when a part is a known country or place.

    Returns the tokens and the indexes of unknown parts that sit in a chain of towns
    ("Dhalkebar" in "Dhalkebar-Muzaffarpur"): those are places too.
    """
    out: list[Tok] = []
    chain: set[int] = set()
    gaz = a.lex.gazetteer
    cue = a.lex.cue_places
    for t in toks:
        if "-" in t.text and t.text not in gaz and not t.conn and not NAME_PARTICLE_RE.match(t.text):
            parts = _join_known(t.text.split("-"), gaz)
            known = [p in gaz or p in cue for p in parts]
            if any(known):
                first = len(out)
                pos = t.start
                for p in parts:
                    if p:
                        out.append(Tok(p, pos, pos + len(p)))
                    pos += len(p) + 1
                out[-1].poss = t.poss
                if any(p in cue or any(e.kind == LOCATION for e in gaz.get(p, ())) for p in parts):
                    k = first
                    for p, is_known in zip(parts, known, strict=True):
                        if not p:
                            continue
                        town_like = len(p) > 3 and p[0].isupper() and p[1:].islower()
                        if town_like and (not is_known or p in cue):
                            chain.add(k)
                        k += 1
                continue
        out.append(t)
    return out, chain


def _join_known(parts: list[str], gaz: dict) -> list[str]:
    """Rejoin hyphen parts that name one place: "Singapore-Timor-Leste" -> Singapore, Timor-Leste."""
    out: list[str] = []
    i = 0
    while i < len(parts):
        j = next((j for j in range(len(parts), i + 1, -1) if "-".join(parts[i:j]) in gaz), i + 1)
        out.append("-".join(parts[i:j]))
        i = j
    return out
