"""PARSE stage: raw file bytes -> articles. Pure functions, no file system or network access.

``parse_file`` dispatches on the file extension. Every text goes through ``decode_bytes`` (BOM /
UTF-16 / legacy single-byte detection, binary rejection) and every article text through
``accords.ids.canonical_text``. Everything here is linear in the input size: no backtracking
regexes over article text, no repeated slicing.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import lxml.etree
import lxml.html
from charset_normalizer import from_bytes
from dateutil import parser as date_parser

from accords.errors import UnparseableFile
from accords.ids import canonical_text
from accords.records import Article, ParseProblem, ParseResult

SUPPORTED_EXTENSIONS: frozenset[str] = frozenset({".txt", ".md", ".html", ".htm", ".json", ".jsonl"})

# A "title" longer than this is a first paragraph, not a heading.
_MAX_TITLE_CHARS = 300
# Date strings longer than this are not dates; keeps dateutil from chewing on junk.
_MAX_DATE_CHARS = 64
# Share of control bytes (NUL included) above which content is binary, not text.
_MAX_CONTROL_RATIO = 0.10

_TEXT_KEYS = ("text", "content", "body")
_DATE_KEYS = ("published", "date")

# Control bytes that never occur in text files (tab, LF, VT, FF, CR and ESC are allowed).
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F])
_NON_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_BLANK_BYTES = b"\x00 \t\n\r\x0b\x0c"  # a file of only these (e.g. zero-filled) is empty

_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "ELF executable"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"SQLite format 3\x00", "SQLite database"),
)

# Checked longest first: the UTF-32 LE BOM starts with the UTF-16 LE BOM.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Encodings charset-normalizer may pick that are close relatives of cp1252; for short Western
# texts it often guesses an exotic one (mac_iceland, cp1006) where cp1252 is the sane choice.
_CP1252 = "cp1252"
_CHAOS_TOLERANCE = 0.02

_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I)
_LANG_TAG = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8}){0,4}$")
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+")
_MD_CLOSING = re.compile(r"[ \t]+#+$")


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------


def decode_bytes(data: bytes) -> str:
    """Decode raw file bytes to text, whatever the usual encoding.

    Handles UTF-8 with or without BOM, UTF-16/32 with BOM, UTF-16 without BOM (NUL-byte
    pattern) and legacy single-byte encodings (cp1252 preferred, others via charset-normalizer).
    NUL bytes left in otherwise valid text are removed.

    Raises:
        UnparseableFile: "empty file" for empty or whitespace-only content, "binary content ..."
            for data that is not text.
    """
    return _finish(_decode(data, None))


def _finish(text: str) -> str:
    """Drop stray NULs and reject a text with nothing in it."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.strip():
        raise UnparseableFile("empty file (no text content)")
    return text


def _decode(data: bytes, declared: str | None) -> str:
    """Decode without the final clean-up; ``declared`` is an encoding named inside the file."""
    text = _decode_unambiguous(data)
    if text is not None:
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if declared is not None:
        try:
            return data.decode(declared)
        except UnicodeDecodeError:
            pass  # the declaration lies; fall through to detection
    return _decode_legacy(data)


