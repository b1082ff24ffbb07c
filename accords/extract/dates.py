"""Find and resolve date expressions ("on Wednesday", "March 3", "yesterday", "last July").

Relative expressions are resolved against the article's publication date. Each match carries a
precision (day, week, month or year) so callers can use coarse dates for reasoning ("was this
signed long before the article?") while only reporting day-precise dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thurs": 3, "thu": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5,
    "sunday": 6, "sun": 6,
}  # fmt: skip

_MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY_RE = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_YEAR_RE = r"(?:1[89]\d\d|20\d\d)"

# One alternation, tried left to right; named groups tell which form matched.
_DATE_RE = re.compile(
    rf"""\b(?:
      (?P<iso>(?P<iy>{_YEAR_RE})-(?P<im>\d\d)-(?P<id>\d\d))
    | (?P<md>(?P<md_m>{_MONTH_RE})\s+(?P<md_d>\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(?P<md_y>{_YEAR_RE}))?)
    | (?P<dm>(?P<dm_d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<dm_m>{_MONTH_RE})
        (?:,?\s+(?P<dm_y>{_YEAR_RE}))?)
    | (?P<rel>today|tonight|yesterday|tomorrow)
    | (?P<wd>(?:(?P<wd_mod>last|next|this|on|since|until|by)\s+)?(?P<wd_d>{_WEEKDAY_RE}))
    | (?P<lm>(?P<lm_mod>last|next|this|early|late|mid|in|since|until|by)[\s-]+(?P<lm_m>{_MONTH_RE})(?!\s+\d)
        (?:\s+(?P<lm_y>{_YEAR_RE}))?)
    | (?P<my>(?P<my_m>{_MONTH_RE})\s+(?P<my_y>{_YEAR_RE}))
    | (?P<rp>(?P<rp_mod>last|next|this|past)\s+(?P<rp_u>week|month|year))
    | (?P<yr>(?P<yr_y>{_YEAR_RE}))
    )\b""",
    re.IGNORECASE | re.VERBOSE,
)


@dataclass(frozen=True)
class DateMatch:
    """A date expression found in text: its span, resolved value and precision."""

    start: int
    end: int
    value: date | None
    precision: str  # "day" | "week" | "month" | "year"


def _month(token: str) -> int:
    return _MONTHS[token.lower().rstrip(".")]


def _nearest_year(month: int, day: int, published: date | None) -> date | None:
    """Year-less "March 3": the occurrence closest to the publication date."""
    if published is None:
        return None
    best: date | None = None
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            cand = date(year, month, day)
        except ValueError:
            continue
        if best is None or abs((cand - published).days) < abs((best - published).days):
            best = cand
    return best


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _resolve(m: re.Match[str], published: date | None) -> tuple[date | None, str]:
    """Resolve one regex match to (date, precision)."""
    g = m.groupdict()
    if g["iso"]:
        return _safe_date(int(g["iy"]), int(g["im"]), int(g["id"])), "day"
    if g["md"] or g["dm"]:
        mon = _month(g["md_m"] or g["dm_m"])
        day = int(g["md_d"] or g["dm_d"])
        year = g["md_y"] or g["dm_y"]
        if year:
            return _safe_date(int(year), mon, day), "day"
        return _nearest_year(mon, day, published), "day"
    if g["rel"]:
        if published is None:
            return None, "day"
        offset = {"yesterday": -1, "tomorrow": 1}.get(g["rel"].lower(), 0)
        return published + timedelta(days=offset), "day"
    if g["wd"]:
        if published is None:
            return None, "day"
        target = _WEEKDAYS[g["wd_d"].lower()]
        mod = (g["wd_mod"] or "").lower()
        back = (published.weekday() - target) % 7
        if mod == "next":
            return published + timedelta(days=(target - published.weekday()) % 7 or 7), "day"
        if mod == "last" and back == 0:
            back = 7
        # News reports past events: a bare weekday is the latest such day on/before publication.
        return published - timedelta(days=back), "day"
    if g["lm"] or g["my"]:
        mon = _month(g["lm_m"] or g["my_m"])
        year_txt = g["lm_y"] or g["my_y"]
        if year_txt:
            return date(int(year_txt), mon, 1), "month"
        if published is None:
            return None, "month"
        mod = (g["lm_mod"] or "").lower()
        if mod == "last":
            year = published.year if mon < published.month else published.year - 1
        elif mod == "next":
            year = published.year if mon > published.month else published.year + 1
        else:
            # Closest occurrence either way ("in May" in March is this May; "in November" in
            # March is last November).
            year = published.year
            if mon - published.month > 6:
                year -= 1
            elif published.month - mon > 6:
                year += 1
        return date(year, mon, 1), "month"
    if g["rp"]:
        if published is None:
            return None, g["rp_u"].lower()
        mod, unit = g["rp_mod"].lower(), g["rp_u"].lower()
        sign = {"last": -1, "past": -1, "next": 1}.get(mod, 0)
        if unit == "week":
            return published + timedelta(days=7 * sign), "week"
        if unit == "month":
            idx = published.year * 12 + published.month - 1 + sign
            return date(idx // 12, idx % 12 + 1, 1), "month"
        return date(published.year + sign, 1, 1), "year"
    if g["yr"]:
        return date(int(g["yr_y"]), 1, 1), "year"
    return None, "day"


def find_dates(text: str, published: date | None, start: int = 0, end: int | None = None) -> list[DateMatch]:
    """Find date expressions in ``text[start:end]`` and resolve them against ``published``.

    Offsets in the result index into ``text``. Year-only numbers are reported with precision
    "year" (callers decide whether a bare number is a year).
    """
    out: list[DateMatch] = []
    for m in _DATE_RE.finditer(text, start, len(text) if end is None else end):
        if re.search(r"(?<![A-Za-z])may(?![A-Za-z])", m.group()):
            continue  # lower-case "may" is the modal verb ("this may help"), not the month
        value, precision = _resolve(m, published)
        out.append(DateMatch(m.start(), m.end(), value, precision))
    return out


def resolve_date(expression: str, published: date | None) -> date | None:
    """Resolve a single day-precise expression ("on Wednesday", "March 3", "yesterday").

    Returns None when the expression is not day-precise or cannot be resolved.
    """
    for d in find_dates(expression, published):
        if d.precision == "day" and d.value is not None:
            return d.value
    return None
