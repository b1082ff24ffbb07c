"""Status and background cues: whether an instrument mention is signed, agreed, planned or background.

Regular expressions over the words around an instrument noun, and ``status_of`` /
``nearest_status``, which turn them into a status (signed / agreed / planned). Hedges ("not",
"uncertain") and background cues ("under the 1994 treaty", "the existing agreement") mark mentions
that report no new instrument.
"""

from __future__ import annotations

import re

from accords.extract.modality import FUTURE_FRAME, concluded_talks, future_framing

_SIGN_VERBS = (
    r"sign|ink|initial|conclude|seal|clinch|finali[sz]e|complete|reach|strike|exchange|renew|"
    r"ratify|put\s+together|work\s+out|draw\s+up|negotiate|find|found|agree|adopt|issue|enter\s+into|have|"
    r"prepare|draft|launch"
)
_PLANNED_SIGN = re.compile(
    rf"\b(?:will|would|shall|should|could|can|may|might|to|expects?|expected|plans?|planned|intends?|hopes?)"
    rf"\s+(?:(?:\w+ly|soon|also|jointly|further|then|now|swiftly)\s+)?(?:not\s+)?(?:be\s+)?(?:{_SIGN_VERBS})\w*"
    # "expedite / work towards the (early) conclusion of", "accelerate negotiations on"
    r"|\b(?:expedit\w*|accelerat\w*|speed\w*\s+up|fast-?track\w*|towards?|early|swift|speedy|timely|prompt)"
    r"\s+(?:the\s+)?(?:early\s+|swift\s+|speedy\s+|timely\s+)?(?:conclu\w*|finali[sz]\w*|signing|signature|negotiat\w*)"
    # "agreed to open / begin negotiations on", "announced the launch of negotiations toward"
    r"|\b(?:open\w*|begin\w*|began|begun|start\w*|launch\w*|resum\w*|hold\w*|enter\w*\s+into)\s+(?:of\s+)?"
    r"(?:the\s+)?(?:formal\s+|official\s+|bilateral\s+)?negotiations?\b",
    re.IGNORECASE,
)
# "used the occasion / took the opportunity to sign": an event, not a plan.
_OCCASION_SIGN = re.compile(
    r"\b(?:us\w*|t[oa]ke?s?|took|seiz\w*)\s+(?:the|this|that)\s+(?:occasion|opportunity)\s+to\s+"
    r"(?:sign|ink|conclude|exchange|initial)\b",
    re.IGNORECASE,
)
SIGNED = re.compile(
    r"\b(?:sign(?:ed|s|ing)?|ink(?:ed|s)?|initial(?:l)?ed|concluded|conclusion|exchang(?:ed|ing)|exchange\s+of|renewed|"
    r"ratified|entered\s+into|executed|inked)\b",
    re.IGNORECASE,
)
_NEGOTIATED = re.compile(
    r"\b(?:conclu\w*|complet\w*|finali[sz]\w*)\s+(?:of\s+)?(?:the\s+)?(?:\w+\s+)?negotiations?\b", re.I
)
_AGREED = re.compile(
    r"\b(?:reach(?:ed|es)?|agreed|struck|strikes|clinched|sealed|announced|announces|unveiled|adopted|"
    r"issued|released|approved|finali[sz]ed|completed|secured|accepted|endorsed|hammered\s+out|announcement\s+of|"
    r"worked\s+out|won)\b",
    re.IGNORECASE,
)
_PLANNED = re.compile(
    r"\b(?:negotiat\w*|talks|expect\w*|close\s+(?:to|at\s+hand)|(?:very\s+)?near|draft\w*|proposed|"
    r"prospective|planned|upcoming|possible|potential|under\s+discussion|discuss\w*|hop(?:e|es|ed|ing)|"
    r"eventual(?:ly)?|soon|forthcoming|pending|envisag\w*|aim\w*\s+to|confident\s+of|seek\w*)\b",
    re.IGNORECASE,
)
# Hedges and negations: the instrument is not (being) concluded.
HEDGE = re.compile(
    r"\b(?:not|no|never|uncertain|unlikely|doubt\w*|less\s+certain|fail(?:ed|s)?\s+to|failure|"
    r"refus\w*|reject\w*|collaps\w*|scrap\w*|cancel\w*|terminat\w*|suspend\w*|withdr[ae]w\w*|"
    r"breach\w*|violat\w*|recommend\w*|urg(?:e|ed|es|ing)|call(?:s|ed)?\s+for|complain\w*|"
    r"complaint|against|prospects?\s+for|whether|possible|potential|eventual)\b",
    re.IGNORECASE,
)
# Background: the instrument exists already and is only referred to.
BACKGROUND = re.compile(
    r"\b(?:under|in\s+line\s+with|pursuant\s+to|in\s+accordance\s+with|according\s+to|"
    r"within\s+the\s+framework\s+of|framework\s+of|based\s+on|implement\w*|adher\w*|honou?r\w*|abid\w*|"
    r"compl(?:y|ies|iance)|enforce\w*|monitor\w*|stick\w*\s+(?:by|to|with)|respect\w*|earlier|previous(?:ly)?|existing|former|prior|current|"
    r"recent(?:ly)?|last|for\s+example|for\s+instance|such\s+as|like|review\w*|welcom\w*|at\s+the\s+time\s+of|"
    r"anniversary|since|terms\s+of|extension\s+of|expir\w*|amend(?:s|ing)?|to\s+upgrade|upgrading|"
    r"expand(?:s|ing)?|expansion\s+of|broaden\w*|importance\s+of|"
    # a provision or aim of an existing instrument: "Article 6 of", "the temperature goal of"
    r"articles?\s+\d+\w*(?:\.\d+)?\s+of|goals?\s+of|objectives?\s+of|principles?\s+of|spirit\s+of|provisions?\s+of)\b",
    re.IGNORECASE,
)
# "welcomed the signing of": a report of the signing itself, not a background mention.
_WELCOMED_EVENT = re.compile(
    r"welcom\w*\s+(?:the\s+)?(?:successful\s+)?(?:signing|conclusion|exchange|adoption|renewal)\s+of\b", re.I
)


