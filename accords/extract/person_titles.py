"""Person titles: where the name starts after an honorific/role block, and what the title says.

In "Kazakh President Kassym-Jomart Tokayev" or "Minister of Foreign Affairs of Malaysia Dato'
Seri Utama Haji Ahmad Rizal", ``name_start`` finds the first token of the name (or that the
run holds no titled name) and ``title_parts`` reads the tokens before it: the role text
("President", "Minister of Foreign Affairs") and the country, emitting the countries and bodies
named inside the title.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accords.extract.items import COUNTRY, ORGANIZATION
from accords.extract.lexicon import COUNTRY as GAZ_COUNTRY
from accords.extract.lexicon import DEMONYM
from accords.extract.lexicon import LOCATION as LOCATION_KIND
from accords.extract.person_context import AFTER_RE
from accords.extract.person_names import name_tail, plain_word
from accords.extract.scan import NAME_CONNECTORS, Tok

if TYPE_CHECKING:
    from accords.extract.analyzer import Analyzer


def name_start(a: Analyzer, toks: list[Tok]) -> int | None:
    """Index of the first token of the name after the title block of ``toks``; None if no titled name."""
    n = len(toks)
    i = name_tail(a, toks)
    if i >= n or i == 0:
        return None
    # "Chancellor of the Exchequer Nigel Lawson": the word after of/the completes the title.
    if (
        toks[i - 1].conn
        and toks[i - 1].text in ("of", "the", "for")
        and n - i >= 2
        and toks[i].text not in a.lex.first_names
    ):
        i += 1
    # A multi-word honorific may end inside the tail ("Datuk Seri Anwar Ibrahim").
    for p in range(i):
        i = max(i, a.hon_at(toks, p), a.role_at(toks, p))
    if i >= n:
        return None
    # Prefer the name as read forward from the title block: "Minister ... II Dato Erywan Pehin Yusof".
    k0 = next((p for p in range(i) if a.hon_at(toks, p) > p or a.role_at(toks, p) > p), None)
    if k0 is not None:
        j = _after_titles(a, toks, k0)
        if j < i and all(
            a.name_like(t) or t.conn and t.text in NAME_CONNECTORS or t.text in a.lex.honorifics
            for t in toks[j:]
        ):
            if not (toks[j - 1].conn and toks[j - 1].text in ("of", "the", "for")):
                i = j
    # Vietnamese "To Lam", "Le Hoai Trung": a capitalised function word right after a title.
    if (
        1 < i < n
        and toks[i - 1].text in a.lex.stopwords
        and len(toks[i - 1].text) <= 3
        and any(a.role_at(toks, p) == i - 1 or a.hon_at(toks, p) == i - 1 for p in range(i - 1))
    ):
        i -= 1
    # The name never starts inside a known place or body: "President of ... Viet Nam", "Ruler of Abu Dhabi".
    for s in range(max(0, i - a.lex.max_gaz_len), i):
        hit = a.gaz_at(toks, s)
        if hit and hit[0] > i:
            if hit[0] >= n:
                return None
            i = hit[0]
            break
    # "Mayor of Szczecin Piotr Nowak": a place right after of/in closes the title.
    if 0 < i < n and toks[i - 1].conn and toks[i - 1].text in ("of", "in"):
        hit = a.gaz_at(toks, i)
        if hit and hit[1].kind in (GAZ_COUNTRY, LOCATION_KIND) and hit[0] < n:
            i = hit[0]
    # A given name that is also a common word ("Finance Minister Mark Eyskens", "Rep. Bill
    # Emerson") still belongs to the name when it sits between the title and the surname.
    if n - i == 1 and i > 1 and plain_word(a, toks[i - 1]):
        if any(a.role_at(toks, p) == i - 1 or a.hon_at(toks, p) == i - 1 for p in range(i - 1)):
            i -= 1
    # A one-word name must follow its title directly ("Minister Watts") or be the subject of a
    # speech verb; after a portfolio it is usually part of it ("Minister of Trade and Regional Integration").
    if (
        n - i == 1
        and not AFTER_RE.match(a.scan, toks[-1].end)
        and not any(
            a.role_at(toks, p) == i
            or a.hon_at(toks, p) == i
            or ((h := a.gaz_at(toks, p)) and h[0] == i and h[1].kind in (GAZ_COUNTRY, DEMONYM))
            for p in range(i)
        )
    ):
        return None
    return i


def title_parts(a: Analyzer, region: list[Tok], owner: str | None) -> tuple[str | None, str | None] | None:
    """(role, country) of the title tokens ``region`` before a name; None if it holds no title.

    Countries and bodies named in the title ("Kazakh", "Vietnam's Ministry of ...") are emitted.
    """
    k = next((p for p in range(len(region)) if a.hon_at(region, p) > p or a.role_at(region, p) > p), None)
    if k is None:
        return None
    country = owner
    role_toks: list[Tok] = []
    prefix = region[:k]
    while prefix and prefix[-1].conn:
        prefix = prefix[:-1]
    if prefix:
        p = 0
        hit = a.gaz_at(prefix, 0)
        if hit and hit[1].kind in (GAZ_COUNTRY, DEMONYM, ORGANIZATION):
            item = a.emit_gaz(prefix, 0, hit[0], hit[1])
            country = item.country or country
            p = hit[0]
        rest = prefix[p:]
        if rest and all(t.conn or t.text in a.lex.role_modifiers or a.common(t.text) for t in rest):
            role_toks.extend(rest)
        elif rest:
            before = len(a.items)
            a.segment(rest, owner)
            for it in a.items[before:]:
                if it.type == COUNTRY or (it.type == ORGANIZATION and it.country):
                    country = country or it.country
    p = k
    while p < len(region):
        h = a.hon_at(region, p)
        if h > p:
            p = h
            continue
        r = a.role_at(region, p)
        if r > p:
            role_toks.extend(region[p:r])
            p = r
            continue
        hit = a.gaz_at(region, p)
        if hit and hit[1].kind == LOCATION_KIND and p > k and region[p - 1].text in ("of", "for"):
            # "Premier of Sarawak", "Governor of Tokyo": the place the role is of is a location.
            a.emit_gaz(region, p, hit[0], hit[1])
            role_toks.extend(region[p : hit[0]])
            p = hit[0]
            continue
        if hit and hit[1].kind in (GAZ_COUNTRY, DEMONYM, ORGANIZATION):
            item = a.emit_gaz(region, p, hit[0], hit[1])
            if item.type == COUNTRY or not country:
                country = item.country or country
            while role_toks and role_toks[-1].conn:
                role_toks.pop()
            p = hit[0]
            continue
        role_toks.append(region[p])
        p += 1
    while role_toks and role_toks[-1].conn:
        role_toks.pop()
    role = a.span_text(role_toks[0].start, role_toks[-1].end) if role_toks else None
    return role, country


def _after_titles(a: Analyzer, toks: list[Tok], k: int) -> int:
    """Index of the first name-like token after the title block starting at ``k``."""
    p = k
    while p < len(toks):
        h = max(a.hon_at(toks, p), a.role_at(toks, p))
        if h > p:
            p = h
        elif a.name_like(toks[p]):
            return p
        else:
            hit = a.gaz_at(toks, p)
            p = hit[0] if hit else p + 1
    return p
