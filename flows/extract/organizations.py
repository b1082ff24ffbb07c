"""Organization rules: name patterns, Reuters <brackets>, acronyms and short names.

A capitalised run is an organization when it ends in an organization word ("... Corp",
"... University", "Philippine Coast Guard"), starts with a head word followed by of/for
("Ministry of Foreign Affairs", "Bank of America"), or starts with a foreign head word
("Banca Commerciale Italiana"). A country named inside counts as a country mention only when
the body is a government one ("Indian Navy", "Ministry of Foreign Affairs of Viet Nam"), not
in a company name ("Bank of America", "American Motors Corp").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flows.extract.items import COUNTRY, ORGANIZATION, Item
from flows.extract.lexicon import COUNTRY as GAZ_COUNTRY
from flows.extract.lexicon import DEMONYM
from flows.extract.scan import Tok

if TYPE_CHECKING:
    from flows.extract.segment import Analyzer

_BRACKET_RE = re.compile(r"<([A-Z][^<>\n]{0,80}?)>")
_HEAD_CONNS = frozenset({"of", "for", "on"})
# Heads that, with only a country before them, are generic references ("U.S. Administration").
_GENERIC_HEADS = frozenset(
    {"Administration", "Government", "Governments", "Authorities", "Delegation", "Side", "Leadership"}
)
_INITIAL_SKIP = frozenset({"of", "and", "the", "for", "on", "&", "de", "des", "du", "la", "le"})


def bracketed_spans(scan: str) -> list[tuple[int, int]]:
    """Spans of the contents of Reuters' <Company Name> markers."""
    if "<" not in scan:
        return []
    return [m.span(1) for m in _BRACKET_RE.finditer(scan)]


def bracket_item(a: Analyzer, start: int, end: int) -> Item:
    """The organization written inside <...>."""
    surface = a.span_text(start, end)
    return Item(ORGANIZATION, start, end, surface, surface, aliases=short_names(a, surface), company=True)


def initials_match(acronym: str, name: str) -> bool:
    """True if ``acronym`` spells the initials of ``name`` (with or without minor words / suffix)."""
    letters = acronym.replace(".", "").upper()
    words = [w for w in re.split(r"[\s\-]+", name) if w]
    full = "".join(w[0] for w in words).upper()
    major = "".join(w[0] for w in words if w.lower() not in _INITIAL_SKIP).upper()
    return letters in (full, major, major[:-1], full[:-1]) and len(letters) >= 2


def later_forms(item: Item) -> tuple[str, ...]:
    """Forms by which a later run may name this organization ("Union Pacific", "BankAmerica")."""
    if item.type != ORGANIZATION or item.surface != item.name:
        return ()
    forms = list(item.aliases)
    if item.acronym:
        forms.append(item.acronym)
    if item.company:
        words = item.name.replace(",", " ").split()
        if len(words) > 2:
            forms.append(" ".join(words[:2]))
    return tuple(f for f in forms if f != item.name)


def short_names(a: Analyzer, name: str) -> tuple[str, ...]:
    """Shorter forms of a company name: legal suffixes dropped ("Nippon Mining Co Ltd" -> "Nippon Mining")."""
    words = name.replace(",", " ").split()
    legal = a.lex.org_legal
    while len(words) > 1 and words[-1] in legal:
        words = words[:-1]
    short = " ".join(words)
    return (short,) if short != name else ()


def _gov(a: Analyzer, toks: list[Tok]) -> bool:
    """True for a government body (its head or last word is a government word)."""
    gov = a.lex.org_gov
    last2 = " ".join(t.text for t in toks[-2:])
    first2 = " ".join(t.text for t in toks[:2])
    if toks[-1].text in gov or last2 in gov or toks[0].text in gov or first2 in gov:
        return True
    # "Prime Minister's Office of Brunei": a government word heading an "of" phrase.
    return any(
        t.text in gov and nxt.conn and nxt.text == "of" for t, nxt in zip(toks, toks[1:], strict=False)
    )