def background_cue(window: str) -> bool:
    """True when ``window`` (the words before an instrument) frames it as background.

    "welcomed" is background ("welcomed the existing agreement") except when it welcomes the
    signing itself ("welcomed the signing of the MOU"), which reports the event.
    """
    return any(
        not (m.group().lower().startswith("welcom") and _WELCOMED_EVENT.match(window, m.start()))
        for m in BACKGROUND.finditer(window)
    )


# A reporting verb whose object is a clause ("noted that", "agreed that").
REPORTED = re.compile(
    r"\b(?:agreed|noted|announced|confirmed|said|stated|welcomed|stressed|expressed\s+hope|hoped)\s+that\b",
    re.I,
)
COORDINATED = re.compile(r"\b(?:and|as\s+well\s+as)\s+(?:an?|the)?\s*(?:\w+\s+){0,2}$", re.I)
# An instrument whose instruments of ratification are exchanged in the news event.
RATIFIED_BEFORE = re.compile(
    r"\b(?:ratif\w*|instruments?\s+of\s+(?:ratification|accession))\s+(?:of\s+)?(?:the\s+|an?\s+)?"
    r"(?:[a-z][\w-]*\s+){0,3}$",  # "ratified an extradition treaty"
    re.I
)
# A passive participle right after the noun: "the agreement signed today", "the MoU was inked".
PASSIVE = re.compile(
    r"^\s*(?:\)|\([A-Z][\w-]*\))?\s*,?\s*(?:(?:which|that)\s+)?(?:(?:was|were|has\s+been|have\s+been|had\s+been|is|are|being)\s+)?"
    r"(?:(?P<s>signed|inked|initial(?:l)?ed|concluded|exchanged|renewed)|(?P<a>reached|agreed|struck|announced))\b",
    re.IGNORECASE,
)
ISSUED = re.compile(r"\b(?:adopt|issu|releas|sign|publish)\w*", re.I)
STATUS_RANK = {"planned": 0, "agreed": 1, "signed": 2}


