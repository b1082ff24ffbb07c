"""Future and modal framing of a signing: "will witness the signing of" is planned, not signed.

The signing verbs ("signing", "exchange", "conclusion") appear as nouns under a governing verb
that says whether the event happened. This module recognises the governing verbs that put the
event in the future or in the wishes of the speaker. Pure regular expressions, no imports from
other extraction modules.
"""

from __future__ import annotations

import re

_EVENT_NOUN = r"(?:signing|signature|exchange|conclusion|finali[sz]ation|launch)"
FUTURE_FRAME = re.compile(
    # "will (also) witness the signing of", "are expected to witness the exchange of"
    r"\b(?:will|shall|would|to|expected\s+to|set\s+to|due\s+to|scheduled\s+to)\s+(?:\w+ly\s+|also\s+|jointly\s+)?"
    rf"(?:witness|attend|oversee|observe|preside\s+over|grace)\s+(?:the\s+)?{_EVENT_NOUN}\b"
    # "looked forward to the (early) signing / conclusion of", "look forward to signing"
    rf"|\blook(?:s|ed|ing)?\s+forward\s+to\s+(?:the\s+)?(?:early\s+|swift\s+|timely\s+)?(?:{_EVENT_NOUN}|signing)\b"
    # "working towards / work toward the signing of"
    rf"|\bwork(?:s|ed|ing)?\s+towards?\s+(?:the\s+)?(?:early\s+)?{_EVENT_NOUN}\b"
    # "are expected to sign", "are set to conclude", "will be signed", "to be signed"
    r"|\b(?:expected|set|due|scheduled|poised|slated)\s+to\s+(?:be\s+)?(?:sign|conclud|exchang|ink)\w*"
    r"|\b(?:will|to)\s+be\s+(?:signed|exchanged|concluded|inked)\b"
    # "will visit X to attend the ceremony and witness the signing of": a bare "witness" coordinated
    # with an earlier modal or infinitive verb shares its future.
    rf"|\b(?:will|shall|to)\s[^.;:]{{0,160}}?\band\s+(?:also\s+)?(?:witness|attend|oversee)\s+(?:the\s+)?{_EVENT_NOUN}\b",
    re.IGNORECASE,
)
# "welcomed the conclusion of negotiations on / the substantial conclusion of": agreed, not signed.
_CONCLUDED_TALKS = re.compile(
    r"\b(?:substantial\s+)?conclusion\s+of\s+(?:the\s+)?(?:\w+\s+)?negotiations?\b|\bsubstantial(?:ly)?\s+conclu\w*",
    re.IGNORECASE,
)


def future_framing(context: str) -> bool:
    """True when a signing in ``context`` is framed as future or hoped for ("will witness the signing")."""
    return bool(FUTURE_FRAME.search(context))


def concluded_talks(context: str) -> bool:
    """True when ``context`` reports negotiations concluded, not an instrument signed."""
    return bool(_CONCLUDED_TALKS.search(context))
