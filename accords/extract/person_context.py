"""Context evidence for persons: the words around a capitalised name that say it is a person.

A lowercase role right before it ("energy minister Guillermo Perry"), a capitalised title and a
comma ("the Foreign Minister, Ana Ruiz"), a title ending in an acronym ("... of the Lao PDR
(LPDR) Sone Vilay"), an appositive role or speech verb after it ("Ivan Dorokhov, first deputy
trade minister, said"), or a person just named before "and". Nothing here emits: the rules in
``persons`` ask these functions and emit.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from accords.extract.items import COUNTRY, PERSON
from accords.extract.scan import Tok

if TYPE_CHECKING:
    from accords.extract.analyzer import Analyzer

_ROLE_NOUNS = (
    r"minister|president|vice[- ]president|premier|chairman|chairwoman|chairperson|chief|secretary|"
    r"director|governor|spokesman|spokeswoman|spokesperson|official|ambassador|envoy|executive|"
    r"economist|analyst|representative|commissioner|head|leader|citizen|lawyer|attorney|judge|"
    r"professor|founder|partner|manager|officer|trader|dealer|banker|consultant|adviser|advisor|"
    r"counsellor|deputy|undersecretary|senator|congressman|mayor|king|queen|prince|sultan|emir|sheikh|"
    r"general|president-elect|treasurer|administrator|negotiator|delegate|member|owner|principal|"
    r"investor|broker|strategist|researcher|scientist|student|expert|diplomat|consul|speaker"
)
_SPEECH = (
    r"said|says|told|added|noted|stated|explained|urged|declared|announced|stressed|warned|"
    r"predicted|commented|asked|replied|wrote"
)
# A role appositive (", first deputy trade minister") or a speech verb ("said") right after a name.
AFTER_RE = re.compile(
    rf"[ \t]*(?:,[ \t]*(?:who[ \t]+is[ \t]+|the[ \t]+|a[ \t]+|an[ \t]+|its[ \t]+|his[ \t]+|her[ \t]+)?"
    rf"(?:[a-z][\w'-]*[ \t]+){{0,5}}?(?:{_ROLE_NOUNS})\b|,?[ \t]+(?:{_SPEECH})\b)"
)
# The lowercase role nouns as words ("vice president" in both spellings).
ROLE_NOUNS = frozenset(_ROLE_NOUNS.replace("[- ]", "-").split("|")) | {"vice president"}
# Words that end a lowercase role phrase when reading backwards from the role noun.
_NOT_ROLE_WORDS = frozenset(
    "the a an of said says told by or to in on at for with from its his her their as is was".split()
)
# "the Chinese ambassador to Cambodia, <name>": a lowercase role (+ its object) then a comma.
_APPOS_ROLE_BEFORE_RE = re.compile(
    rf"\b(?:{_ROLE_NOUNS})"
    r"(?:[ \t]+(?:to|of|for|at|in)[ \t]+(?:the[ \t]+)?[A-Z][\w'-]*(?:[ \t]+[A-Z][\w'-]*){0,4})?,[ \t]*$"
)
_SAID_BEFORE_RE = re.compile(rf"\b(?:{_SPEECH}|according[ \t]+to)[ \t]+$")
# "his wife X": a kin noun after a possessive pronoun introduces a person.
_KIN_NOUNS = frozenset({"wife", "husband", "spouse", "son", "daughter", "brother", "sister", "consort"})
# "the Paraguayan Foreign Minister, <name>": a capitalised title (+ its object) then a comma.
_TITLE_COMMA_BEFORE_RE = re.compile(
    r"\b(?:"
    + "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in _ROLE_NOUNS.split("|") + ["counterpart"])
    + r")(?:[ \t]+(?:of|for|to|in|at)[ \t]+(?:the[ \t]+)?[A-Z][\w'’-]*"
    r"(?:[ \t]+(?:(?:and|of|the|for|on)[ \t]+)*[A-Z][\w'’-]*|,[ \t]+[A-Z][\w'’-]*){0,8})?,[ \t]*$"
)
# "President of the Republic of Korea (ROK) <name>": a title whose object ends in its acronym.
_TITLE_ACRONYM_BEFORE_RE = re.compile(
    r"\b(?:"
    + "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in _ROLE_NOUNS.split("|"))
    + r")[ \t]+(?:of|for|to|in|at)[ \t]+(?:the[ \t]+)?[A-Z][\w'’-]*"
    r"(?:[ \t]+(?:(?:and|of|the|for|on)[ \t]+)*[A-Z][\w'’-]*){0,8}[ \t]+\([A-Z][A-Za-z]{1,7}\)[ \t]+$"
)


def before_role(a: Analyzer, start: int) -> tuple[str | None, str | None] | None:
    """A lowercase role right before the name ("energy minister Guillermo Perry")."""
    before = a.scan[max(0, start - 60) : start]
    words = before.split()
    if not words:
        return None
    last = words[-1].rstrip(",")
    if last in _KIN_NOUNS and len(words) >= 2 and words[-2] in ("his", "her", "their"):
        return None, None  # "Xi and his wife Peng Liyuan"
    if last not in ROLE_NOUNS or not before.rstrip(" \t,").endswith(last):
        return None
    role_words = [last]
    for w in reversed(words[:-1]):
        if len(role_words) >= 5 or not w.isalpha() or not w.islower() or w in _NOT_ROLE_WORDS:
            break
        role_words.insert(0, w)
    role = " ".join(role_words)
    role_start = start - len(before) + before.rfind(role_words[0] + " ")
    country = None
    if a.items:
        last_item = a.items[-1]
        if last_item.type == COUNTRY and 0 <= role_start - last_item.end <= 3:
            country = last_item.name
    return role, country


def title_before(a: Analyzer, start: int) -> bool:
    """A title slot right before ``start``: "energy minister X", "the Foreign Minister, X"."""
    return (
        before_role(a, start) is not None
        or bool(_TITLE_COMMA_BEFORE_RE.search(a.scan, max(0, start - 110), start))
        or bool(_APPOS_ROLE_BEFORE_RE.search(a.scan, max(0, start - 70), start))
    )


def _after_person(a: Analyzer, start: int) -> bool:
    """The name is the second of a pair whose first member was just recognised as a person."""
    for it in reversed(a.items[-3:]):
        if it.type == PERSON:
            return a.scan[it.end : start] in (" and ", " & ")
    return False


def person_evidence(a: Analyzer, toks: list[Tok]) -> tuple[str | None, str | None] | None:
    """(role, country) if the context says this capitalised pair is a person, else None."""
    start, end = toks[0].start, toks[-1].end
    ev = before_role(a, start)
    if ev is not None:
        return ev
    first = toks[0].text
    if first in a.lex.first_names and not a.common(first):
        return None, None
    if _APPOS_ROLE_BEFORE_RE.search(a.scan, max(0, start - 70), start) and a.scan[end : end + 1] in ",(":
        return None, None  # "The Chinese ambassador to Cambodia, Wang Wenbin, met ..."
    if _TITLE_COMMA_BEFORE_RE.search(a.scan, max(0, start - 110), start):
        return None, None  # "Ethiopia's Minister of Foreign Affairs, Gedion Timothewos"
    if _TITLE_ACRONYM_BEFORE_RE.search(a.scan, max(0, start - 130), start):
        return None, None  # "Minister of Foreign Affairs of the Lao PDR (LPDR) Sone Vilay"
    if _after_person(a, start):
        return None, None  # "Foreign Ministers Johann Wadephul and Radoslaw Sikorski"
    if AFTER_RE.match(a.scan, end):
        return None, None
    if _SAID_BEFORE_RE.search(a.scan, max(0, start - 20), start):
        return None, None
    return None