def status_of(*contexts: str) -> str | None:
    """Status from the first context that has a cue (nearest context first)."""
    for ctx in contexts:
        if not ctx:
            continue
        if _OCCASION_SIGN.search(ctx):
            return "signed"
        if future_framing(ctx):
            return "planned"
        if concluded_talks(ctx):
            return "agreed"
        if _PLANNED_SIGN.search(ctx):
            return "planned"
        if _NEGOTIATED.search(ctx):
            return "agreed"
        if SIGNED.search(ctx):
            return "signed"
        if _AGREED.search(ctx):
            return "agreed"
        if _PLANNED.search(ctx):
            return "planned"
    return None


# "will witness the signing of" ends where "signing" does: listed first, the future frame wins the tie.
_CUES = (("planned", FUTURE_FRAME), ("planned", _PLANNED_SIGN), ("agreed", _NEGOTIATED), ("signed", SIGNED),
         ("agreed", _AGREED), ("planned", _PLANNED))  # fmt: skip


def nearest_status(pre: str) -> str | None:
    """Status of the cue that ends closest to the end of ``pre`` (ties: listed order wins).

    In "agreed that the two countries will begin negotiations on an FTA" the nearest cue
    ("negotiations") governs the instrument, not the sentence's main verb ("agreed").
    """
    best: tuple[int, int, str] | None = None
    for rank, (st, rx) in enumerate(_CUES):
        for m in rx.finditer(pre):
            key = (m.end(), -rank, st)
            if best is None or key[:2] > best[:2]:
                best = key
    return best[2] if best else None


ONGOING_SINCE = re.compile(
    r"\b(?:under\s+(?:discussion|negotiation|consideration)|negotiat\w*|discuss\w*|talks|work(?:ed)?\s+on)"
    r"\b[^.;]{0,30}?\bsince\b",
    re.I,
)


# Only a coordinator and event nouns between two instruments: "X (ACR) and (the) signing of the".
CO_BACKGROUND = re.compile(
    r"\s*(?:\([A-Z][\w-]*\)\s*)?(?:and|as\s+well\s+as)\s+(?:the\s+)?"
    r"(?:(?:signing|entry\s+into\s+force|conclusion|launch|renewal)\s+of\s+(?:the\s+|a\s+)?)?",
    re.I,
)
# A counted plural whose items follow after ";": "two Memoranda of Understanding (MOU); a MOU on X".
COUNT_THEN_ITEMS = re.compile(r"\s*(?:\([A-Z]{2,6}s?\)\s*)?[;—–]\s*(?:an?|the|one)\s", re.I)
_OWN_NAME = re.compile(r"(?:\b[A-Z][\w'’-]*\s*)*$")


def background_window(sent: str, own0: int, a: int, mods: str) -> str:
    """The words before an instrument that may frame it as background.

    The window starts before the name's modifiers, so a long name does not push the cue out ("such
    as the entry into force of the X-Y Digital Economy Agreement"), and ends before the capitalised
    words of the name itself, which are no cue ("a legally binding Implementation Agreement").
    """
    own_name = _OWN_NAME.search(mods).group()  # type: ignore[union-attr]
    return sent[max(own0, a - len(mods) - 45) : a - (len(own_name) + 1 if own_name else 0)]


def future_frame_governs(pre: str) -> bool:
    """True when a future frame ends right before the instrument, however far back it starts.

    "will visit X on <date> to attend the ceremony for Y and witness the signing of": the nearest
    cue ("signing") alone would say signed.
    """
    fm = max(FUTURE_FRAME.finditer(pre), key=lambda x: x.end(), default=None)
    return fm is not None and len(pre) - fm.end() <= 30
