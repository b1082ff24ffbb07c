"""Place patterns for capitalised runs not in the gazetteer.

"Malacanang Palace", "Hebei Province", "Green Canyon Block", "Strait of Malacca",
"Mount Elgon": a generic place word at the end, or a place prefix at the start. Countries
named inside a place name are not country mentions ("Gulf of Mexico" -> no MEX).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from accords.extract.items import LOCATION, Item
from accords.extract.lexicon import COUNTRY as GAZ_COUNTRY
from accords.extract.lexicon import DEMONYM
from accords.extract.scan import Tok

if TYPE_CHECKING:
    from accords.extract.analyzer import Analyzer

_NUMBER_AFTER = re.compile(r"[ \t]+\d{1,4}\b(?![.,]\d)")
# "the Pacific port of Tumaco", "the province of Hebei": a lowercase place noun + of.
_PLACE_OF_BEFORE = re.compile(
    r"\b(?:ports?|city|cities|towns?|villages?|provinces?|states?|island|islands|regions?|districts?|"
    r"capital|municipality|municipalities|prefectures?|county|counties|emirate|kingdom|sultanate|"
    r"departments?|governorates?|oblasts?)[ \t]+of[ \t]+"
    # "the ports of Arica and Iquique", "the departments of Huehuetenango, San Marcos and Quiché"
    r"(?:[A-Z][\w'-]*(?:[ \t]+[A-Z][\w'-]*)?(?:,[ \t]+|[ \t]+and[ \t]+))*$"
)
# "the Great Lakes region", "Mongla and Chattogram ports": a lowercase place noun after the name.
_PLACE_NOUN_AFTER = re.compile(
    r"(?:[ \t]+and[ \t]+[A-Z][\w'-]*)?[ \t]+(region|province|state|district|county|oblast|governorate|"
    r"prefecture|municipality|ports?|seaport)\b"
)
# A locative preposition right before a town from the cue list: "in Moyale", "between Clorinda and".
_CUE_BEFORE = re.compile(r"\b(?:in|at|near|from|between|via|outside|towns?[ \t]+of|city[ \t]+of)[ \t]+$")
_COMMA_AFTER = re.compile(r",[ \t]+")
_AT_BEFORE = re.compile(r"\b(?:in|at|near)[ \t]+$")
_IN_AFTER = re.compile(r"[ \t]+(?:in|near|outside)[ \t]+(?:the[ \t]+)?(?=[A-Z])")


def loc_pattern(a: Analyzer, toks: list[Tok]) -> bool:
    """Emit a location if ``toks`` has a place name's shape; True if it did."""
    lex = a.lex
    n = len(toks)
    if n < 2:
        return False
    if toks[-1].text == "State":
        # "Lagos State": "State" names a place only after a known subdivision or city.
        hit = a.gaz_at(toks, 0)
        if hit and hit[0] == n - 1 and hit[1].kind == LOCATION:
            surface = a.span_text(toks[0].start, toks[-1].end)
            a.emit(Item(LOCATION, toks[0].start, toks[-1].end, surface, surface, hit[1].country))
            return True
    last = toks[-1].text
    last2 = " ".join(t.text for t in toks[-2:])
    first = toks[0].text
    first2 = " ".join(t.text for t in toks[:2])
    shaped = (
        last in lex.loc_suffix
        or last2 in lex.loc_suffix
        or first2 in lex.loc_prefix
        or (first in lex.loc_prefix and not toks[1].conn)
    )
    if not shaped:
        return False
    if all(t.conn or t.text in lex.loc_suffix or t.text in lex.loc_prefix for t in toks):
        return False  # "City Hall"-like generic phrases without a proper name
    on = next((p for p in range(1, n - 1) if toks[p].conn and toks[p].text == "on"), None)
    if on is not None and (last in lex.loc_suffix or last2 in lex.loc_suffix):
        # "the dam on the Naryn River": "on" joins two names, a place name never spans it.
        a.segment(toks[:on], None)
        a.segment(toks[on + 1 :], None)
        return True
    if not (last in lex.loc_suffix or last2 in lex.loc_suffix) and first2 not in lex.loc_prefix:
        # "Dataran Perdana of Perdana Putra": a prefixed place "of" a known place is two places.
        for p in range(2, n - 1):
            if toks[p].text == "of" and not toks[p - 1].conn:
                q = p + 2 if toks[p + 1].text == "the" else p + 1
                hit = a.gaz_at(toks, q) if q < n else None
                if hit and hit[0] == n and hit[1].kind == LOCATION:
                    loc_pattern(a, toks[:p]) or a.leftover(toks[:p])
                    a.emit_gaz(toks, q, n, hit[1])
                    return True
    if (last in lex.loc_suffix or last2 in lex.loc_suffix) and first not in lex.loc_prefix:
        # "Use of Lamu Port": a suffixed place name has no "of" before it.
        cut = max((p for p in range(1, n - 1) if toks[p].text == "of"), default=None)
        if cut is not None and not any(t.text in lex.loc_suffix for t in toks[:cut]):
            rest = toks[cut + 1 :]
            if rest and rest[0].text == "the":
                rest = rest[1:]
            if len(rest) >= 2:
                return loc_pattern(a, rest)
    country = None
    for i in range(n):
        hit = a.gaz_at(toks, i)
        if hit and hit[1].kind in (GAZ_COUNTRY, DEMONYM):
            country = hit[1].canonical
            break
    start, end = toks[0].start, toks[-1].end
    m = _NUMBER_AFTER.match(a.scan, end)
    if m and (last in lex.loc_suffix or last2 in lex.loc_suffix):
        end = m.end()  # "Green Canyon Block 182"
    surface = a.span_text(start, end)
    a.emit(Item(LOCATION, start, end, surface, surface, country))
    return True


