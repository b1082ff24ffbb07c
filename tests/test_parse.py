"""Tests for accords.parse: every format, decoding case and failure mode, on inline fixtures."""

from __future__ import annotations

import codecs
import json
import re
import socket
import time
from datetime import date

import pytest

from accords.errors import UnparseableFile
from accords.ids import canonical_text
from accords.parse import SUPPORTED_EXTENSIONS, article_from_object, decode_bytes, parse_file, split_title

BODY = "The foreign ministers signed a cooperation agreement in Geneva on Tuesday."


def one(data: bytes, rel_path: str):
    result = parse_file(data, rel_path)
    assert result.problems == []
    assert len(result.articles) == 1
    return result.articles[0]


# ---------------------------------------------------------------------------------------------
# Plain text and Markdown
# ---------------------------------------------------------------------------------------------


def test_txt_title_when_first_line_followed_by_blank_line():
    art = one(f"Geneva accord signed\n\n{BODY}\n\nSecond paragraph.\n".encode(), "news/a.txt")
    assert art.title == "Geneva accord signed"
    assert art.text == f"{BODY}\n\nSecond paragraph."
    assert art.source_path == "news/a.txt"
    assert art.published is None and art.url is None and art.language is None


def test_txt_without_blank_second_line_has_no_title():
    data = f"First line\n{BODY}\n".encode()
    art = one(data, "a.txt")
    assert art.title is None
    assert art.text == f"First line\n{BODY}"


def test_txt_single_line_and_title_only_have_no_title():
    assert one(BODY.encode(), "a.txt").title is None
    art = one(b"Only a title\n\n\n", "a.txt")
    assert art.title is None and art.text == "Only a title"


def test_txt_leading_blank_lines_and_whitespace_blank_line():
    art = one(f"\n\n   \nHeadline\n   \t\n{BODY}".encode(), "a.txt")
    assert art.title == "Headline"
    assert art.text == BODY


def test_txt_long_first_paragraph_is_not_a_title():
    para = "word " * 100
    art = one(f"{para}\n\n{BODY}".encode(), "a.txt")
    assert art.title is None
    assert art.text.startswith("word word")


def test_md_strips_heading_marker_and_keeps_markdown_body():
    art = one(f"# Accord in *Geneva*\n\n## Background\n\n- {BODY}\n".encode(), "a.MD")
    assert art.title == "Accord in *Geneva*"
    assert art.text == f"## Background\n\n- {BODY}"


def test_md_without_heading_marker_and_deeper_heading():
    assert one(f"Plain title\n\n{BODY}".encode(), "a.md").title == "Plain title"
    assert one(f"### Third level ###\n\n{BODY}".encode(), "a.md").title == "Third level"


def test_mixed_line_endings_become_lf():
    art = one(b"Title\r\n\r\nline one\rline two\r\nline three\nend  \r\n", "a.txt")
    assert art.title == "Title"
    assert art.text == "line one\nline two\nline three\nend"
    assert "\r" not in art.text


def test_text_is_nfc_canonical():
    art = one("Cafe\u0301 talks\n\nMinisters met at the cafe\u0301.".encode(), "a.txt")
    assert art.title == "Caf\u00e9 talks"
    assert art.text == "Ministers met at the caf\u00e9."
    assert art.text == canonical_text(art.text)


def test_split_title_directly():
    assert split_title("T\n\nbody") == ("T", "body")
    assert split_title("# T\n\nbody", markdown=True) == ("T", "body")
    assert split_title("# T\n\nbody", markdown=False) == ("# T", "body")
    assert split_title("") == (None, "")


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------

SAMPLE = "Außenminister trafen sich in Zürich: \u201cein Abkommen\u201d \u2014 sagte der Minister."


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE.encode("utf-8"),
        codecs.BOM_UTF8 + SAMPLE.encode("utf-8"),
        codecs.BOM_UTF16_LE + SAMPLE.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + SAMPLE.encode("utf-16-be"),
        SAMPLE.encode("utf-16"),  # BOM in native order
        codecs.BOM_UTF32_LE + SAMPLE.encode("utf-32-le"),
        SAMPLE.encode("utf-16-le"),  # no BOM
        SAMPLE.encode("utf-16-be"),  # no BOM
    ],
    ids=[
        "utf8",
        "utf8-bom",
        "utf16le-bom",
        "utf16be-bom",
        "utf16-native",
        "utf32le-bom",
        "utf16le",
        "utf16be",
    ],
)
def test_decode_unicode_encodings(data: bytes):
    assert decode_bytes(data) == SAMPLE