def _decode_unambiguous(data: bytes) -> str | None:
    """Handle what needs no guessing: empty, BOM, known binary, BOM-less UTF-16, control-heavy.

    Returns the text for BOM and UTF-16 data, None when the caller must try UTF-8 and legacy
    encodings.
    """
    if not data.translate(None, _BLANK_BYTES):
        raise UnparseableFile("empty file (no text content)")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            # A BOM is a strong statement; replace the odd bad sequence rather than guess again.
            text = data[len(bom) :].decode(encoding, errors="replace")
            _reject_control_heavy_text(text)
            return text
    for magic, kind in _BINARY_MAGIC:
        if data.startswith(magic):
            raise UnparseableFile(f"binary content ({kind}), not text")
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return utf16
    controls = len(data.translate(None, _NON_CONTROL_BYTES))
    if controls > _MAX_CONTROL_RATIO * len(data):
        raise UnparseableFile(
            f"binary content ({controls} of {len(data)} bytes are control or NUL bytes), not text"
        )
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Return the text if ``data`` looks like BOM-less UTF-16, else None.

    Latin-script UTF-16 has a NUL in (nearly) every other byte, on one side only.
    """
    if len(data) % 2:
        data = data[:-1]  # drop the half of a code unit left by truncation
    n = len(data)
    if n < 4:
        return None
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    half = n // 2
    if odd_nuls > 0.3 * half and even_nuls < 0.05 * half:
        encoding = "utf-16-le"
    elif even_nuls > 0.3 * half and odd_nuls < 0.05 * half:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnparseableFile("binary content (NUL pattern of UTF-16 but not valid UTF-16)") from exc
    _reject_control_heavy_text(text)
    return text


def _reject_control_heavy_text(text: str) -> None:
    """Raise if a decoded text is mostly control characters (binary that happened to decode)."""
    raw = text.encode("utf-8", errors="surrogatepass")
    controls = len(raw.translate(None, _NON_CONTROL_BYTES))
    if controls > _MAX_CONTROL_RATIO * max(len(text), 1):
        raise UnparseableFile(f"binary content ({controls} control characters in {len(text)}), not text")


def _decode_legacy(data: bytes) -> str:
    """Decode non-UTF-8 text in a legacy encoding, preferring cp1252 when it is plausible."""
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise UnparseableFile("binary content (no text encoding fits), not text")
    for match in matches:
        if match.chaos <= best.chaos + _CHAOS_TOLERANCE and _CP1252 in match.could_be_from_charset:
            try:
                return data.decode(_CP1252)
            except UnicodeDecodeError:
                # The five bytes cp1252 leaves undefined: latin-1 maps every byte.
                return data.decode("latin-1")
    return str(best)


def _declared_html_charset(data: bytes) -> str | None:
    """Single/multi-byte encoding named by a <meta charset> in an HTML file's head, if usable.

    As in the HTML standard, a UTF-16/32 declaration in a file without BOM is ignored (the bytes
    cannot be UTF-16 if the ASCII <meta> was found) and latin-1/ASCII mean cp1252.
    """
    m = _META_CHARSET.search(data[:4096])
    if m is None:
        return None
    try:
        name = codecs.lookup(m.group(1).decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None
    if name.startswith(("utf-16", "utf-32", "utf-8")):
        return None
    if name in ("latin-1", "iso8859-1", "ascii"):
        return _CP1252
    return name


# --------------------------------------------------------------------------------------------
# Dispatch
# --------------------------------------------------------------------------------------------


def parse_file(data: bytes, rel_path: str) -> ParseResult:
    """Parse one raw file's bytes into articles, choosing the format from the extension.

    ``rel_path`` is the POSIX path relative to raw/ and becomes ``Article.source_path``
    (``"<rel_path>#<line>"`` for JSON Lines).

    Raises:
        UnparseableFile: unsupported extension, binary or empty content, bad or wrong-shaped
            JSON, HTML without text. A .jsonl file never raises for bad lines: they come back
            as ``ParseResult.problems``.
    """
    ext = _extension(rel_path)
    parser = _PARSERS.get(ext)
    if parser is None:
        shown = ext or "(none)"
        raise UnparseableFile(
            f"unsupported file type {shown!r}: expected one of {', '.join(sorted(SUPPORTED_EXTENSIONS))}"
        )
    return parser(data, rel_path)


def _extension(rel_path: str) -> str:
    """Lower-cased extension of the last path component, with the dot ('' if none)."""
    name = rel_path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[dot:].lower() if dot > 0 else ""


# --------------------------------------------------------------------------------------------
# Plain text and Markdown
# --------------------------------------------------------------------------------------------


def _parse_text(data: bytes, rel_path: str) -> ParseResult:
    """Parse a .txt file: optional title line, then the text."""
    title, text = split_title(canonical_text(decode_bytes(data)), markdown=False)
    return ParseResult(articles=[Article(text=text, source_path=rel_path, title=title)])


def _parse_markdown(data: bytes, rel_path: str) -> ParseResult:
    """Parse a .md file: like .txt, with heading markers stripped from the title."""
    title, text = split_title(canonical_text(decode_bytes(data)), markdown=True)
    return ParseResult(articles=[Article(text=text, source_path=rel_path, title=title)])


def split_title(text: str, *, markdown: bool = False) -> tuple[str | None, str]:
    """Split a canonical text into (title, body).

    The first non-empty line is the title when a blank line follows it and a body follows
    that; otherwise there is no title and the whole text is the body. For Markdown a leading
    "# " (any ATX heading level) is removed from the title.
    """
    text = canonical_text(text)
    first_end = text.find("\n")
    if first_end < 0:
        return None, text
    second_end = text.find("\n", first_end + 1)
    if second_end < 0 or text[first_end + 1 : second_end].strip():
        return None, text
    title = text[:first_end].strip()
    body = canonical_text(text[second_end + 1 :])
    if markdown:
        title = _MD_CLOSING.sub("", _MD_HEADING.sub("", title, count=1)).strip()
    if not body or not title or len(title) > _MAX_TITLE_CHARS:
        return None, text
    return title, body


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


def _parse_html(data: bytes, rel_path: str) -> ParseResult:
    """Parse an .html/.htm file with trafilatura; fall back to the body text for small pages."""
    html = _finish(_decode(data, _declared_html_charset(data)))
    meta = _trafilatura_extract(html)
    tree = _lxml_tree(html)
    title = _clean_str(meta.get("title"))
    language = None
    if tree is not None:
        if title is None:
            title = _clean_str(tree.findtext(".//title"))
        language = _language(tree.get("lang") or tree.get("xml:lang"))
    if language is None:
        language = _language(meta.get("language"))
    text = canonical_text(meta.get("text") or "")
    if not text and tree is not None:
        text = canonical_text(_body_text(tree))  # mutates the tree: keep it last
    if not text:
        raise UnparseableFile("HTML holds no text (no main content and an empty body)")
    article = Article(
        text=text,
        source_path=rel_path,
        title=title,
        published=_parse_date(meta.get("date")),
        url=_clean_str(meta.get("url")),
        source=_clean_str(meta.get("sitename")),
        language=language,
    )
    return ParseResult(articles=[article])


def _lxml_tree(html: str) -> lxml.html.HtmlElement | None:
    """Parse HTML with lxml: no network, no entity loading, comments dropped; None if hopeless."""
    parser = lxml.html.HTMLParser(
        encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True, huge_tree=True
    )
    try:
        # Bytes plus an explicit encoding: lxml rejects str input that has an XML declaration.
        root = lxml.html.document_fromstring(html.encode("utf-8", errors="replace"), parser=parser)
    except (lxml.etree.ParserError, lxml.etree.XMLSyntaxError, ValueError):
        return None
    return root


def _trafilatura_extract(html: str) -> dict[str, Any]:
    """Main text and metadata via trafilatura; {} when it finds nothing or gives up.

    trafilatura is given a string, so it never fetches anything; lxml does not run scripts.
    """
    import trafilatura  # imported lazily: it is slow to import and only HTML needs it

    try:
        doc = trafilatura.bare_extraction(
            html,
            output_format="python",
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_links=False,
        )
    except Exception:  # a heuristic extractor failing on odd markup must degrade to the fallback
        return {}
    if doc is None:
        return {}
    return doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)


def _body_text(root: lxml.html.HtmlElement) -> str:
    """Plain text of the <body> (or the whole document) without script, style and template."""
    for bad in root.xpath("//script|//style|//noscript|//template|//head"):
        bad.drop_tree()
    body = root.find(".//body")
    node = body if body is not None else root
    return node.text_content()


def _language(value: object) -> str | None:
    """A BCP 47-like language tag, lower-cased with '-' separators, or None."""
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-").lower()
    return tag if _LANG_TAG.match(tag) else None


# --------------------------------------------------------------------------------------------
# JSON and JSON Lines
# --------------------------------------------------------------------------------------------


def _parse_json(data: bytes, rel_path: str) -> ParseResult:
    """Parse a .json file holding one article object."""
    obj = _loads(decode_bytes(data))
    return ParseResult(articles=[article_from_object(obj, rel_path)])


def parse_jsonl(data: bytes, rel_path: str, first_line: int = 1) -> ParseResult:
    """Parse .jsonl bytes (a file, or a run of its lines starting at line ``first_line``).

    One article per non-blank line; bad lines become problems. Raises UnparseableFile for bytes
    that are not text at all (see ``parse_file``).
    """
    result = ParseResult()
    for number, line in enumerate(_jsonl_lines(data), start=first_line):
        if isinstance(line, str) and not line.strip():
            continue
        source_path = f"{rel_path}#{number}"
        try:
            if isinstance(line, UnparseableFile):
                raise line
            obj = _loads(line.replace("\x00", ""))
            result.articles.append(article_from_object(obj, source_path))
        except UnparseableFile as exc:
            result.problems.append(ParseProblem(source_path=source_path, error=str(exc)))
    return result


def _jsonl_lines(data: bytes) -> list[str | UnparseableFile]:
    """Split JSON Lines bytes into decoded lines (on LF only: U+2028 may sit inside strings).

    A whole-file decoding is used when there is one (BOM, UTF-16, valid UTF-8). Otherwise the
    UTF-8 lines stay UTF-8 and only the others are decoded with one guessed legacy encoding,
    so a single cp1252 line does not garble the rest. A line that cannot be decoded at all is
    returned as the error to report for it.
    """
    text = _decode_unambiguous(data)
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return _mixed_jsonl_lines(data.split(b"\n"))
    return list(_finish(text).split("\n"))


def _mixed_jsonl_lines(raw_lines: list[bytes]) -> list[str | UnparseableFile]:
    """Decode lines one by one: UTF-8 where valid, one shared legacy guess for the rest."""
    lines: list[str | UnparseableFile | None] = []
    legacy_indexes: list[int] = []
    for index, raw in enumerate(raw_lines):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            lines.append(None)
            legacy_indexes.append(index)
    legacy = [raw_lines[i] for i in legacy_indexes]
    try:
        decoded = _decode_legacy(b"\n".join(legacy)).split("\n")
    except UnparseableFile:
        decoded = []
    if len(decoded) != len(legacy):
        # The shared guess did not keep line boundaries; decode each line on its own.
        decoded = []
        for raw in legacy:
            try:
                decoded.append(_decode_legacy(raw))
            except UnparseableFile as exc:
                decoded.append(exc)
    for index, line in zip(legacy_indexes, decoded, strict=True):
        lines[index] = line
    return [line for line in lines if line is not None]


def _loads(text: str) -> Any:
    """json.loads with every failure turned into UnparseableFile with a clear message."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnparseableFile(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc
    except RecursionError as exc:
        raise UnparseableFile("invalid JSON: nested too deeply") from exc


