"""The words around an instrument noun: modifiers and determiner, topic, title, clause, list-item name.

Pure functions over one sentence's text: "the new | MoU | on maritime cooperation" gives the
modifiers before the noun, its determiner and the topic after it; ``clause_bounds`` limits the
clause searched for parties; ``item_text`` cleans a list item into an instrument name.
"""

from __future__ import annotations

import re

DETERMINERS = frozenset(
    "a an the this that these those its their his her our your such any each every another new".split()
)
DEFINITE = frozenset("the this that these those such said".split())
STOP_BEFORE = frozenset(
    """a an the this that these those its their his her our your to of in on at for with by from and
    or but as is was were are be been has have had will would signed sign reached reach said which who
    witnessed exchange exchanged between into over under after before during following two three four
    five six seven eight nine ten several numerous some many various""".split()
)
ENUM = re.compile(
    r"\s*(?:[-•*·▪–]|\(?[ivxlc]{1,5}[.)]|\(?\d{1,2}[.)]|\(?[a-z]\)|(?-i:[a-z])\.(?=\s))\s*", re.IGNORECASE
)
_TOPIC_START = re.compile(
    r"^\s*(?:,\s*)?(?:on|for|in\s+the\s+(?:fields?|areas?|sectors?)\s+of|in(?!\s+(?-i:[A-Z]))|concerning|regarding|"
    r"amending|"
    r"covering|relating\s+to|related\s+to|of|to)\s+(?!which\b|principle\b|the\s+presence\b|force\b|effect\b|"
    r"place\b|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\s+\d|(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|"
    r"(?:close|be|go|take|expire|become|come|run|last|remain|bring|help|fall|collapse)\b)",
    re.IGNORECASE,
)
_TOPIC_END = re.compile(
    r",\s+and\s+(?=(?:the\s+)?(?-i:[A-Z])[^,;]{0,80}?\s(?:signed|inked|concluded)\b)|[;:.\"“”]"
    r"|,\s+(?:which|who|under|signed|exchanged|adopted|concluded|issued|inked|with|while|paving|as|following|after|during|to|"
    r"and\s+(?:the|a|an)\b)|\s(?:which|that|whereby|under\s+which|"
    r"in\s+which|between|with|was|were|is|are|will|would|has|have|had|said|at\s+the|in\s+the\s+presence|"
    r"during|amid|on\s+the\s+sidelines|"
    r"witnessed|signed|by\s+the|by\s+(?:end|the\s+end|mid|early|late)|and\s+an?|and\s+the\s+(?:\w+\s+){0,3}?"
    r"(?:signed|exchanged|agreed|issued|adopted|witnessed|will|would|was|were|has|have))\b"
    r"|\s(?:in|at)\s+(?-i:[A-Z])(?!\w*\s+(?:of|and)\b)|\son\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|\d)",
    re.IGNORECASE,
)
# Trailing connectors left on a cut name ("... Energy Cooperation and an").
TRAILING_JUNK = re.compile(r"(?:[\s,;]+(?:and|or|as\s+well\s+as|an?|the|also))+[\s,;]*$|[\s,;]+$", re.I)
# Clause limits for party search.
_CLAUSE_BACK = re.compile(
    r"(?:[;:]|\bsaid\b|\bsays\b|\btold\b|\bthat\b|,\s+(?:and|but|while|although)\b|\badded\b|\bstressed\b|"
    r"\bnoted\b|[\"“”])",
    re.IGNORECASE,
)
_CLAUSE_FWD = re.compile(
    r",\s+and\s+(?=(?:the\s+)?(?-i:[A-Z])[^,;]{0,80}?\s(?:signed|inked|concluded)\b)"  # a second deal
    r"|\sthat\s+(?:would|will|could|can|should|may|allows?|enables?|provides?)\b"
    r"|(?:[;:]|,\s+(?:which|who|under|to|and\s+said|but|while|although|he|she|they|it|covering|including|paving|"
    r"south|north|east|west)\b|\s(?:which|whereby|while|"
    r"under\s+which|in\s+which|aimed|than|to\s+(?!the\b)[a-z]+)\b|[\"“”])",
    re.IGNORECASE,
)
LEAD_VERB = re.compile(
    r"\b(?:agreed|signed|also|will|would|have|has|had|was|were|is|are|welcomed|witnessed|noted)\b", re.I
)
_TIME_POSSESSIVE = re.compile(
    r"(?:today|yesterday|tonight|(?:mon|tues|wednes|thurs|fri|satur|sun)day|week|month|year)['’]s?"
)


def modifiers_before(sent: str, trig_start: int) -> tuple[str, str]:
    """Words directly before the trigger inside its noun phrase, and the determiner (if any)."""
    words = re.findall(r"[\w'’./-]+|[,;:()\"“”]", sent[:trig_start])
    mods: list[str] = []
    det = ""
    for w in reversed(words[-6:]):
        lw = w.lower()
        if lw in DETERMINERS:
            det = lw
            break
        if _TIME_POSSESSIVE.fullmatch(lw):
            det = "the"  # "today's agreement" points back to the one just reported
            break
        if not re.match(r"[\w]", w) or lw in STOP_BEFORE or lw.endswith("ed") and lw not in {"united", "red"}:
            break
        mods.append(w)
    if det in {"new"}:
        det = ""
    return " ".join(reversed(mods)), det


