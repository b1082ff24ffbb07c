"""Lists of instruments: annex blocks and enumerated lines, one record per listed instrument.

Press releases often report "witnessed the exchange of the following MOUs:" or "The list of
agreements is at Annex A" and then give one instrument per line ("a) MOU on Cooperation in ...",
"Memorandum of Understanding between X and Y on Z"). This module finds those lines and the
sentence that introduces them (whose verb gives every item its status). Pure functions over the
article text; the agreement extractor turns each item into a record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from accords.extract.instruments import heads, kind_of

# "a)", "(ii)", "1.", "3)", "-", "•" before an item.
_ENUMERATOR = re.compile(r"^\s*(?:\(?[a-z]{1,3}\)|\(?\d{1,2}[.)]|[ivx]{1,4}[.)]|[-•*–])\s*", re.I)
# A line that introduces a list: ends with a colon, or points at an annex.
_COLON_END = re.compile(r":\s*$")
_FOLLOWING = re.compile(r"\bfollowing\b", re.I)
_ANNEX_POINTER = re.compile(
    r"\b(?:list|text)s?\b[^.\n]{0,60}\b(?:is|are)\s+(?:at|in|attached)\b[^.\n]{0,20}annex|"
    r"\bat\s+annex\b|\bannex(?:ed)?\s+(?:below|hereto)",
    re.I,
)
_ANNEX_TITLE = re.compile(r"^\s*annex(?:\s+[A-Z0-9]{1,2})?\s*(?:[-–:]\s*(?P<rest>.*))?$", re.I)
# A finite verb marks prose, not an item name ("The MOU will promote ...").
_PROSE_VERB = re.compile(
    r"\b(?:is|are|was|were|will|would|has|have|had|signed|welcomed|witnessed|noted|said|agreed|"
    r"discussed|reaffirmed|expressed)\b",
    re.I,
)
_MAX_ITEM = 320
_ARTICLE = re.compile(r"\s*(?:(?:the|an?)\s+)?", re.I)
_DESCRIPTION = re.compile(
    r",\s+(?:which|that|to\s+be|aimed|aiming|paving|signed|under\s+which)\b|\s+[-–]\s+|;", re.I
)


@dataclass(frozen=True, slots=True)
class Item:
    """One listed instrument: its line's span (name without enumerator) and kind."""

    start: int
    end: int
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class ListBlock:
    """Consecutive item lines and the sentence or line that introduced them (may be far above)."""

    header_start: int
    header_end: int
    items: tuple[Item, ...]


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def item_of(text: str, start: int, end: int) -> Item | None:
    """The instrument a line names, or None when the line is prose or no instrument name.

    An item line opens (after an optional enumerator) with an instrument noun phrase: at most
    six capitalised words, then the head noun ("Green Economy Framework Agreement", "MOU on ...").
    """
    line = text[start:end]
    m = _ENUMERATOR.match(line)
    enumerated = bool(m)
    # The name starts after the enumerator and a leading article ("a) the MOU on ...").
    off = _ARTICLE.match(line, m.end() if m else 0).end()
    body = line[off:].rstrip(" .;,")
    if not body or len(body) > _MAX_ITEM:
        return None
    hs = heads(body)
    if not hs:
        return None
    lead = body[: hs[0].start()].split()
    if len(lead) > 6 or not all(w[:1].isupper() or w[:1].isdigit() for w in lead):
        return None
    if not body[:1].isupper():
        return None
    # Prose ("The MOU on carbon credits will promote ...") is no item, unless enumerated.
    if not enumerated and (_PROSE_VERB.search(body) or body.endswith(".") and len(body.split()) > 25):
        return None
    # The head noun of the name: the last instrument noun of the leading capitalised run
    # ("Green Economy Framework Agreement" -> agreement).
    head = hs[0]
    for h in hs[1:]:
        gap = body[head.end() : h.start()]
        if gap.strip() and not all(w[:1].isupper() for w in gap.split()):
            break
        head = h
    s = start + off
    # The name ends where a description starts ("..., which will link A to B through C").
    cut = _DESCRIPTION.search(body)
    name = body[: cut.start()] if cut else body
    return Item(s, s + len(name), name, kind_of(head.group()))