def article_from_object(obj: Any, source_path: str) -> Article:
    """Build an Article from one decoded JSON article object.

    Text comes from "text", "content" or "body" (first present and not null); "title", "url",
    "source", "language" and "published"/"date" are optional. An unparseable date gives
    ``published=None``; optional fields of the wrong type are ignored.

    Raises:
        UnparseableFile: the value is not an object, or its text is missing, not a string or empty.
    """
    if not isinstance(obj, dict):
        raise UnparseableFile(f"expected a JSON object for the article, got {_json_type(obj)}")
    key = next((k for k in _TEXT_KEYS if obj.get(k) is not None), None)
    if key is None:
        raise UnparseableFile(f"article object has no text: none of {', '.join(map(repr, _TEXT_KEYS))}")
    raw_text = obj[key]
    if not isinstance(raw_text, str):
        raise UnparseableFile(f"article {key!r} must be a string, got {_json_type(raw_text)}")
    text = canonical_text(raw_text.replace("\x00", ""))
    if not text:
        raise UnparseableFile(f"article {key!r} is empty")
    raw_date = next((obj[k] for k in _DATE_KEYS if obj.get(k) is not None), None)
    return Article(
        text=text,
        source_path=source_path,
        title=_clean_str(obj.get("title")),
        published=_parse_date(raw_date),
        url=_clean_str(obj.get("url")),
        source=_clean_str(obj.get("source")),
        language=_language(obj.get("language")),
    )


