"""Person rules: titled names, untitled names with evidence, and name normalisation.

A person is recognised when a name-like tail follows an honorific or a role in the same run
("Kazakh President Kassym-Jomart Tokayev", "H.E. Mr. Nguyen Xuan Phuc"), or, without a title,
when a known given name starts it, a lowercase role precedes it ("energy minister Guillermo
Perry") or an appositive/speech verb follows it ("Albert Melnikov, deputy trade representative
of the Soviet Union, said").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from accords.extract import locations
from accords.extract.items import COUNTRY, ORGANIZATION, PERSON, Item
from accords.extract.lexicon import COUNTRY as GAZ_COUNTRY
from accords.extract.lexicon import DEMONYM, Lexicon
from accords.extract.lexicon import LOCATION as LOCATION_KIND
from accords.extract.person_context import AFTER_RE, before_role, person_evidence
from accords.extract.scan import NAME_CONNECTORS, NAME_PARTICLE_RE, Tok

if TYPE_CHECKING:
    from accords.extract.analyzer import Analyzer

_MAX_NAME = 6
_INITIALS_RE = re.compile(r"(?:[A-Z]\.){1,3}")
# Regnal numbers ending a monarch's name: "King Abdullah II", "Pope Leo XIV".
REGNAL = frozenset("II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI".split())
# Endings of English abstract nouns that are (almost) never a person's name.
_NOUN_SUFFIXES = ("tion", "sion", "ment", "ity", "ness", "ics", "ogy", "ship", "ism", "ture")
# Nouns of a polity that end a title, never a name: "President of the Argentine Nation".
_POLITY_NOUNS = frozenset(
    "Nation Republic Kingdom Federation Union Commonwealth Sultanate Emirate Principality "
    "Confederation".split()
)
# Tokens that are kept as a surface alias but dropped from the canonical name.
_NAME_HONORIFICS = frozenset({"Haji", "Hajah", "Hj", "Hj."})


def name_like(word: str, lex: Lexicon, common: Callable[[str], bool]) -> bool:
    """True if ``word`` could be part of a person's name (not a title, org word, place, common word)."""
    particle = NAME_PARTICLE_RE.match(word)
    if particle:
        # "el-Sisi", "al-Sabah": a particle-prefixed word is a family name even when the rest
        # is a place ("Sabah") or a common word.
        rest = word[particle.end() :]
        return rest[:1].isupper() and not any(c.isdigit() for c in rest) and rest not in lex.org_words
    if not word or not word[0].isupper() or any(c.isdigit() for c in word):
        return False
    if len(word) > 1 and word.replace(".", "").replace("-", "").isupper():
        # Initials ("A.", "A.W.") pass unless they spell a country ("U.S.") or a title ("H.E.");
        # acronyms do not.
        return bool(_INITIALS_RE.fullmatch(word)) and word not in lex.gazetteer and word not in lex.honorifics
    if (
        word in lex.stopwords
        or word in _POLITY_NOUNS
        or word in lex.roles
        or word in lex.honorifics
        or word in lex.role_modifiers
        or word in lex.org_words
        or word in lex.loc_suffix
        or word in lex.blockers
    ):
        return False
    entries = lex.gazetteer.get(word)
    if entries and word not in lex.first_names and word not in lex.weak_places:
        return False
    if len(word) > 6 and word[1:].islower() and word.endswith(_NOUN_SUFFIXES) and word not in lex.first_names:
        return False  # "Integration", "Sustainability", "Development": abstract nouns, not names
    return not common(word)


def _plain_word(a: Analyzer, tok: Tok) -> bool:
    """A capitalised word with no title, portfolio, organization or gazetteer reading."""
    lex = a.lex
    w = tok.text
    return not (
        tok.conn
        or not w[:1].isupper()
        or w.isupper()
        or w in lex.stopwords
        or w in lex.roles
        or w in lex.honorifics
        or w in lex.role_modifiers
        or w in lex.org_words
        or w in lex.loc_suffix
        or w in lex.blockers
        or w in lex.gazetteer
    )