def test_truncated_utf16_without_bom():
    assert decode_bytes(SAMPLE.encode("utf-16-le") + b"\n") == SAMPLE


def test_bom_is_not_part_of_text_or_title():
    art = one(codecs.BOM_UTF8 + f"Title\n\n{BODY}".encode(), "a.txt")
    assert art.title == "Title"
    art16 = one(f"Title\r\n\r\n{BODY}".encode("utf-16"), "a.txt")
    assert art16.title == "Title" and art16.text == BODY


def test_decode_cp1252_smart_quotes_and_euro():
    text = "\u201cWe have a deal,\u201d said the minister \u2014 it\u2019s worth 5\u20ac million."
    assert decode_bytes(text.encode("cp1252")) == text


def test_decode_latin1_german():
    text = "Die Außenminister trafen sich in Köln, um über die Verträge zu sprechen. Größere Fortschritte."
    assert decode_bytes(text.encode("latin-1")) == text


def test_decode_short_cp1252():
    assert decode_bytes("Café déjà vu".encode("cp1252")) == "Café déjà vu"


def test_decode_cyrillic_cp1251_via_charset_normalizer():
    text = "Министры иностранных дел подписали соглашение о сотрудничестве в Москве."
    assert decode_bytes(text.encode("cp1251")) == text


def test_png_renamed_txt_is_binary():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" + bytes(range(256)) * 4
    with pytest.raises(UnparseableFile, match="binary content"):
        parse_file(png, "image.txt")


def test_control_heavy_bytes_are_binary():
    blob = bytes([0, 1, 2, 3, 4, 5, 0x41, 0x42, 0, 0x10, 0xFF, 0x80] * 200)
    with pytest.raises(UnparseableFile, match="binary content"):
        decode_bytes(blob)
    with pytest.raises(UnparseableFile, match="binary content"):
        parse_file(blob, "x.jsonl")


def test_stray_nul_bytes_are_stripped():
    data = f"Title\n\n{BODY}\x00 More\x00 text.".encode()
    art = one(data, "a.txt")
    assert "\x00" not in art.text
    assert art.text == f"{BODY} More text."


@pytest.mark.parametrize("data", [b"", b"   \n\t\r\n  ", b"\x00\x00", "  \n".encode("utf-16")])
@pytest.mark.parametrize("ext", sorted(SUPPORTED_EXTENSIONS))
def test_empty_and_whitespace_only(data: bytes, ext: str):
    with pytest.raises(UnparseableFile, match="empty file"):
        parse_file(data, f"a{ext}")


# ---------------------------------------------------------------------------------------------
# Dispatch
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["a.pdf", "README", "a.txt.gz", "dir.txt/file", ".txt"])
def test_unsupported_extension(path: str):
    with pytest.raises(UnparseableFile, match="unsupported file type"):
        parse_file(b"hello", path)


def test_extension_is_case_insensitive():
    assert one(b"hello", "A.TXT").text == "hello"
    assert one(b'{"text": "hello"}', "B.Json").text == "hello"


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="fr-FR">
<head>
  <meta charset="utf-8">
  <title>Accord signé à Genève | Le Journal</title>
  <meta property="og:title" content="Accord signé à Genève">
  <meta property="og:site_name" content="Le Journal">
  <meta property="article:published_time" content="2021-03-04T10:00:00+01:00">
  <link rel="canonical" href="https://journal.example/2021/03/accord">
  <link rel="stylesheet" href="http://127.0.0.1:9/style.css">
  <script src="http://127.0.0.1:9/tracker.js"></script>
  <script>document.write("SCRIPT_WRITES_THIS");</script>
  <style>.x { color: red } STYLE_TEXT</style>