def _json_type(value: object) -> str:
    """JSON name of a decoded value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list (array)"
    return "an object"


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def _clean_str(value: object) -> str | None:
    """A stripped, NUL-free, single-spaced string, or None for non-strings and blanks."""
    if not isinstance(value, str):
        return None
    value = " ".join(value.replace("\x00", "").split())
    return value or None


def _parse_date(value: object) -> date | None:
    """Parse an ISO date/date-time or a common written date; None when it is not a full date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s or len(s) > _MAX_DATE_CHARS:
        return None
    try:
        return date.fromisoformat(s)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(s).date()
    except ValueError:
        pass
    # dateutil fills missing parts from a default: parse with two different defaults and
    # accept only when they agree, so "March 2021" or "Tuesday" is not silently a full date.
    try:
        a = date_parser.parse(s, default=datetime(2000, 1, 1))
        b = date_parser.parse(s, default=datetime(2001, 2, 2))
    except (ValueError, OverflowError, TypeError):
        return None
    if a.date() != b.date():
        return None
    return a.date()


_PARSERS: dict[str, Callable[[bytes, str], ParseResult]] = {
    ".txt": _parse_text,
    ".md": _parse_markdown,
    ".html": _parse_html,
    ".htm": _parse_html,
    ".json": _parse_json,
    ".jsonl": parse_jsonl,
}
