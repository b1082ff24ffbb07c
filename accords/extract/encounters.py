"""The phrasings that report an encounter: visits, meetings, calls and summits (GUIDELINES "Meetings").

Each cue is a regular expression family with a *form* that tells the assembler how to read the
people around it:

* ``pair``: the subject meets each named object separately ("A met B and C", "A called on B",
  "A will have separate meetings with B, C") -> one meeting per counterpart;
* ``group``: everyone named takes part in one encounter ("A was hosted to lunch by B and C",
  "A co-chaired the Dialogue with B", "A and B held the Leaders' Retreat");
* ``visit``: the subject travels to the country or place after the cue;
* ``invite``: the object is invited to visit ("invited B to make a State Visit to K");
* ``call``: a phone or video call; ``gathering``: attendance at a named summit, forum or
  ministerial meeting.

Pure regular expressions and small predicates; no imports from other extraction modules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_VISIT_ADJ = (
    r"(?:(?:state|official|working|private|study|introductory|farewell|bilateral|overseas|"
    r"(?:two|three|four|five)-day)\s+)*"
)
_MEAL = r"(?:official\s+|state\s+)?(?:lunch|dinner|breakfast|tea|luncheon|banquet)"
_INVITE = (
    r"\binvit(?:e|es|ed|ing|ation\s+for)\b(?=[^.;]{0,120}?\b(?:to\s+(?:make|pay|undertake)\s+an?\s+"
    + _VISIT_ADJ + r"visit|to\s+visit)\b)"
)  # fmt: skip
_VISIT = (
    r"\b(?:is|was|are|were)\s+on\s+an?\s+" + _VISIT_ADJ + r"visit\s+to\b"
    r"|\b(?:make|makes|made|making|pay|pays|paid|paying|undertake|undertook|undertakes|conclude[sd]?|concluding"
    r"|beg[ia]n|begins|start(?:s|ed)?)\s+(?:an?\s+|(?:his|her|their)\s+)" + _VISIT_ADJ + r"visits?\s+to\b"
    r"|\b(?:will|to|would)\s+(?:also\s+)?visit\b|\bvisit(?:s|ed|ing)\b(?!\s+(?:by|of)\b)"
    r"|['’]s\s+" + _VISIT_ADJ + r"visit\s+to\b|\b(?:his|her|their)\s+" + _VISIT_ADJ + r"visits?\s+to\b"
    r"|\b(?:his|her|their|a|the)\s+(?:\w+\s+)?(?:trip|tour|journey)\s+to\b|\barriv(?:e|es|ed|ing)\s+in\b"
    r"|\b(?:travel(?:s|led|ling)?|fl(?:y|ies|ew|ying)|head(?:s|ed|ing)?)\s+(?:\w+\s+){0,3}?to\b"
)  # fmt: skip
# "the State Visit of X to K", "a visit by X to K": the visitor follows the cue
_VISIT_BY = r"\b(?:the\s+|an?\s+)?" + _VISIT_ADJ + r"visit\s+(?:of|by)\b(?=[^.;]{0,160}?\bto\b)"
_CALL = (
    r"\b(?:tele)?phone\s+(?:call|conversation|conference)s?\b|\bvideo\s*(?:call|conference)s?\b"
    r"|\bvirtual\s+(?:meeting|call)s?\b|\bspoke\s+(?:by|on\s+the)\s+(?:tele)?phone\b|\bphoned\b"
    r"|\b(?:by|over\s+the)\s+(?:tele)?phone\b|\b(?:had|held|have|has)\s+an?\s+call\s+with\b"
)
_GROUP = (
    r"\bco-?chair(?:s|ed|ing)?\b|\b(?:was|were|be|being)\s+(?:warmly\s+)?received\s+by\b"
    r"|\b(?:was|were|be|being)\s+hosted\s+(?:to\s+(?:an?\s+)?(?:[\w-]+\s+){1,3})?by\b|,\s+hosted\s+by\b"
    r"|\bhost(?:s|ed|ing)?\s+(?:an?\s+|the\s+)?" + _MEAL + r"\b"
    r"|\bhost(?:s|ed|ing)?\b(?=[^.;]{0,80}?\bto\s+(?:an?\s+)?(?:" + _MEAL + r"|tour)\b)"
    r"|\b(?:meeting|talks|discussions?)\s+between\b"
    r"|\bheld\s+(?:bilateral\s+|official\s+|fruitful\s+|productive\s+)?(?:talks|discussions"
    r"|a\s+(?:bilateral\s+|tête-à-tête\s+|productive\s+|good\s+)?(?:meeting|discussion))\b"
    r"|\bheld\s+the\s+(?:[\w’'-]+\s+){0,8}?(?:meeting|retreat|dialogue|consultations?)\b"
    r"|\b(?:had|have|has)\s+an?\s+(?:good\s+|productive\s+|fruitful\s+|warm\s+)?discussion\b"
    r"|\bdiscussed\b|\bexchanged\s+views\b|\bhost(?:s|ed|ing)?\s+(?-i:(?=[A-Z]))"
    # "A and B had a meeting in Putrajaya" (no "with": the subjects are the sides)
    r"|\b(?:had|held)\s+an?\s+(?:[\w-]+\s+)?meeting\b(?!\s+with\b)"
    # "held talks with B and C", "is to hold two days of meetings with B and C": one round of talks
    r"|\b(?:hold|holds|held|holding|had|have|has)\s+(?:(?!separate\b)\w+\s+){0,4}?(?:meetings|talks)\s+with\b"
    # a joint press conference is part of the leaders' meeting; "the two ministers ... at a news
    # conference" only with the two named sides (checked by the reader)
    r"|\b(?:joint\s+)?(?:press|news)\s+conference\b"
)  # fmt: skip
_PAIR = (
    r"\b(?:met|meets?)\b(?:\s+separately)?(?:\s+with\b)?|\bmeeting\s+(?:separately\s+)?with\b"
    r"|\bcall(?:s|ed|ing)?\s+(?:separately\s+)?on\b|\b(?:had|have|has|held|hold)\s+(?:separate\s+|bilateral\s+)"
    r"(?:meetings|talks)\s+with\b|\b(?:had|have|has|held|hold)\s+an?\s+(?:bilateral\s+)?meeting\s+with\b"
    # "received a courtesy call from B", "President A received Minister B"
    r"|\bcourtesy\s+calls?\s+(?:on|from)\b|\b(?:an?\s+)?audience\s+with\b|(?-i:\bmeeting)\s+(?-i:(?=[A-Z]))|\breceiv(?:e|es|ed|ing)\s+(?-i:(?=(?:the\s+)?(?:visiting\s+)?[A-Z]))"
)  # fmt: skip
_GATHERING_CUE = (
    r"\b(?:attend(?:s|ed|ing)?|attendance\s+at|t(?:ook|ake|akes|aking)\s+part\s+in|participat(?:e|es|ed|ing)\s+in|join(?:s|ed)?\s+(?:[\w.’'-]+\s+){0,12}?at"
    r"|on\s+the\s+sidelines?\s+of|deliver(?:s|ed)?\s+(?:\w+\s+){0,3}?(?:remarks|speech|address|statement)\s+at"
    r"|spoke\s+at|address(?:ed)?)\b"
    # "signed the FTA at the 63rd Summit of ...": a named summit after "at the"
    r"|\bat\s+(?=the\s+(?-i:(?:\d+(?:st|nd|rd|th)\s+)?(?:[A-Z][\w-]*\s+){0,6}(?:Summit|Conference|Forum|Ministerial)))"
)  # fmt: skip
# A leg of a tour already under way: "this week they sought support in the U.K., France and Italy"
_LEG = (
    r"\b(?:sought|seeking|held\s+talks|talked|consulted|toured|stopped\s+over)\b"
    r"(?=[^.;]{0,60}?\bin\s+(?:the\s+)?[A-Z])"
)
_CUES: list[tuple[str, str, str]] = [
    # (form, kind, pattern); earlier forms win at the same position
    ("invite", "visit", _INVITE),
    ("visit", "visit", _VISIT),
    ("visit_by", "visit", _VISIT_BY),
    ("call", "call", _CALL),
    ("group", "meeting", _GROUP),
    ("pair", "meeting", _PAIR),
    ("gathering", "summit", _GATHERING_CUE),
    ("leg", "visit", _LEG),
]
# Every cue starts at a word start (or at the apostrophe of "X's visit"): saying so up front lets the
# engine skip other positions, about three times faster on long sentences.
_ALTERNATIVES = "|".join(f"(?P<{form}_{i}>{rx})" for i, (form, _k, rx) in enumerate(_CUES))
CUE = re.compile(r"(?:(?<![a-z])(?=[a-z,])|(?=['’]))(?:" + _ALTERNATIVES + ")", re.I)
KINDS = {f"{form}_{i}": (form, kind) for i, (form, kind, _rx) in enumerate(_CUES)}

# Cheap pre-filter: only sentences holding one of these words (lower-cased) are read with ``CUE``.
# Plain substring search runs in C over the whole article; most wire copy has none of them.
KEYWORDS = (
    "visit", "met ", "met,", "met.", "met\n", "meet", "call on", "called on", "calls on", "calling on",
    "courtesy call", "call with", "call from", "phone", "video", "virtual", "host", "receiv", "chair",
    "talks", "discuss", "attend", "sideline", "summit", "conference", "forum", "ministerial", "join",
    "remarks", "invit", "retreat", "dialogue", "spoke", "addressed", "trip", "tour", "journey", "arriv",
    "travel", "flew", "fly", "flies", "flying", "heading", "headed", "heads ", "head to", "exchanged views",
    "part in", "particip", "audience", "sought", "seeking", "talked", "consulted", "stopped over",
)  # fmt: skip


def has_keyword(low: str) -> bool:
    """True when ``low`` (lower-cased text) holds one of ``KEYWORDS``."""
    return any(word in low for word in KEYWORDS)


# A named multilateral gathering: "the 17th Asia-Pacific Conference", "the Special ASEAN-India Foreign
# Ministers' Meeting", "the 63rd Summit of Heads of State of MERCOSUR".
_ORD = (
    r"(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth"
    r"|inaugural|special)"
)
GATHERING = re.compile(
    rf"\b(?:the\s+)?(?:{_ORD}\s+)?(?:[A-Z][\w.’'&-]*\s+(?:of\s+|and\s+|on\s+|for\s+|the\s+)*){{0,8}}"
    r"(?:Summit|Conference|Forum|Ministerial\s+Meeting|Ministers[’']\s+Meeting|Leaders[’']\s+Meeting|Session"
    r"|Meeting|Dialogue(?:\s+[XVI]+)?|Retreat|Congress|Assembly|Council|Committee|Commission|Consultations)"
    r"(?:\s+(?:of|on)\s+(?:the\s+)?(?:[A-Z][\w.’'&()-]*\s*(?:of\s+|and\s+|the\s+)*){1,10})?",
)
# Gatherings of two sides (a joint committee, a bilateral dialogue or retreat) are meetings, not summits.
BILATERAL_NAME = re.compile(
    r"\b[A-Z][a-z]+-[A-Z][a-z]+\s+(?:[A-Z][\w’']*\s+)*(?:Retreat|Dialogue|Committee|"
    r"Commission|Consultations|Leaders[’']\s+Meeting|Meeting)\b|Joint\s+Committee|Retreat\b"
)
MULTILATERAL = re.compile(
    r"\b(?:ASEAN|APEC|G-?7|G-?20|SCO|BRICS|MERCOSUR|EAS|UN|United\s+Nations|WTO|OPEC|"
    r"IMF|World\s+Bank|Commonwealth|Summit|Ministerial|Heads\s+of\s+(?:State|Government)|"
    r"Forum|Conference|Congress|Assembly|Dialogue\s+[XVI]+)\b"
)

_PLANNED = re.compile(
    r"\b(?:will|shall|would|is\s+to|are\s+to|to\s+be|(?:is|are)\s+(?:scheduled|expected|due|set|slated|poised"
    r"|going|likely)\s+to|plans?|planned|planning|intends?\s+to|decided\s+to|(?:is|are)\s+to\s+hold|invit\w+"
    r"|upcoming|forthcoming|possible|proposed|may|might|later\s+(?:this|today|tonight))\b",
    re.I,
)
# Said after the cue: "a visit to Moscow by the minister is under consideration".
_PLANNED_AFTER = re.compile(
    r"^[^.;]{0,80}?\b(?:is|was|are|were)\s+(?:being\s+)?(?:planned|scheduled|expected|under\s+consideration"
    r"|proposed)\b",
    re.I,
)
_BACKGROUND = re.compile(
    r"\b(?:since|last\s+(?:met|visited|visit|meeting|time|year|month)|previous(?:ly)?|earlier\s+(?:visit|meeting)"
    r"|first\s+met|recall\w*|had\s+met|has\s+met|have\s+met|had\s+visited|has\s+visited|have\s+visited|ago"
    r"|anniversary|look(?:s|ed|ing)?\s+forward|hope[sd]?\s+to|welcome[sd]?\s+the\s+(?:opportunity|visit)"
    r"|congratulat\w*|letter|wrote|message"
    # negated or called off: "there are no plans for him to meet", "did not meet", "cancelled his visit"
    r"|no\s+plans?|(?:did|does|do|will|would|could|has|have|had|is|was|were|are)\s+not|never|cancel\w*"
    r"|called\s+off|ruled\s+out|declined\s+to|refused\s+to|postpone\w*)\b|n[’']t\b",
    re.I,
)
# Where a cue's objects end: a new clause ("and that", ", but", ", which", ";").
OBJECT_STOP = re.compile(r"\band\s+that\b|,\s+(?:but|while|which|whom|where)\b|;")
PRONOUN = re.compile(r"\b(?:He|She|They|he|she|they)\b")
TWO_LEADERS = re.compile(
    r"\b(?:the\s+two|both)\s+(?:leaders|ministers|presidents|prime\s+ministers|heads)\b"
    r"|\btheir\s+(?:talks|meeting|discussions?)\b",
    re.I,
)
INVITATION_BY = re.compile(r"\bat\s+the\s+invitation\s+of\b", re.I)
ACCOMPANIED = re.compile(
    r"\baccompanied\s+by\b|\bjoined\s+by\b|\bdelegation\s+(?:also\s+)?(?:includes|included|comprising)\b",
    re.I,
)
# A guest named by honorific or pronoun only ("will host His Royal Highness to tea", "hosted him to lunch").
GUEST_WORDS = re.compile(
    r"\b(?:him|her|them|the\s+royal\s+couple|the\s+(?:visiting\s+)?delegation"
    r"|(?:His|Her|Their)\s+(?:Royal\s+)?(?:Highness|Majesty|Majesties|Highnesses))\b"
)
DAY_RANGE = re.compile(
    r"\b(\d{1,2})(?:\s*(?:to|-|–|and)\s*\d{1,2})\s+(January|February|March|April|May|June|July|"
    r"August|September|October|November|December)(?:\s+(\d{4}))?"
)


@dataclass(frozen=True)
class Cue:
    """One encounter cue in a sentence: how to read it (form), the meeting kind, and its span."""

    form: str
    kind: str
    start: int
    end: int


def cues(sentence: str) -> list[Cue]:
    """The encounter cues of ``sentence`` in text order."""
    out = []
    for m in CUE.finditer(sentence):
        form, kind = KINDS[m.lastgroup or ""]
        out.append(Cue(form, kind, m.start(), m.end()))
    return out


def planned(context: str, after: str = "") -> bool:
    """True when ``context`` (the clause up to the cue) or ``after`` (what follows the cue) puts it ahead."""
    return bool(_PLANNED.search(context) or (after and _PLANNED_AFTER.search(after)))


def background(context: str) -> bool:
    """True when ``context`` reports an encounter as past background, hope or courtesy, not news."""
    return bool(_BACKGROUND.search(context))


def gathering_name(text: str, anchored: bool = False) -> str | None:
    """The named gathering inside ``text`` ("the 33rd APEC Ministerial Meeting"), without "the".

    ``anchored``: only a name that starts the text (after "the" / "a"), as after "co-chaired".
    """
    m = GATHERING.search(text)
    if not m or anchored and text[: m.start()].strip(" ").lower() not in ("", "the", "a", "an"):
        return None
    name = re.sub(r"^the\s+", "", m.group().strip(" ,"))
    name = re.sub(r"\s+(?:of|on|and|the)$", "", name)
    return name if len(name.split()) >= 2 else None


def is_multilateral(name: str) -> bool:
    """True for a gathering of many sides (summit, forum, ministerial); False for a bilateral one."""
    if BILATERAL_NAME.search(name) and not re.search(r"ASEAN|Ministerial|Summit|Foreign\s+Ministers", name):
        return False
    return bool(MULTILATERAL.search(name))
