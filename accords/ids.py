"""Deterministic ids computed from canonical content, so reruns produce the same ids."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import replace
from typing import Any

from accords.records import Extraction

_SEP = "\x1f"  # unit separator: cannot occur in normalised parts, so joins are unambiguous


def sha256_hex(data: bytes | str) -> str:
    """Return the hex sha256 of bytes, or of a string encoded as UTF-8."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def canonical_text(text: str) -> str:
    """Canonical form of an article text: NFC, LF line endings, no trailing spaces, trimmed.

    Two files holding the same article with different line endings or a BOM yield one article.
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return text.strip()


def article_id(text: str) -> str:
    """Article id: sha256 of the canonical text (the text stored in ``articles.text``)."""
    return sha256_hex(canonical_text(text))


def entity_key(name: str) -> str:
    """Normalise a name for identity: accents folded, case folded, punctuation dropped."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).casefold()
    s = re.sub(r"[^\w]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


def stable_id(*parts: str) -> str:
    """A short (16 hex) id from ordered parts; the same parts always give the same id."""
    return sha256_hex(_SEP.join(parts))[:16]


def entity_id(entity_type: str, key: str) -> str:
    """Entity id stable across articles: type plus normalised canonical name (or ISO code)."""
    return stable_id("entity", entity_type.upper(), entity_key(key))


def scope_to_article(aid: str, result: Extraction) -> Extraction:
    """The extraction with its agreement and meeting ids scoped to the article ``aid``.

    The extractor's ids are unique within one article; scoped, the same wording in two articles
    gives two ids. An agreement's ``meeting_id`` is scoped the same way, so it still names its
    meeting (None stays None).
    """
    def scope(value: Any) -> str:
        return stable_id(aid, str(value))

    agreements = [{**a, "agreement_id": scope(a.get("agreement_id")),
                   **({"meeting_id": scope(a["meeting_id"])} if a.get("meeting_id") is not None else {})}
                  for a in result.agreements]
    meetings = [{**m, "meeting_id": scope(m.get("meeting_id"))} for m in result.meetings]
    return replace(result, agreements=agreements, meetings=meetings)