</head>
<body>
  <nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav>
  <article>
    <h1>Accord signé à Genève</h1>
    <p>Les ministres des affaires étrangères de la France et de la Suisse ont signé mardi un
       accord de coopération transfrontalière, ont annoncé les deux gouvernements.</p>
    <img src="http://127.0.0.1:9/x.png" alt="photo">
    <iframe src="http://127.0.0.1:9/frame"></iframe>
    <script>document.write("INLINE_SCRIPT_TEXT");</script>
    <p>L'accord couvre l'énergie, les transports et la sécurité et doit entrer en vigueur
       l'année prochaine après ratification par les deux parlements.</p>
  </article>
  <footer>© Le Journal</footer>
</body>
</html>"""


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch):
    """Fail the test if anything tries to open a socket connection."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_html_article_text_and_metadata(no_network):
    art = one(ARTICLE_HTML.encode("utf-8"), "web/accord.html")
    assert "signé mardi un accord de coopération" in art.text
    assert "entrer en vigueur" in art.text
    for junk in ("SCRIPT_WRITES_THIS", "INLINE_SCRIPT_TEXT", "STYLE_TEXT", "document.write", "Accueil"):
        assert junk not in art.text
    assert art.title == "Accord signé à Genève"
    assert art.published == date(2021, 3, 4)
    assert art.url == "https://journal.example/2021/03/accord"
    assert art.language == "fr-fr"
    assert art.source == "Le Journal"
    assert art.source_path == "web/accord.html"
    assert art.text == canonical_text(art.text)


def test_short_html_falls_back_to_body_text(no_network):
    html = (
        b"<html><head><title>Brief</title><script>document.write('EVIL')</script></head>"
        b"<body><p>Talks resume.</p><img src='http://127.0.0.1:9/x'>"
        b"<script>var leak = 'EVIL2';</script><style>p{}</style></body></html>"
    )
    art = one(html, "brief.htm")
    assert "Talks resume." in art.text
    assert "EVIL" not in art.text and "leak" not in art.text
    assert art.title == "Brief"


def test_html_without_text_is_unparseable():
    with pytest.raises(UnparseableFile, match="no text"):
        parse_file(b"<html><head><script>document.write('x')</script></head><body> </body></html>", "e.html")


def test_html_with_xml_declaration_and_xml_lang():
    html = (
        b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="de">'
        b"<head><title>Kurz</title></head><body><p>Die Gespr\xc3\xa4che gehen weiter.</p></body></html>"
    )
    art = one(html, "x.html")
    assert art.text == "Die Gespräche gehen weiter."
    assert art.language == "de"


def test_html_legacy_charset_from_meta():
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        "<title>Caf\u00e9</title></head><body><p>Les n\u00e9gociations reprennent \u2014 \u201cenfin\u201d."
        "</p></body></html>"
    ).encode("cp1252")
    art = one(html, "x.html")
    assert "Les négociations reprennent — “enfin”." in art.text
    assert art.title == "Café"


def test_html_utf16_with_bom():
    art = one(ARTICLE_HTML.encode("utf-16"), "x.html")
    assert "entrer en vigueur" in art.text


def _report(paragraphs: int) -> bytes:
    body = "".join(
        f"<p>Paragraph {i} of the long report on the treaty negotiations between the delegations.</p>"
        for i in range(paragraphs)
    )
    return f"<html><body><article>{body}</article></body></html>".encode()


def test_big_html_is_parsed_in_one_pass_and_kept_whole(monkeypatch):
    """A big page costs one lxml parse and one trafilatura pass, as a small one does, and loses no
    paragraph. (How the time grows with size is measured by bench/parse_scaling.py, not here.)"""
    import accords.parse as parse_mod

    calls = {"lxml": 0, "trafilatura": 0}
    real_tree, real_extract = parse_mod._lxml_tree, parse_mod._trafilatura_extract

    def tree(html):  # noqa: ANN001, ANN202
        calls["lxml"] += 1
        return real_tree(html)

    def extract(html):  # noqa: ANN001, ANN202
        calls["trafilatura"] += 1
        return real_extract(html)

    monkeypatch.setattr(parse_mod, "_lxml_tree", tree)
    monkeypatch.setattr(parse_mod, "_trafilatura_extract", extract)
    work = {}
    for size in (50, 5000):
        art = one(_report(size), "big.html")
        work[size], calls = dict(calls), {"lxml": 0, "trafilatura": 0}
        numbers = [int(n) for n in re.findall(r"Paragraph (\d+) of", art.text)]
        assert numbers == list(range(size))  # every paragraph, once, in order
    assert work[50] == work[5000] == {"lxml": 1, "trafilatura": 1}