def emit_org(a: Analyzer, toks: list[Tok], owner: str | None) -> Item:
    """Emit an organization for ``toks``; countries inside count only for government bodies."""
    start, end = toks[0].start, toks[-1].end
    n = len(toks)
    surface = a.span_text(start, end)
    gov = _gov(a, toks)
    company = toks[-1].text in a.lex.org_legal
    country = owner
    inner: list[tuple[int, int, object]] = []
    i = 0
    while i < len(toks):
        hit = a.gaz_at(toks, i)
        if hit and hit[1].kind in (GAZ_COUNTRY, DEMONYM):
            inner.append((i, hit[0], hit[1]))
            i = hit[0]
        else:
            i += 1
    aliases: list[str] = list(short_names(a, surface)) if company else []
    if inner and inner[0][0] == 0 and 2 <= n - inner[0][1] and not toks[inner[0][1]].conn:
        head = toks[inner[0][1]].text
        if head in a.lex.org_head or head in a.lex.org_suffix:
            # "Egyptian Ministry of Foreign Affairs" is also "Ministry of Foreign Affairs".
            aliases.append(a.span_text(toks[inner[0][1]].start, end))
    for i, j, entry in inner:
        country = country or entry.canonical  # type: ignore[attr-defined]
        if gov:
            a.emit(
                Item(
                    COUNTRY,
                    toks[i].start,
                    toks[j - 1].end,
                    entry.canonical,
                    a.span_text(toks[i].start, toks[j - 1].end),
                    entry.canonical,
                )
            )  # type: ignore[attr-defined]
        # "Ministry of Foreign Affairs of Viet Nam" is also known as "Ministry of Foreign Affairs";
        # "Institute of Foreign Affairs of Nepal" as "Institute of Foreign Affairs".
        if i >= 2 and toks[i - 1].conn and j == len(toks) and (gov or i >= 4):
            cut = i - 1
            while cut > 0 and toks[cut - 1].conn:
                cut -= 1
            if toks[i - 1].text == "the" and cut > 0:
                cut = i - 2 if toks[i - 2].text == "of" else cut
            aliases.append(a.span_text(toks[0].start, toks[cut - 1].end))
    return a.emit(
        Item(ORGANIZATION, start, end, surface, surface, country, aliases=tuple(aliases), company=company)
    )


def org_pattern(a: Analyzer, toks: list[Tok], owner: str | None) -> bool:
    """Emit an organization if ``toks`` has an organization's shape; True if it did."""
    lex = a.lex
    n = len(toks)
    last = toks[-1].text
    last2 = " ".join(t.text for t in toks[-2:]) if n >= 2 else ""
    first = toks[0].text
    first2 = " ".join(t.text for t in toks[:2]) if n >= 2 else ""
    if first in lex.blockers:
        return False
    # A known organization at the end: "Toronto World Bank", "Council of ... of the SCO".
    for s in range(1, n):
        hit = a.gaz_at(toks, s)
        if hit and hit[0] == n and hit[1].kind == "ORGANIZATION":
            if toks[s - 1].conn and toks[s - 1].text not in ("of", "the"):
                break
            if first in lex.org_head or first2 in lex.org_head or first in lex.org_foreign:
                break
            a.segment(toks[:s], owner)
            a.emit_gaz(toks, s, n, hit[1])
            return True
    if first in _GENERIC_HEADS and n >= 3 and toks[1].text == "of":
        # "Government of Mauritius" is the country, not a named body.
        p = 3 if toks[2].text == "the" else 2
        hit = a.gaz_at(toks, p) if p < n else None
        if hit and hit[0] == n and hit[1].kind == GAZ_COUNTRY:
            a.emit_gaz(toks, p, n, hit[1])
            return True
    if last in _GENERIC_HEADS and n <= 3:
        hit = a.gaz_at(toks, 0)
        if hit and hit[0] == n - 1 and hit[1].kind in (GAZ_COUNTRY, DEMONYM):
            a.emit_gaz(toks, 0, n - 1, hit[1])
            return True
    suffixed = n >= 2 and (last in lex.org_suffix or last2 in lex.org_suffix)
    if suffixed and any(
        (h := a.gaz_at(toks, s)) and h[0] == n and h[1].kind != "ORGANIZATION" for s in range(1, n)
    ):
        suffixed = False  # "... and the Soviet Union": the suffix word belongs to a country/place
    if suffixed:
        if all(t.conn or t.text in lex.role_modifiers or t.text in lex.org_words for t in toks) and n <= 2:
            if not any(a.gaz_at(toks, i) for i in range(n)):
                # "Foreign Ministry", "Trade Ministry": still a named body.
                emit_org(a, toks, owner)
                return True
        emit_org(a, toks, owner)
        return True
    # "National University of Singapore", "Vietnam National Authority of Tourism"
    for p in range(1, n - 2):
        if toks[p + 1].conn and toks[p + 1].text in _HEAD_CONNS and toks[p].text in lex.org_suffix:
            if toks[p].text not in lex.org_legal:
                emit_org(a, toks, owner)
                return True
    if n >= 3 and toks[1].conn and toks[1].text in _HEAD_CONNS and first in lex.org_head:
        emit_org(a, toks, owner)
        return True
    if n >= 4 and toks[2].conn and toks[2].text in _HEAD_CONNS and first2 in lex.org_head:
        emit_org(a, toks, owner)
        return True
    if n >= 2 and first in lex.org_foreign:
        emit_org(a, toks, owner)
        return True
    if n == 1 and len(first) > 5 and first.endswith("bank") and first[0].isupper():
        emit_org(a, toks, owner)
        return True
    return False