# "son / daughter of" inside Malay and Arabic royal names, before the father's title and name
_PATRONYMIC = frozenset({"ibni", "ibn", "bin", "binti", "bint"})


def _name_tail(a: Analyzer, toks: list[Tok]) -> int:
    """Index where the trailing name-like tokens of ``toks`` start (len(toks) if none)."""
    i = len(toks)
    count = 0
    while i > 0 and count < _MAX_NAME:
        t = toks[i - 1]
        if a.name_like(t) or (
            t.text in REGNAL
            and i > 1
            and a.name_like(toks[i - 2])
            and (not count or toks[i].text in ("ibn", "bin"))  # "Abdullah II ibn Al Hussein"
        ):
            i -= 1
            count += 1
        elif count == 1 and i > 1 and _caps_surname(a, toks, i - 1):
            i -= 1  # "Mr. IWAYA Takeshi": Japanese style, family name in capitals first
            count += 1
        elif t.conn and t.text in NAME_CONNECTORS and i - 1 > 0 and a.name_like(toks[i - 2]) and count:
            i -= 1
        elif count and i > 2 and t.text in a.lex.roles and toks[i - 2].text.lower() in _PATRONYMIC:
            i -= 2  # "Tunku Ismail Ibni Sultan Ibrahim": the father's title is part of the name
            count += 2
        else:
            break
    while i < len(toks) and toks[i].conn:
        i += 1
    # "Sheikh Sabah al-Khalid al-Sabah": the given name before a particle surname may be a place word.
    if 0 < i < len(toks) and NAME_PARTICLE_RE.match(toks[i].text):
        prev = toks[i - 1]
        lex = a.lex
        if (
            not prev.conn
            and prev.text[:1].isupper()
            and not (prev.text in lex.roles or prev.text in lex.honorifics or prev.text in lex.stopwords)
        ):
            i -= 1
    return i


def _caps_surname(a: Analyzer, toks: list[Tok], k: int) -> bool:
    """``toks[k]`` is a family name in capitals right after a title ("Mr. KISHIDA Fumio")."""
    w = toks[k].text
    if not (len(w) >= 3 and w.isalpha() and w.isupper()) or w in a.acronyms or w in a.lex.org_words:
        return False
    if w.title() in a.lex.gazetteer or w in a.lex.gazetteer:
        return False
    return any(a.hon_at(toks, p) == k or a.role_at(toks, p) == k for p in range(k))


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


def clean_name(a: Analyzer, toks: list[Tok]) -> tuple[str, str, tuple[str, ...]]:
    """(canonical, surface, extra aliases) of a name; "Haji" kept only in the surface form."""
    surface = a.span_text(toks[0].start, toks[-1].end)
    words = [t.text for t in toks]
    canon_words = [w for w in words if w not in _NAME_HONORIFICS] or words
    canonical = " ".join(canon_words)
    extra = (canonical,) if canonical != surface else ()
    return canonical, surface, extra


def titled_person(a: Analyzer, toks: list[Tok], owner: str | None) -> bool:
    """Honorific/role + name in one run; emits the person and any country/org in the title."""
    n = len(toks)
    i = _name_tail(a, toks)
    if i >= n or i == 0:
        return False
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
        return False
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
                return False
            i = hit[0]
            break
    # "Mayor of Szczecin Piotr Nowak": a place right after of/in closes the title.
    if 0 < i < n and toks[i - 1].conn and toks[i - 1].text in ("of", "in"):
        hit = a.gaz_at(toks, i)
        if hit and hit[1].kind in (GAZ_COUNTRY, LOCATION_KIND) and hit[0] < n:
            i = hit[0]
    # A given name that is also a common word ("Finance Minister Mark Eyskens", "Rep. Bill
    # Emerson") still belongs to the name when it sits between the title and the surname.
    if n - i == 1 and i > 1 and _plain_word(a, toks[i - 1]):
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
        return False
    region = toks[:i]
    k = next((p for p in range(len(region)) if a.hon_at(region, p) > p or a.role_at(region, p) > p), None)
    if k is None:
        return False
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
