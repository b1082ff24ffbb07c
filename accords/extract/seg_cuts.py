"""Run cutting: join or cut the capitalised runs of an article before their pieces are typed.

``merge_portfolios`` joins a portfolio list that a comma split into several runs ("Ministry of
Economy, Trade and Industry"); ``cut_run`` cuts one run's tokens where a name cannot continue:
after a legal suffix ending a sentence ("Corp. The"), at a date word after a connector
("Tashkent on Wednesday"), at an instrument's subject ("... Regarding the ...") and at a bare
"the" ("at Palazzo Chigi the President").
"""

from __future__ import annotations

import re

from accords.extract.scan import Tok
from accords.extract.seg_instrument import INSTRUMENT_PREPS

# Weekdays and months: "on Wednesday" / "in May" ends a name (a connector never joins across them).
_TIME_WORDS = frozenset(
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June "
    "July August September October November December".split()
)
# A title or body with a portfolio ("Ministry of Investment", "Minister for Trade") ending a run,
# and the ", " / ", and " that continues its list of portfolios in the next run.
_PORTFOLIO_HEAD_RE = re.compile(
    r"\b(?:Ministry|Minister|Ministers|Department|Secretary|Committee|Commission|Agency|Authority|Office)"
    r"[ \t]+(?:of|for)[ \t]+"
    r"(?:the[ \t]+)?[A-Z][\w-]*(?:[ \t]+[A-Z][\w-]*)?$"
)
_LIST_GAP_RE = re.compile(r",[ \t]+(and[ \t]+)?")
_FIRST_WORD_RE = re.compile(r"[A-Z][\w-]*")


def cut_run(toks: list[Tok], legal: frozenset[str]) -> list[list[Tok]]:
    """The pieces of one run's tokens, cut where a name cannot continue (``legal``: legal suffixes)."""
    return _cut_at_bare_the(_cut_at_time_words(_cut_after_abbrev(toks, legal)))


def merge_portfolios(
    scan: str, spans: list[tuple[int, int]], portfolio_words: frozenset[str]
) -> list[tuple[int, int]]:
    """Join "Ministry of Investment", "Trade and Industry" across the comma of a portfolio list."""
    out: list[tuple[int, int]] = []
    k = 0
    while k < len(spans):
        start, end = spans[k]
        k += 1
        if not _PORTFOLIO_HEAD_RE.search(scan, start, end):
            out.append((start, end))
            continue
        j, saw_and = k, False
        while j < len(spans):
            gap = _LIST_GAP_RE.fullmatch(scan, spans[j - 1][1], spans[j][0])
            first = _FIRST_WORD_RE.match(scan, spans[j][0])
            if not gap or not first or first.group() not in portfolio_words:
                break
            saw_and = saw_and or bool(gap.group(1)) or " and " in scan[spans[j][0] : spans[j][1]]
            j += 1
        if saw_and:
            out.append((start, spans[j - 1][1]))
            k = j
        else:
            out.append((start, end))
    return out


def _flush(cur: list[Tok], out: list[list[Tok]], trim: bool = True) -> list[Tok]:
    """End the phrase ``cur`` (dropping trailing connectors if ``trim``); a fresh empty one."""
    while trim and cur and cur[-1].conn:
        cur.pop()
    if cur:
        out.append(cur)
    return []


def _cut_after_abbrev(toks: list[Tok], legal: frozenset[str]) -> list[list[Tok]]:
    """A legal suffix with a full stop ("Schwab Corp. The sale") may end a sentence: cut there."""
    parts: list[list[Tok]] = [[]]
    for t in toks:
        parts[-1].append(t)
        if t.text.endswith(".") and t.text in legal:
            parts.append([])
    return [p for p in parts if p]


def _cut_at_bare_the(parts: list[list[Tok]]) -> list[list[Tok]]:
    """A "the" not after of/and/for starts a new phrase: "at Palazzo Chigi the President of ..."."""
    out: list[list[Tok]] = []
    for toks in parts:
        cur: list[Tok] = []
        for idx, t in enumerate(toks):
            prev = toks[idx - 1] if idx else None
            bare = prev is not None and not prev.conn and prev.text not in INSTRUMENT_PREPS
            if bare and t.conn and t.text == "the":
                cur = _flush(cur, out, trim=False)
                continue
            cur.append(t)
        _flush(cur, out, trim=False)
    return out


def _cut_at_time_words(parts: list[list[Tok]]) -> list[list[Tok]]:
    """A connector never joins a name across a date word: "Tashkent on Wednesday for the Council"."""
    out: list[list[Tok]] = []
    for toks in parts:
        cur: list[Tok] = []
        for idx, t in enumerate(toks):
            if idx and t.text in INSTRUMENT_PREPS:
                cur = _flush(cur, out)
                out.append(toks[idx:])
                break
            if idx and t.text in _TIME_WORDS and toks[idx - 1].conn:
                cur = _flush(cur, out)
                continue
            cur.append(t)
        _flush(cur, out, trim=False)
    return out