def test_deeply_nested_html_does_not_crash():
    html = ("<html><body>" + "<div>" * 50_000 + "deep" + "</div>" * 50_000 + "</body></html>").encode()
    try:
        result = parse_file(html, "deep.html")
    except UnparseableFile as exc:  # giving up with a named error is fine; crashing is not
        assert "no text" in str(exc) or "nest" in str(exc), exc
    else:  # or, if it is read, the one word inside is the whole text
        assert [a.text for a in result.articles] == ["deep"]


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------


def test_json_full_object():
    obj = {
        "title": "  Geneva   accord ",
        "text": f"{BODY}\r\nMore.",
        "published": "2021-03-04T10:00:00Z",
        "url": "https://news.example/a",
        "source": "News Example",
        "language": "en",
        "extra": {"ignored": True},
    }
    art = one(json.dumps(obj).encode(), "j/a.json")
    assert art.title == "Geneva accord"
    assert art.text == f"{BODY}\nMore."
    assert art.published == date(2021, 3, 4)
    assert art.url == "https://news.example/a"
    assert art.source == "News Example"
    assert art.language == "en"
    assert art.source_path == "j/a.json"


@pytest.mark.parametrize("key", ["content", "body"])
def test_json_text_alternatives(key: str):
    assert one(json.dumps({key: BODY}).encode(), "a.json").text == BODY


def test_json_only_text_is_required():
    art = one(json.dumps({"text": BODY}).encode(), "a.json")
    assert (art.title, art.published, art.url, art.source, art.language) == (None,) * 5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-03-04", date(2021, 3, 4)),
        ("2021-03-04T23:59:59-05:00", date(2021, 3, 4)),
        ("2021-03-04 10:00", date(2021, 3, 4)),
        ("March 4, 2021", date(2021, 3, 4)),
        ("4 March 2021", date(2021, 3, 4)),
        ("Thu, 04 Mar 2021 10:00:00 GMT", date(2021, 3, 4)),
        ("not a date", None),
        ("March 2021", None),  # no day: not a full date
        ("Tuesday", None),
        ("2021-13-45", None),
        ("", None),
        (20210304, None),
        ("9" * 500, None),
    ],
)
def test_json_published_formats(value: object, expected: date | None):
    art = one(json.dumps({"text": BODY, "published": value}).encode(), "a.json")
    assert art.published == expected


def test_json_date_key_alternative():
    art = one(json.dumps({"text": BODY, "date": "2020-01-02"}).encode(), "a.json")
    assert art.published == date(2020, 1, 2)


def test_json_wrong_typed_optional_fields_are_ignored():
    obj = {"text": BODY, "title": 42, "url": ["x"], "source": None, "language": "not a language tag!"}
    art = one(json.dumps(obj).encode(), "a.json")
    assert (art.title, art.url, art.source, art.language) == (None, None, None, None)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'[{"text": "a"}]', "expected a JSON object.*list"),
        (b"42", "expected a JSON object.*number"),
        (b'"just a string"', "expected a JSON object.*string"),
        (b"null", "expected a JSON object.*null"),
        (b'{"title": "no text"}', "has no text"),
        (b'{"text": null}', "has no text"),
        (b'{"text": 12}', "'text' must be a string.*number"),
        (b'{"text": ["a", "b"]}', "'text' must be a string.*list"),
        (b'{"text": "   \\n  "}', "'text' is empty"),
        (b'{"text": "unterminated', "invalid JSON"),
        (b"{'text': 'single quotes'}", "invalid JSON"),
    ],
)
def test_json_wrong_shape(data: bytes, message: str):
    with pytest.raises(UnparseableFile, match=message):
        parse_file(data, "a.json")


def test_json_deeply_nested_does_not_crash():
    deep = b"[" * 200_000 + b"]" * 200_000
    with pytest.raises(UnparseableFile, match="nested too deeply|expected a JSON object"):
        parse_file(deep, "a.json")
    inner = b'{"text": "ok", "extra": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    with pytest.raises(UnparseableFile, match="nested too deeply"):
        parse_file(inner, "a.json")


