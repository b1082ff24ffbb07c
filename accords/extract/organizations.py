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

from accords.extract.items import COUNTRY, ORGANIZATION, Item
from accords.extract.lexicon import COUNTRY as GAZ_COUNTRY
from accords.extract.lexicon import DEMONYM
from accords.extract.scan import Tok

if TYPE_CHECKING:
    from accords.extract.analyzer import Analyzer

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
    gov_words = a.lex.org_gov
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
        elif i >= 2 and j == len(toks) and not toks[i - 1].conn and (gov or toks[i - 1].text in gov_words):
            # A sign-off's "Ministry of Foreign Affairs Singapore" is the "Ministry of Foreign Affairs".
            aliases.append(a.span_text(toks[0].start, toks[i - 1].end))
    return a.emit(
        Item(ORGANIZATION, start, end, surface, surface, country, aliases=tuple(aliases), company=company)
    )


def _portfolio_then_country(a: Analyzer, toks: list[Tok]) -> bool:
    """Portfolio words followed by a country name and nothing else ("Natural Resources Canada")."""
    hit = a.gaz_at(toks, len(toks) - 1)
    if not hit or hit[1].kind != GAZ_COUNTRY or toks[-1].poss or toks[-2].conn:
        return False
    if toks[0].text not in a.lex.role_modifiers or a.gaz_at(toks, 0):
        return False
    head = toks[:-1]
    # A connector other than "and" ("of", "for") makes it no plain portfolio list.
    return all(t.text == "and" for t in head if t.conn) and a.lex.portfolio_phrase([t.text for t in head])


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
    if n >= 2 and _portfolio_then_country(a, toks):
        # "Global Affairs Canada", "Agriculture and Agri-Food Canada": a department named by its
        # portfolio and the country (the country still counts: it is a government body).
        hit = a.gaz_at(toks, n - 1)
        emit_org(a, toks, owner)
        if hit:
            code = hit[1].canonical
            a.emit(Item(COUNTRY, toks[-1].start, toks[-1].end, code, toks[-1].text, code))
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


# "(ACR)" after a name; the name is found by looking back from the bracket.
_ACRO_DEF_RE = re.compile(r"[ \t]\((?:the[ \t]+)?([A-Z][A-Za-z&.\-]*[A-Z])\)")
_WORD_RE = re.compile(r"[^\s]+")
_NAME_WORD_RE = re.compile(r"[\w'’-]+")
# Lowercase words inside names that carry no initial: English and Romance articles/prepositions.
_MINOR = frozenset(
    "of and the for on in at de du des la le les l d e et y da do dos das di del della dello degli "
    "delle dei von und der".split()
)
# English words that never sit inside an organization's name: a look-back stops at them.
_ENGLISH_STOP = frozenset(
    "a an with by from as is was were be been will would has have had that which who this these "
    "between signed said also its their his her our under into to it are not over after before about "
    "through".split()
)
# Prepositions that may open the tail of a name before its acronym: "... Agency for X in the Y (ACR)".
_TAIL_OPENERS = frozenset({"for", "of", "in", "on"})


def acronym_spans(a: Analyzer, run_spans: list[tuple[int, int]]) -> list[tuple[int, int, str, int]]:
    """Organization names defined by a bracketed acronym that the run scanner cannot see whole.

    Looks back from each "(ACR)" for words whose initials spell it, allowing lowercase words
    of foreign names ("Agence française de développement (AFD)") and a prepositional tail
    ("United Nations Relief and Works Agency for Palestine Refugees in the Near East (UNRWA)");
    failing that, a foreign head word opening a name in its own language ("Société nationale
    de ... (SENTER)"). Returns ``(start, end, acronym, initials_end)`` for names that are not
    simply a capitalised run ending at the bracket (those the run analysis handles).
    """
    scan = a.scan
    if "(" not in scan:
        return []
    run_ends = {e: s for s, e in run_spans}
    out: list[tuple[int, int, str, int]] = []
    for m in _ACRO_DEF_RE.finditer(scan):
        acro = m.group(1)
        letters = [c for c in acro if c.isalpha()]
        if not 2 <= len(letters) <= 8 or not all(c.isupper() for c in letters):
            continue
        lo = max(0, m.start() - 220)
        window = scan[lo : m.start()]
        words: list[tuple[int, int, str]] = []
        for w in reversed(list(_WORD_RE.finditer(window))):
            text = w.group()
            if not _NAME_WORD_RE.fullmatch(text) or text.lower() in _ENGLISH_STOP:
                break  # punctuation or an English clause word: the name cannot start before it
            words.append((lo + w.start(), lo + w.end(), text))
            if len(words) >= 16:
                break
        words.reverse()
        if not words:
            continue
        found = _initials_start(words, letters) or _foreign_start(a, words)
        if found is None:
            continue
        s, core = found
        start, end = words[s][0], words[-1][1]
        rs = run_ends.get(end)
        if rs is not None and rs <= start:
            continue  # one capitalised run ending at the bracket: the ordinary analysis does it
        toks = [w[2] for w in words[s:]]
        if not any(t in a.lex.org_words for t in toks) or toks[-1] in a.lex.blockers:
            continue  # only bodies: not programmes, laws, places or people
        out.append((start, end, acro, words[core][1]))
    return out


def _initials_start(words: list[tuple[int, int, str]], letters: list[str]) -> tuple[int, int] | None:
    """(first word, last initials word) of the nearest name whose initials spell ``letters``."""
    n = len(words)
    for s in range(n - 1, -1, -1):
        if not words[s][2][0].isupper():
            continue
        k = 0
        core = -1
        for i in range(s, n):
            w = words[i][2]
            if k == len(letters):
                break
            if w.lower() in _MINOR and not w[0].isupper():
                continue
            if w[0].upper() != letters[k]:
                break
            k += 1
            core = i
        if k != len(letters) or core < 0:
            continue
        tail = [w[2] for w in words[core + 1 :]]
        if tail and (tail[0] not in _TAIL_OPENERS or not all(t[0].isupper() or t in _MINOR for t in tail)):
            continue
        return s, core
    return None


def _foreign_start(a: Analyzer, words: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    """The nearest foreign head word ("Société", "Agence") opening a name that runs to the bracket."""
    for s in range(len(words) - 1, -1, -1):
        if words[s][2] in a.lex.org_foreign and len(words) - s >= 3:
            return s, len(words) - 1
    return None
