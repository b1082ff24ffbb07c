"""Rule-based sentence splitter returning character offsets.

Handles the two text shapes the project sees:

* modern press releases, where every line is a paragraph or a heading (a newline always ends
  a sentence, even without final punctuation);
* 1987 Reuters wire text, hard-wrapped at ~70 columns with paragraphs starting with four spaces
  (a newline inside a paragraph is just a soft wrap).

Periods after abbreviations ("Mr.", "Corp.", "Jan.", "U.S.", initials "A.W.") end a sentence only
when the next word is a typical sentence opener ("The", "It", ...); decimals never split because a
boundary needs whitespace after the punctuation.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Titles and other abbreviations that practically never end a sentence.
_NEVER_FINAL = frozenset(
    """mr mrs ms dr prof gen lt col maj capt cmdr adm sgt sen rep gov pres st mt ft no nos nr vs
    e.g i.e cf approx dept est fig hon rev messrs mme mlle sr jr""".split()
)
# Abbreviations that may end a sentence ("... sold to Charles Schwab Corp. The sale ...").
_MAYBE_FINAL = frozenset(
    """corp inc co ltd plc bros cos llc ag sa nv bv spa jan feb mar apr jun jul aug sep sept oct nov
    dec mon tue tues wed thu thur thurs fri sat sun etc al yr yrs pct mln bln dlrs""".split()
)
# Words that, after an ambiguous abbreviation, signal that a new sentence has started.
_OPENERS = frozenset(
    """the a an it its he she they we i this that these those there but and however in on at for
    as if when while after before during since under with by from his her their our also its
    meanwhile separately earlier later analysts officials sources both some many most other
    under one two three four five six seven eight nine ten""".split()
)

# A candidate boundary: terminal punctuation + optional closers + whitespace, or a newline.
_CANDIDATE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|\n")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_NEXT_TOKEN = re.compile(r"\s*([\"'“‘(\[]?)(\S+)")
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]?$")  # U.S, A.W, e.g
_LOWER_START = re.compile(r"[a-z]")
# An enumerator alone at the start of a line, right before a period ("\n12." / "\niv.").
_LINE_ENUM = re.compile(r"(?:^|\n)[ \t]*\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})$")
_ENUM_START = re.compile(r"(?:[-•*·▪–]|\(?[ivx]{1,4}\)|\(?\d{1,2}[.)]|\([a-z]\))\s")


def _is_wrapped(text: str) -> bool:
    """Guess whether ``text`` is hard-wrapped (wire style) rather than one paragraph per line."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < 3:
        return False
    longest = max(len(ln) for ln in lines)
    if longest > 90:
        return False
    full = sum(1 for ln in lines if len(ln.rstrip()) >= 35)
    return full >= 0.6 * len(lines)


def _period_ends_sentence(text: str, punct_start: int, after: int) -> bool:
    """Decide whether a period at ``punct_start`` (closers end at ``after``) ends a sentence."""
    m_next = _NEXT_TOKEN.match(text, after)
    if not m_next:
        return True
    nxt = m_next.group(2)
    if _LOWER_START.match(nxt) and not m_next.group(1):
        return False  # "... the U.S. economy", "approx. two"
    lo = max(0, punct_start - 40)
    m_word = _WORD_BEFORE.search(text, lo, punct_start + 1)
    if not m_word:
        return True
    word = m_word.group(1)
    low = word.lower()
    next_word = re.sub(r"[^\w]", "", nxt).lower()
    if low in _NEVER_FINAL:
        return False
    if low in _MAYBE_FINAL or _DOTTED.fullmatch(word) or len(word) == 1:
        # Single initials ("John A. Smith") and dotted forms ("U.S.") rarely end a sentence unless
        # an obvious opener follows.
        return next_word in _OPENERS
    return True


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences and return their ``(start, end)`` offsets (a new list each call).

    The agreement and meeting passes both read an article by sentences: the split of the last
    few texts is kept, so the second pass does not split again.
    """
    return list(_split_cached(text))


@lru_cache(maxsize=8)
def _split_cached(text: str) -> tuple[tuple[int, int], ...]:
    return tuple(_split(text))


def _split(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences and return their ``(start, end)`` offsets.

    Offsets index into ``text``; leading and trailing whitespace is excluded, so
    ``text[start:end]`` is the sentence. Headings and lines without final punctuation become
    their own sentences unless the text is hard-wrapped wire copy, where a newline only ends a
    sentence at a paragraph break (blank line or indented next line) or after final punctuation.
    """
    if not text:
        return []
    wrapped = _is_wrapped(text)
    cuts: list[int] = []
    n = len(text)
    for m in _CANDIDATE.finditer(text):
        s, e = m.start(), m.end()
        if text[s] == "\n":
            if not wrapped:
                cuts.append(s)
                continue
            nxt = text[e : e + 1]
            prev_line_end = text[max(0, s - 1) : s]
            if nxt in ("\n", " ", "\t", "") or prev_line_end == "\n" or _ENUM_START.match(text, e):
                cuts.append(s)  # blank line or indented paragraph start
            continue
        if text[s] == "." and _LINE_ENUM.search(text, max(0, s - 8), s):
            continue  # "1. MoU on ...", "b. Letter of Intent ...": an enumerator, not a full stop
        if (
            text[s] == "."
            and e - s == 1
            or text[s:e].startswith(".")
            and e - s <= 3
            and "..." not in text[s:e]
        ):
            if not _period_ends_sentence(text, s, e):
                continue
        else:
            # "?" / "!" followed by a lowercase word (e.g. a quoted question in running text).
            m_next = _NEXT_TOKEN.match(text, e)
            if m_next and _LOWER_START.match(m_next.group(2)) and not m_next.group(1):
                continue
        cuts.append(e)
    spans: list[tuple[int, int]] = []
    start = 0
    for c in [*cuts, n]:
        a, b = start, c
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            spans.append((a, b))
        start = c
    return spans
