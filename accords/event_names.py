"""Instrument names compared as bags of content words (pure; used by ``accords.events``).

"Korea-Singapore Digital Partnership Agreement" and "Digital Partnership Agreement" are the same
words once generic words and the parties' own country names are dropped; an acronym in either
name stands for the words it abbreviates ("TCTP" = "Third Country Training Programme"). Words are
computed once per name (grouping compares each name with many).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_GENERIC = frozenset("""
a an and the of on in for to at by with between among from its their under into as regarding
memorandum memoranda memorandums understanding mou mous moc agreement agreements treaty treaties
accord accords pact deal protocol contract arrangement programme program plan declaration joint
statement letter intent cooperation co operation collaboration field fields area areas sector
bilateral new renewed renew renewal enhanced signed signing republic government governments
ministry minister state states national kingdom
text draft terms talks negotiation negotiations conclusion aim
""".split())
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "GBR": ("uk", "britain", "british"), "USA": ("us", "usa", "american", "america"),
    "ARE": ("uae", "emirati"), "KOR": ("korea", "korean", "rok"), "CHN": ("chinese", "prc"),
    "SGP": ("singapore", "singaporean"), "IDN": ("indonesian",), "MYS": ("malaysian",),
}
_WORD = re.compile(r"[^\W_]+")


@cache
def _country_words(code: str) -> frozenset[str]:
    """Words naming a country (to drop from instrument names: the parties already say it)."""
    import pycountry  # lazily: its database takes a moment to load

    words = set(_COUNTRY_ALIASES.get(code, ()))
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    if country is not None:
        for attr in ("name", "official_name", "common_name"):
            words |= {w.casefold() for w in _WORD.findall(getattr(country, attr, "") or "")}
    return frozenset(words - {"of", "the", "and"})


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


@cache
def _words(name: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """A name's casefolded words and its acronyms (words of 3+ capitals), computed once per name."""
    raw = _WORD.findall(_fold(name))
    acronyms = frozenset(w.casefold() for w in raw if len(w) >= 3 and w.isupper())
    return tuple(w.casefold() for w in raw), acronyms


@cache
def _dropped(parties: tuple[str, ...]) -> frozenset[str]:
    """Words that say nothing about which instrument it is: generic words, the parties' names."""
    return _GENERIC.union(*(_country_words(p) for p in parties))


@cache
def _content(words: tuple[str, ...], parties: tuple[str, ...]) -> frozenset[str]:
    drop = _dropped(parties)
    return frozenset(w for w in words if w not in drop and not w.isdigit() and len(w) > 1)


def name_tokens(name: str | None, parties: tuple[str, ...] = (), other: str | None = None) -> frozenset[str]:
    """Content words of an instrument name: no generic words, no party country names.

    With ``other`` (the name it is compared with), a run of words whose initials spell an
    acronym of either name ("Third Country Training Programme", "TCTP") becomes that acronym.
    """
    if not name:
        return frozenset()
    words, acronyms = _words(name)
    if other:
        acronyms = acronyms | _words(other)[1]
    if acronyms:
        words = tuple(_collapse_acronyms(list(words), set(acronyms)))
    return _content(words, parties)


def _collapse_acronyms(words: list[str], acronyms: set[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for acro in acronyms:
            run = words[i:i + len(acro)]
            if len(run) == len(acro) and "".join(w[0] for w in run) == acro:
                out.append(acro)
                i += len(acro)
                break
        else:
            out.append(words[i])
            i += 1
    return out
