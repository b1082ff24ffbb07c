"""Capitalised runs: the candidate entity phrases of an article.

The extractor never tokenises the whole text in Python. ``prepare`` makes a same-length copy of
the text in which soft line breaks (hard-wrapped wire copy) become spaces, so one compiled regex
finds every run of capitalised tokens, joined by single spaces and lowercase connectors
("Ministry of Foreign Affairs", "Mohamed bin Zayed Al Nahyan"). Offsets in the copy are
offsets in the original text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def _letters(category: str) -> str:
    """Latin letters of one Unicode category, as a regex character-class body."""
    chars = [
        chr(i)
        for i in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00))
        if unicodedata.category(chr(i)) == category
    ]
    return "".join(re.escape(c) for c in chars)


UP = "A-Z" + _letters("Lu")
LOW = "a-z" + _letters("Ll")
_W = rf"[{UP}{LOW}0-9]"

# Abbreviations that keep their full stop inside a name or title ("Mr.", "Co.", "Gen.").
_ABBREV = (
    r"(?:Mr|Mrs|Ms|Mdm|Dr|Prof|St|Gen|Sen|Rep|Gov|Lt|Col|Capt|Maj|Brig|Adm|Sgt|Jr|Sr|Hon|Rev|Mt|Ft"
    r"|Messrs|Atty|Engr|Smt|Co|Corp|Inc|Ltd|Bros|Cos|Rt|Md|Mohd|Muhd)\.(?=[ \t,)])"
    r"|Ma\.(?=[ \t]+[A-Z][a-z])"  # Filipino "Ma." (Maria): "Ma. Theresa Lazaro"
)
# Lowercase Arabic name particles joined by a hyphen: "el-Sisi", "al-Sudani", "bin-Salman".
NAME_PARTICLE_RE = re.compile(r"(?:al|el|ad|an|ar|as|ash|at|az|ud|ul|bin|ibn|abu|bint)-(?=[A-Z])")
_TOKEN = (
    rf"(?:(?:[{UP}]\.){{2,}}(?:[{UP}](?![{LOW}]))?"  # U.S., A.W., H.E., U.S (title typo)
    rf"|{_ABBREV}"
    rf"|[{UP}]\.(?=[ \t][{UP}])"  # middle initial: James A. Baker
    rf"|(?<=[ \t])(?:al|el|ad|an|ar|as|ash|at|az|ud|ul|bin|ibn|abu|bint)-[{UP}]{_W}*(?:['’]s(?!{_W}))?"
    rf"|(?<=[ \t])[dl]['’][{UP}]{_W}*"  # French elision inside a name: "Côte d'Ivoire", "Giscard d'Estaing"
    rf"|[{UP}]{_W}*(?:[-&'’]{_W}+)*(?:['’]s(?!{_W}))?"  # word, Kassym-Jomart, O'Neill, China's
    r")"
)
CONNECTORS = frozenset(
    "of and the for de del da di do dos das du des la le van von der den y bin binti bint bte ibn ibni al el "
    "on & und ng e es".split()  # Italian/Portuguese "e" ("Cassa Depositi e Prestiti"), "Dar es Salaam"
)
# Connectors that may sit inside a person's name.
NAME_CONNECTORS = frozenset(
    "bin binti bint bte ibn ibni al el de del da di dos das du van von der den y la le".split()
)
_CONN = "|".join(sorted((re.escape(c) for c in CONNECTORS), key=len, reverse=True))
_SEP = r"[ \t]+"
RUN_RE = re.compile(rf"(?=[{UP}])(?<![{UP}{LOW}0-9])(?:{_TOKEN})(?:{_SEP}(?:(?:{_CONN}){_SEP})*{_TOKEN})*")
_PIECE_RE = re.compile(rf"{_TOKEN}|(?<![^ \t])(?:{_CONN})(?=[ \t])")
_SOFT_NL_RE = re.compile(r"\n(?![ \t\n])")
_APOS_RE = re.compile(r"\b(Dato|Datuk|Dato Seri|Dato Sri)['’]")


_KEY_LOWER = frozenset(
    {"Of", "And", "The", "For", "De", "Del", "Da", "Di", "Des", "Du", "La", "Le", "On", "Y"}
)


@dataclass(slots=True)
class Tok:
    """One token of a run: surface text (possessive 's removed), offsets, flags."""

    text: str
    start: int
    end: int  # end of ``text`` (before any possessive 's)
    conn: bool = False
    poss: bool = False  # the surface ended in 's / ’s
    key: str = ""  # lookup form: apostrophes unified, title-cased connectors lowered

    def __post_init__(self) -> None:
        if not self.key:
            k = self.text.replace("’", "'")
            self.key = k.lower() if k in _KEY_LOWER else k


def is_wrapped(text: str) -> bool:
    """True for hard-wrapped wire copy (most lines 30-90 characters), where a newline is a space."""
    lines = text.split("\n")
    if len(lines) < 4:
        return False
    mid = sum(1 for ln in lines[:-1] if 30 <= len(ln) <= 90)
    return mid >= 0.6 * (len(lines) - 1)


def prepare(text: str) -> str:
    """Same-length copy of ``text`` for matching: soft newlines -> spaces, Dato' -> Dato."""
    scan = text
    if "\n" in text and is_wrapped(text):
        scan = _SOFT_NL_RE.sub(" ", scan)
    if "'" in scan or "’" in scan:
        scan = _APOS_RE.sub(lambda m: m.group(1) + " ", scan)
    return scan


def tokens(scan: str, start: int, end: int) -> list[Tok]:
    """Tokens of the run ``scan[start:end]``."""
    out = []
    for m in _PIECE_RE.finditer(scan, start, end):
        s, e = m.span()
        word = m.group()
        if word in CONNECTORS and word[0].islower() or word == "&":
            out.append(Tok(word, s, e, conn=True))
        elif word.endswith(("'s", "’s")) and len(word) > 2:
            out.append(Tok(word[:-2], s, e - 2, poss=True))
        else:
            out.append(Tok(word, s, e))
    return out


def runs(scan: str) -> list[tuple[int, int]]:
    """Spans of all capitalised runs in the scan text, in order."""
    return [m.span() for m in RUN_RE.finditer(scan)]


def lower_word_in(scan: str, word: str) -> bool:
    """True if the lower-case ``word`` occurs in ``scan`` as a whole word."""
    if not word or word == word.upper():
        return False
    n = len(word)
    i = scan.find(word)
    while i >= 0:
        before = scan[i - 1] if i else " "
        after = scan[i + n] if i + n < len(scan) else " "
        if not before.isalpha() and not after.isalpha():
            return True
        i = scan.find(word, i + 1)
    return False