_WITH_PARTY = re.compile(r"^\s*(?:with|between)\s+[^,;:]{1,80}?(?=\s(?:on|for|regarding|concerning)\s)", re.I)


def topic_of(post: str) -> str:
    """The complement that names the instrument's subject ("on maritime cooperation").

    A party phrase may come first: "an MoU with X Electric on a solar plant".
    """
    m = _TOPIC_START.match(post)
    if not m:
        w = _WITH_PARTY.match(post)
        if not w:
            return ""
        t = topic_of(post[w.end() :])
        return t
    rest = post[m.end() :]
    e = _TOPIC_END.search(rest)
    return post[: m.end() + (e.start() if e else len(rest))].strip(" ,")


_TITLE_SPAN = re.compile(
    r"(?=\s+(?:of|on|for|between|regarding|concerning)\s)"
    r"(?:\s+(?:\([A-Z][\w-]*\)|(?:of|on|for|in|and|the|between|regarding|concerning|to|with|from|"
    r"(?!(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b)[A-Z][\w'’-]*|\d{4}(?:[-–]\d{2,4})?)))+"
)
_TITLE_WORD = re.compile(r"\b[A-Z][\w'’-]*")


def title_topic(post: str) -> str:
    """The title-case rest of a proper instrument name ("Agreement | between X and Y Regarding Z").

    Runs of capitalised words and connectors; trailing connectors are dropped. Only used for a
    capitalised trigger word, where lower-case topic rules ("in <Place>") would cut the title.
    """
    m = _TITLE_SPAN.match(post)
    if not m or not _TITLE_WORD.search(m.group()):
        return ""
    span = re.sub(
        r"(?:\s+(?:of|on|for|in|and|the|between|regarding|concerning|to|with|from))+$", "", m.group()
    )
    return span.strip() if _TITLE_WORD.search(span) and span.split()[0][:1].islower() else ""


_ITEM_NAME_END = re.compile(r";|,\s+(?:signed|which|who|to\s+be|paving|with\s+the)\b|\.\s*$", re.I)
_ITEM_LEAD = re.compile(r"^(?:an?|the)\s+", re.I)


def item_text(sent: str) -> str:
    """A list item without its enumerator, trailing clauses and connectors ("; and")."""
    item = ENUM.sub("", sent, count=1)
    m = _ITEM_NAME_END.search(item)
    if m:
        item = item[: m.start()]
    item = TRAILING_JUNK.sub("", re.sub(r"\s+", " ", item)).strip(" ;.,")
    return _ITEM_LEAD.sub("", item)


_ITEM_SPLIT = re.compile(
    r";|,\s*(?:and\s+|as\s+well\s+as\s+)?(?=on\b|in\b|for\b|between\b)|\s+and\s+(?=on\b|in\b|for\b)"
)


def split_items(text: str, count: int) -> list[str]:
    """Split an enumeration of topics ("on A, on B and on C") into items."""
    parts = re.split(_ITEM_SPLIT, text)
    parts = [p.strip(" ,.") for p in parts if p and p.strip(" ,.")]
    if len(parts) != count:
        alt = [p.strip(" ,.") for p in re.split(r",\s*(?:and\s+)?|\s+and\s+", text) if p.strip(" ,.")]
        if len(alt) == count:
            return alt
    return parts


def clause_bounds(sent: str, pos: int, end: int) -> tuple[int, int]:
    """Clause boundaries (relative to ``sent``) around the trigger at ``pos``-``end``."""
    back = 0
    for m in _CLAUSE_BACK.finditer(sent, 0, pos):
        back = m.end()
    fm = _CLAUSE_FWD.search(sent, end)
    fwd = fm.start() if fm else len(sent)
    return back, fwd


# The topic's continuation that the place rule cut ("on cooperation | in AI between ..."): a
# place name carries no field keyword, so reading it for fields is harmless.
_IN_MORE = re.compile(r"\s+in\s+([^,;.()]{1,60}?)(?=\s+(?:between|with|by)\b|[,;.]|$)")
# A trailing occasion after a listed title: "... Development on the side-lines of the State Visit".
OCCASION_TAIL = re.compile(r"\s+(?:on\s+the\s+(?:side-?lines|margins?)\s+of|during|at)\s+the\b.*$", re.I)


def topic_continuation(sent: str, topic: str, b: int) -> str:
    """The "in X" words right after ``topic`` (found from offset ``b``), or "" ("in AI")."""
    if not topic:
        return ""
    more = _IN_MORE.match(sent, sent.find(topic, b) + len(topic))
    return more.group(1) if more else ""


def semicolon_titles(post: str) -> list[str]:
    """Titles listed after an uncounted plural with ";" ("MOUs on A; B; and C"), or [].

    Every part must open with a capital, as titles do; a leading "on" / "in" / "for" is dropped.
    """
    if ";" not in post:
        return []
    parts = [x.strip(" ,.") for x in re.split(r";\s*(?:and\s+)?", post) if x.strip(" ,.")]
    parts[0] = re.sub(r"^(?:on|in|for)\s+", "", parts[0])
    return parts if len(parts) >= 2 and all(x[:1].isupper() for x in parts) else []