def context_location(a: Analyzer, toks: list[Tok]) -> bool:
    """Emit an unknown name as a place when its context says so; True if it did.

    "the port of Tumaco"; "Corpus Christi, Texas" (a name followed by a known state or country).
    """
    start, end = toks[0].start, toks[-1].end
    if not all(t.text[0].isupper() for t in toks if not t.conn):
        return False
    if cue_place(a, toks):
        return True
    country = None
    inside = _IN_AFTER.match(a.scan, end)
    if inside and _AT_BEFORE.search(a.scan, max(0, start - 8), start):
        # "at Rafah in Egypt", "in Modjo near Addis Ababa": a place inside a known place.
        nxt = a.scan[inside.end() : inside.end() + 40].split(",")[0].split(".")[0].split()
        for k in range(min(3, len(nxt)), 0, -1):
            entries = a.lex.gazetteer.get(" ".join(nxt[:k]))
            if entries and entries[0].kind in (LOCATION, GAZ_COUNTRY):
                country = entries[0].country
                surface = a.span_text(start, end)
                a.emit(Item(LOCATION, start, end, surface, surface, country))
                return True
    noun = _PLACE_NOUN_AFTER.match(a.scan, end)
    if noun and len(toks) <= 3 and not any(t.text in a.lex.first_names for t in toks):
        surface = a.span_text(start, end)
        aliases = (a.span_text(start, noun.end()),) if not noun.group(0).startswith((" and", "\tand")) else ()
        a.emit(Item(LOCATION, start, end, surface, surface, None, aliases=aliases))
        return True
    if not _PLACE_OF_BEFORE.search(a.scan, max(0, start - 50), start):
        m = _COMMA_AFTER.match(a.scan, end)
        if not m:
            return False
        nxt = a.scan[m.end() : m.end() + 40].split(",")[0].split()
        found = None
        for n in range(min(3, len(nxt)), 0, -1):
            entries = a.lex.gazetteer.get(" ".join(nxt[:n]).rstrip("."))
            if entries:
                found = entries[0]
                break
        if found is None or found.kind not in (LOCATION, GAZ_COUNTRY) or not found.country:
            return False
        if found.kind == LOCATION and found.canonical not in a.lex.subdivision_names:
            return False  # only states/provinces and countries qualify, not cities
        country = found.country
    surface = a.span_text(start, end)
    a.emit(Item(LOCATION, start, end, surface, surface, country))
    return True


def cue_place(a: Analyzer, toks: list[Tok]) -> bool:
    """A town of the cue list after a locative preposition ("in Moyale"); True if emitted."""
    entry = a.lex.cue_places.get(" ".join(t.key for t in toks))
    if entry is None:
        return False
    start, end = toks[0].start, toks[-1].end
    if not _CUE_BEFORE.search(a.scan, max(0, start - 12), start):
        prev = a.items[-1] if a.items else None
        # "between Clorinda and Puerto Falcon" / "Mazar-i-Sharif, Kabul and Peshawar": in a list of places.
        gap = a.scan[prev.end : start] if prev is not None else ""
        listed = prev is not None and prev.type == LOCATION and gap in (" and ", ", ", "-")
        if not listed and not _known_place_after(a, end):
            return False
    surface = a.span_text(start, end)
    a.emit(Item(LOCATION, start, end, entry[0], surface, entry[1]))
    return True


_LIST_AFTER = re.compile(r"(?:[ \t]+and|,)[ \t]+([A-Z][\w'-]*(?:[ \t]+[A-Z][\w'-]*){0,2})")


def _known_place_after(a: Analyzer, end: int) -> bool:
    """A known place follows in a pair or list: "Punta Arenas and Hobart"."""
    m = _LIST_AFTER.match(a.scan, end)
    if not m:
        return False
    words = m.group(1).split()
    for k in range(len(words), 0, -1):
        entries = a.lex.gazetteer.get(" ".join(words[:k]))
        if entries:
            return entries[0].kind == LOCATION
    return False
