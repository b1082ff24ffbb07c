"""Person names: which capitalised tokens can be part of a person's name, and its canonical form.

``name_like`` judges one word (not a title, an organization word, a place or a word the article
also uses in lower case); ``name_tail`` finds the name at the end of a titled run ("... Minister
Datuk Seri Anwar Ibrahim", "King Abdullah II", "Mr. IWAYA Takeshi"); ``clean_name`` gives the
canonical and surface forms ("Haji" kept only in the surface).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from accords.extract.lexicon import Lexicon
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


def plain_word(a: Analyzer, tok: Tok) -> bool:
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


def name_tail(a: Analyzer, toks: list[Tok]) -> int:
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


def clean_name(a: Analyzer, toks: list[Tok]) -> tuple[str, str, tuple[str, ...]]:
    """(canonical, surface, extra aliases) of a name; "Haji" kept only in the surface form."""
    surface = a.span_text(toks[0].start, toks[-1].end)
    words = [t.text for t in toks]
    canon_words = [w for w in words if w not in _NAME_HONORIFICS] or words
    canonical = " ".join(canon_words)
    extra = (canonical,) if canonical != surface else ()
    return canonical, surface, extra