def test_json_in_utf16_and_cp1252():
    obj = {"title": "Caf\u00e9", "text": "Accord \u201csign\u00e9\u201d."}
    assert one(json.dumps(obj, ensure_ascii=False).encode("utf-16"), "a.json").title == "Café"
    art = one(json.dumps(obj, ensure_ascii=False).encode("cp1252"), "a.json")
    assert art.text == "Accord “signé”."


def test_article_from_object_directly():
    art = article_from_object({"text": " hi "}, "x.jsonl#3")
    assert art.text == "hi" and art.source_path == "x.jsonl#3"


# ---------------------------------------------------------------------------------------------
# JSON Lines
# ---------------------------------------------------------------------------------------------


def test_jsonl_good_and_bad_lines():
    lines = [
        json.dumps({"text": "first article", "title": "One"}),
        "",
        "{not json",
        json.dumps([1, 2]),
        "   ",
        json.dumps({"title": "no text"}),
        json.dumps({"content": "second article", "published": "2022-05-06"}),
    ]
    result = parse_file("\n".join(lines).encode(), "feed/day.jsonl")
    assert [(a.source_path, a.text) for a in result.articles] == [
        ("feed/day.jsonl#1", "first article"),
        ("feed/day.jsonl#7", "second article"),
    ]
    assert result.articles[1].published == date(2022, 5, 6)
    problems = {p.source_path: p.error for p in result.problems}
    assert set(problems) == {"feed/day.jsonl#3", "feed/day.jsonl#4", "feed/day.jsonl#6"}
    assert "invalid JSON" in problems["feed/day.jsonl#3"]
    assert "list" in problems["feed/day.jsonl#4"]
    assert "no text" in problems["feed/day.jsonl#6"]


def test_jsonl_only_bad_lines_returns_problems():
    result = parse_file(b"{bad\n[]\n", "x.jsonl")
    assert result.articles == []
    assert [p.source_path for p in result.problems] == ["x.jsonl#1", "x.jsonl#2"]


def test_jsonl_crlf_bom_and_unicode_line_separator():
    text = "Text with a line separator\u2028inside."
    data = codecs.BOM_UTF8 + (json.dumps({"text": text}, ensure_ascii=False) + "\r\n").encode() * 2
    result = parse_file(data, "x.jsonl")
    assert [a.source_path for a in result.articles] == ["x.jsonl#1", "x.jsonl#2"]
    assert result.articles[0].text == text
    assert result.problems == []


def test_jsonl_utf16_without_bom():
    data = (json.dumps({"text": "alpha"}) + "\n" + json.dumps({"text": "beta"}) + "\n").encode("utf-16-le")
    assert [a.text for a in parse_file(data, "x.jsonl").articles] == ["alpha", "beta"]


def test_jsonl_one_legacy_line_does_not_garble_others():
    good = json.dumps({"text": "Zürich talks"}, ensure_ascii=False).encode("utf-8")
    legacy = json.dumps({"text": "Caf\u00e9 \u201caccord\u201d"}, ensure_ascii=False).encode("cp1252")
    result = parse_file(good + b"\n" + legacy + b"\n", "x.jsonl")
    assert [a.text for a in result.articles] == ["Zürich talks", "Café “accord”"]


def test_jsonl_deep_line_is_a_problem_not_a_crash():
    data = json.dumps({"text": "fine"}).encode() + b"\n" + b"[" * 100_000 + b"\n"
    result = parse_file(data, "x.jsonl")
    assert [a.text for a in result.articles] == ["fine"]
    assert result.problems[0].source_path == "x.jsonl#2"
    assert "nested too deeply" in result.problems[0].error


# ---------------------------------------------------------------------------------------------
# Size: linear time on huge inputs
# ---------------------------------------------------------------------------------------------


def test_very_long_line_and_huge_text_are_fast():
    huge = ("Title\n\n" + "word " * 2_000_000 + "\n" + ("line of text\r\n" * 200_000)).encode()
    start = time.perf_counter()
    art = one(huge, "big.txt")
    assert art.title == "Title"
    assert len(art.text) > 12_000_000
    line = json.dumps({"text": "y" * 10_000_000}).encode()
    result = parse_file(line + b"\n" + line, "big.jsonl")
    assert len(result.articles) == 2
    art = one(("z" * 5_000_000).encode("cp1252"), "one-line.md")
    assert art.title is None
    assert time.perf_counter() - start < 20
