"""Which instrument nouns of a sentence name an instrument, before any record is built.

An instrument noun inside an organisation name ("General Agreement on Tariffs and Trade"), a verb
("to deal in", "will contract"), an internal "memorandum", the detail of a package of documents,
an instrument being amended or a joint statement's own content is no mention of its own.
"""

from __future__ import annotations

import re

from accords.extract.agreement_fields import STATEMENT_SCOPE
from accords.extract.context import Doc, mentions_in
from accords.extract.instruments import KIND_CLASS, KIND_OF_GROUP, TRIGGER

_ORG_INSIDE_NAME = re.compile(r"\bGeneral\s+Agreements?\s+on\s+Tariffs", re.IGNORECASE)
_NON_NOUN_BEFORE = frozenset("to will would can could must should great good in own".split())
# Instrument nouns that only detail an unindividuated package of documents.
_PACKAGE_DETAIL = re.compile(r"\b(?:including|includ(?:es|ed)|such\s+as|among\s+them|comprising)\b", re.I)
_AMENDED = re.compile(
    r"\b(?:amending|amend|amends|to\s+upgrade|upgrading|upgrade\s+of|review\s+of|revising)\s+(?:the\s+)?"
    r"(?:[\w'’-]+\s+){0,8}$",
    re.I,
)


# A statement as the source of the report: "said in a (joint) statement", "according to a statement".
_SOURCE_STATEMENT = re.compile(
    r"\b(?:said|says|announced|added|stated|according\s+to)\s+(?:in\s+)?(?:an?|the|their|its)\s+(?:joint\s+)?$",
    re.I,
)


def kept_triggers(doc: Doc, s0: int, s1: int) -> list[re.Match[str]]:
    """The instrument nouns of sentence ``text[s0:s1]`` that name an instrument (offsets in the sentence).

    Dropped: nouns inside an organisation name, verbs ("to deal", "will contract"), a bare
    internal "memorandum", the details of a package of documents, an instrument being amended
    and a joint statement's own content ("which sets out a roadmap").
    """
    text = doc.text
    sent = text[s0:s1]
    trigs = [m for m in TRIGGER.finditer(sent)]
    if not trigs:
        return []
    # An "organisation" that starts with the instrument noun is a mis-tagged instrument name
    # ("Joint Declaration on the Establishment ..."): the noun still counts.
    org_spans = [
        (a - s0, b - s0)
        for a, b, e in mentions_in(doc, s0, s1)
        if e.type == "ORGANIZATION" and not TRIGGER.match(text, a)
    ]
    kept: list[re.Match[str]] = []
    for m in trigs:
        a, b = m.span()
        if kept and kept[-1].lastgroup == "docs" and _PACKAGE_DETAIL.search(sent, kept[-1].end(), a):
            continue  # "a package of documents, including agreements and memoranda on A, B": one record
        if any(x <= a and b <= y for x, y in org_spans) or _ORG_INSIDE_NAME.match(sent, max(0, a - 8)):
            continue
        if _ORG_INSIDE_NAME.search(sent[max(0, a - 8) : b + 20]):
            continue
        prev_word = re.findall(r"[\w']+", sent[max(0, a - 20) : a])
        pw = prev_word[-1].lower() if prev_word else ""
        group = m.lastgroup or "agr"
        if group == "agr" and pw in _NON_NOUN_BEFORE:
            continue
        if group in ("contract", "protocol") and pw in {"to", "of", "will", "would"}:
            continue
        if (
            group == "mou"
            and m.group().lower().startswith("memorand")
            and "understanding" not in m.group().lower()
        ):
            # A bare "memorandum" is often an internal memo; keep it only with a topic or parties.
            if not re.match(r"\s+(?:on|of|between|for|with|to)\b", sent[b:]):
                continue
        if m.group().lower() == "accommodation" and not re.search(
            r"\b(?:reach\w*|f[io]und|find)\b", sent, re.I
        ):
            continue
        if KIND_CLASS.get(KIND_OF_GROUP[group]) == "statement" and _SOURCE_STATEMENT.search(sent, 0, a):
            continue  # "the companies said in a joint statement": where the news came from
        if kept and _AMENDED.search(sent, kept[-1].end(), a):
            continue  # the instrument being amended / upgraded is background, not a new one
        if (
            kept and KIND_CLASS.get(KIND_OF_GROUP[kept[-1].lastgroup or "agr"]) == "statement"
            and group == "prog" and STATEMENT_SCOPE.search(sent, kept[-1].end(), a)
        ):  # fmt: skip
            continue  # "the X Declaration, which sets out a roadmap for ...": its content, not a new one
        kept.append(m)
    return kept