def find_lists(text: str, sentence_spans: list[tuple[int, int]]) -> list[ListBlock]:
    """Blocks of instrument lines, each with the span of the sentence that introduced it.

    The introducer is the nearest earlier line ending with a colon or pointing at an annex whose
    sentence mentions an instrument noun. A block needs two items, or one after a colon header.
    """
    lines = _lines(text)
    blocks: list[ListBlock] = []
    header: tuple[int, int] | None = None
    i = 0
    while i < len(lines):
        a, b = lines[i]
        line = text[a:b]
        colon = _COLON_END.search(line) and (heads(line) or _FOLLOWING.search(line))
        if colon or _ANNEX_POINTER.search(line) or _ANNEX_TITLE.match(line):
            if not _ANNEX_TITLE.match(line) or header is None:
                header = _header_span(sentence_spans, a, b)
            i += 1
            continue
        items: list[Item] = []
        j = i
        while j < len(lines):
            it = item_of(text, *lines[j])
            if it is None:
                break
            items.append(it)
            j += 1
        if (
            items
            and header is not None
            and (len(items) >= 2 or text[header[0] : header[1]].rstrip().endswith(":"))
        ):
            blocks.append(ListBlock(header[0], header[1], tuple(items)))
            header = None
            i = j
            continue
        i = max(j, i + 1)
    return blocks


def _header_span(spans: list[tuple[int, int]], a: int, b: int) -> tuple[int, int]:
    # The whole header line, from the start of the sentence it opens in: "The list of MOUs is at
    # Annex A" often ends a line whose first sentence carries the verb ("witnessed the exchange").
    return next((min(s0, a) for s0, s1 in spans if s0 <= a < s1), a), b


# "These agreements are: A, B, as well as C." (the instruments of the sentence before, named inline)
_BACK_HEADER = re.compile(
    r"\s*(?:These|Those|The)\s+(?:\w+\s+){0,2}?(?:agreements|instruments|documents|MOUs|memorand\w+(?:\s+of\s+"
    r"understanding)?|accords|treaties)\s+(?:are|include|were|comprise)\s*:\s*"
)
# Item boundaries: a comma, semicolon, "as well as" or "and" before an article.
_INLINE_SPLIT = re.compile(
    r"\s*(?:[,;]\s*(?:and\s+|as\s+well\s+as\s+)?|\s+as\s+well\s+as\s+|\s+and\s+)(?=(?:an?|the)\s)"
)


def find_inline_lists(text: str, sentence_spans: list[tuple[int, int]]) -> list[ListBlock]:
    """Instruments listed inline after a pointer to the sentence before ("These agreements are: ...").

    The sentence before is the header (its verb gives the status: "will witness the signing of a
    set of agreements"); every part of the list that opens with an instrument name is an item.
    """
    blocks: list[ListBlock] = []
    for k, (s0, s1) in enumerate(sentence_spans):
        m = _BACK_HEADER.match(text, s0, s1)
        if not m or k == 0 or not heads(text[sentence_spans[k - 1][0] : sentence_spans[k - 1][1]]):
            continue
        items: list[Item] = []
        pos = m.end()
        body_end = len(text[:s1].rstrip(" .\n"))
        cuts = list(_INLINE_SPLIT.finditer(text, pos, body_end))
        bounds = [pos, *[x for c in cuts for x in (c.start(), c.end())], body_end]
        for a, b in zip(bounds[0::2], bounds[1::2], strict=True):
            off = _ARTICLE.match(text, a, b).end()
            part = text[off:b]
            hs = heads(part)
            if not hs or not part[:1].isupper() or len(part[: hs[0].start()].split()) > 6:
                continue
            items.append(Item(off, b, part, kind_of(hs[0].group())))
        if len(items) >= 2:
            h0, h1 = sentence_spans[k - 1]
            blocks.append(ListBlock(h0, h1, tuple(items)))
    return blocks
