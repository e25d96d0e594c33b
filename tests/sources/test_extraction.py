"""Extraction: the same content gives the same text, whatever re-rendering did to it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import feedparser
import pytest

from apps.sources.extraction import ExtractionError, extract
from tests.paths import FIXTURES

FR_RULE = "federalregister_v1__document_2025-02747_rule.json"
FR_EO13258 = "federalregister_v1__document_EO13258_revoked_by_EO13497.json"
FR_SEARCH = "federalregister_v1__documents_search_results_rin_2105-AF05.json"
EPRIVACY = "eurlex__consolidated_02002L0058-20091219_eprivacy.html"
AI_ACT = "eurlex__formex_32024R1689_AI_Act.fmx.xml"


def copy_fixture(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copyfile(FIXTURES / name, target)
    target.chmod(0o644)  # the fixtures are read-only; the copy is ours to change
    return target


def edited_json(name: str, tmp_path: Path, edit) -> bytes:
    path = copy_fixture(name, tmp_path)
    data: Any = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    return path.read_bytes()


# --- JSON ---------------------------------------------------------------------------


def test_volatile_federal_register_fields_do_not_change_the_text(tmp_path: Path) -> None:
    def touch_volatile_fields(data: dict) -> None:
        data["page_views"] = {"count": 120, "last_updated": "2026-07-25 00:15:03 -0400"}
        data["regulations_dot_gov_info"]["checked_regulationsdotgov_at"] = "2025-03-01T09:00:00Z"
        data["public_inspection_pdf_url"] = data["public_inspection_pdf_url"].replace(
            "1739886306", "1740000000"
        )

    original = extract("json", (FIXTURES / FR_RULE).read_bytes())
    touched = extract("json", edited_json(FR_RULE, tmp_path, touch_volatile_fields))

    assert touched.text == original.text
    assert "page_views" not in original.text
    assert "Radio Broadcasting Services" in original.text


def test_a_changed_disposition_note_changes_the_text(tmp_path: Path) -> None:
    def revoke_again(data: dict) -> None:
        data["disposition_notes"] += "; Revoked by: EO 99999, January 1, 2030"

    original = extract("json", (FIXTURES / FR_EO13258).read_bytes())
    changed = extract("json", edited_json(FR_EO13258, tmp_path, revoke_again))

    assert changed.text != original.text
    assert "EO 99999" in changed.text


def test_a_key_a_newer_schema_adds_without_a_value_is_no_change(tmp_path: Path) -> None:
    def grow_schema(data: dict) -> None:
        data["not_received_for_publication"] = None
        data["images_metadata"] = {}

    original = extract("json", (FIXTURES / FR_EO13258).read_bytes())
    grown = extract("json", edited_json(FR_EO13258, tmp_path, grow_schema))

    assert grown.text == original.text


def test_ignored_keys_by_name_and_by_dotted_path_do_not_change_the_text(tmp_path: Path) -> None:
    ignore = ["topics", "regulations_dot_gov_info.comments_count"]

    def edit(data: dict) -> None:
        data["topics"] = ["Radio", "Television"]
        data["regulations_dot_gov_info"]["comments_count"] = 7

    original = extract("json", (FIXTURES / FR_RULE).read_bytes(), ignore=ignore)
    edited = extract("json", edited_json(FR_RULE, tmp_path, edit), ignore=ignore)

    assert edited.text == original.text
    assert '"document_id": "FCC-2025-0020-0001"' in original.text


def test_a_json_path_selects_one_value_or_every_element() -> None:
    body = (FIXTURES / FR_SEARCH).read_bytes()

    first = extract("json", body, selector="$[0].document_number")
    every = extract("json", body, selector="$[*].document_number")
    quoted = extract("json", body, selector="$[-1]['citation']")

    assert first.text == '"2025-02811"'
    assert json.loads(every.text) == ["2025-02811", "2024-29990", "2024-18496", "2023-27178"]
    assert quoted.text == '"88 FR 87672"'


@pytest.mark.parametrize("selector", ["$.results[0].title", "$[9].title", "$[0].no_such_key"])
def test_a_json_path_to_a_missing_key_has_not_matched(selector: str) -> None:
    result = extract("json", (FIXTURES / FR_SEARCH).read_bytes(), selector=selector)

    assert (result.matched, result.text) == (False, "")


@pytest.mark.parametrize("body", [b"{not json", b'{"a": 1'])
def test_unparseable_json_is_an_extraction_error(body: bytes) -> None:
    with pytest.raises(ExtractionError):
        extract("json", body)


def test_an_unsupported_json_path_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError):
        extract("json", b"{}", selector="$..a")


# --- HTML ---------------------------------------------------------------------------


def test_the_eurlex_monitoring_script_and_generator_comment_do_not_change_the_text(
    tmp_path: Path,
) -> None:
    path = copy_fixture(EPRIVACY, tmp_path)
    html = path.read_text(encoding="utf-8")
    assert "rid=RID_519980253" in html
    html = html.replace("rid=RID_519980253", "rid=RID_777777777").replace(
        "generated_on:20231019-1121", "generated_on:20251231-2359"
    )
    html = html.replace("</body>", "<script>window.rum={id:'a9f3'}</script></body>")
    path.write_text(html, encoding="utf-8")

    original = extract("html", (FIXTURES / EPRIVACY).read_bytes())
    reloaded = extract("html", path.read_bytes())

    assert reloaded.text == original.text
    assert "Article 1" in original.text
    assert "rid=" not in original.text
    assert "generated_on" not in original.text


def test_a_changed_article_changes_the_html_text(tmp_path: Path) -> None:
    path = copy_fixture(EPRIVACY, tmp_path)
    html = path.read_text(encoding="utf-8").replace("Scope and aim", "Scope, aim and repeal")
    path.write_text(html, encoding="utf-8")

    assert (
        extract("html", path.read_bytes()).text
        != extract("html", FIXTURES.joinpath(EPRIVACY).read_bytes()).text
    )


def test_a_selector_that_matches_nothing_has_not_matched() -> None:
    body = (FIXTURES / EPRIVACY).read_bytes()

    css = extract("html", body, selector="div.no-such-class")
    xpath = extract("html", body, selector="//section[@id='gone']")

    assert (css.matched, css.text) == (False, "")
    assert (xpath.matched, xpath.text) == (False, "")


def test_css_and_xpath_selectors_pick_the_part_of_the_page() -> None:
    body = (FIXTURES / EPRIVACY).read_bytes()

    css = extract("html", body, selector="p.reference")
    xpath = extract("html", body, selector="//p[@class='reference']")

    assert css.text == xpath.text == "02002L0058 — EN — 19.12.2009 — 002.001"


def test_block_elements_become_lines_and_inline_elements_do_not() -> None:
    body = b"""<html><body><h1>Title</h1><p>One <b>bold</b>
        word</p><ul><li>a</li><li>b<br>c</li></ul><td>cell</td></body></html>"""

    assert extract("html", body).text == "Title\nOne bold word\na\nb\nc\ncell"


def test_ignore_drops_matching_elements_and_lines() -> None:
    body = b"<main><p class='ad'>Buy now</p><p>Law text</p><p>Updated: 3 minutes ago</p></main>"

    result = extract("html", body, ignore=["p.ad", "re:^Updated:"])

    assert result.text == "Law text"


def test_nul_characters_vanish_from_every_kind() -> None:
    html = extract("html", b"<p>Ar\x00ticle 5</p>")
    data = extract("json", b'{"title": "Ar\\u0000ticle 5", "k\\u0000ey": 1}')

    assert html.text == "Article 5"
    assert "\x00" not in data.text
    assert "\\u0000" not in data.text
    assert '"title": "Article 5"' in data.text


def test_reflowed_whitespace_and_unicode_forms_are_no_change() -> None:
    compact = extract("html", "<p>Caf\u00e9 rules apply</p>".encode())
    reflowed = extract("html", "<p>\n  Cafe\u0301\t\trules\n   apply  </p>\n\n".encode())

    assert reflowed.text == compact.text


# --- Feeds --------------------------------------------------------------------------

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Press</title>
<lastBuildDate>Mon, 06 Oct 2025 10:00:00 GMT</lastBuildDate>
<item><title>Second  item</title><link>https://example.org/2</link><guid>urn:b</guid>
  <pubDate>Tue, 07 Oct 2025 09:00:00 GMT</pubDate></item>
<item><title>First item</title><link>https://example.org/1</link><guid>urn:a</guid></item>
<item><title>No guid</title><link>https://example.org/3</link></item>
<item><title>urn:a again</title><link>https://example.org/dup</link><guid>urn:a</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Register</title><updated>2025-10-06T00:00:00Z</updated>
<entry><id>tag:example.org,2025:withdrawal</id><title>Withdrawal of proposal</title>
  <link href="https://example.org/w"/><updated>2025-10-06T00:00:00Z</updated></entry>
</feed>"""


def test_an_rss_feed_yields_its_items_by_id() -> None:
    result = extract("feed", RSS)

    assert [item.id for item in result.items] == ["https://example.org/3", "urn:a", "urn:b"]
    assert result.items[2].title == "Second item"
    assert result.items[2].published == "Tue, 07 Oct 2025 09:00:00 GMT"
    assert result.text.splitlines()[1] == "urn:a\tFirst item\thttps://example.org/1"


def test_an_atom_feed_yields_its_entries_by_id() -> None:
    (item,) = extract("feed", ATOM).items

    assert item.id == "tag:example.org,2025:withdrawal"
    assert (item.title, item.link) == ("Withdrawal of proposal", "https://example.org/w")


def test_a_new_build_date_alone_is_no_change() -> None:
    rebuilt = RSS.replace(b"Mon, 06 Oct 2025 10:00:00", b"Wed, 08 Oct 2025 11:00:00")

    assert extract("feed", rebuilt).text == extract("feed", RSS).text


def test_feedparser_is_never_given_a_string_or_path(monkeypatch: pytest.MonkeyPatch) -> None:
    received: list[object] = []
    real_parse = feedparser.parse

    def spy(source, *args, **kwargs):
        received.append(source)
        return real_parse(source, *args, **kwargs)

    monkeypatch.setattr(feedparser, "parse", spy)

    extract("feed", RSS)

    assert len(received) == 1
    assert not isinstance(received[0], str | bytes)  # a str is fetched, bytes opened as a path


def test_a_body_that_names_a_local_file_is_not_read_as_that_file(tmp_path: Path) -> None:
    local = tmp_path / "secret-feed.xml"
    local.write_bytes(RSS)

    with pytest.raises(ExtractionError):
        extract("feed", str(local).encode())


@pytest.mark.parametrize(
    "body", [b"this is not a feed", b'{"a": 1}', b"<html><body>Not found</body></html>"]
)
def test_a_body_that_is_no_feed_is_an_extraction_error(body: bytes) -> None:
    with pytest.raises(ExtractionError):
        extract("feed", body)


def test_a_truncated_feed_still_yields_the_items_it_has() -> None:
    result = extract(
        "feed", b"<rss><channel><item><guid>urn:x</guid><title>cut</title></item><item>"
    )

    assert [item.id for item in result.items] == ["urn:x"]


def test_an_empty_but_valid_feed_has_no_items() -> None:
    result = extract("feed", b'<rss version="2.0"><channel><title>x</title></channel></rss>')

    assert (result.matched, result.text, result.items) == (True, "", ())


# --- XML and PDF --------------------------------------------------------------------


def test_xml_xpath_with_local_name_selects_an_article_of_the_ai_act() -> None:
    body = (FIXTURES / AI_ACT).read_bytes()

    result = extract("xml", body, selector="//*[local-name()='ARTICLE'][@IDENTIFIER='005']")

    lines = result.text.splitlines()
    assert lines[:3] == ["Article 5", "Prohibited AI practices", "1."]
    assert "subliminal techniques" in result.text


def test_xml_entities_are_not_resolved() -> None:
    body = b"""<?xml version="1.0"?>
<!DOCTYPE doc [<!ENTITY secret SYSTEM "file:///etc/passwd">]><doc>before &secret; after</doc>"""

    result = extract("xml", body)

    assert "root:" not in result.text
    assert result.text.startswith("before")


def test_xml_that_does_not_parse_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError):
        extract("xml", b"<doc><open></doc>")


def minimal_pdf(pages: list[str]) -> bytes:
    """A valid PDF with one line of Helvetica text per page."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_pdf_text_comes_from_every_page() -> None:
    result = extract("pdf", minimal_pdf(["Article 1 Scope", "Article 2 Entry into force"]))

    assert result.text.splitlines() == ["Article 1 Scope", "Article 2 Entry into force"]


@pytest.mark.parametrize("body", [b"", b"%PDF-1.4\ngarbage", b"<html>not a pdf</html>"])
def test_an_unreadable_pdf_is_an_extraction_error(body: bytes) -> None:
    with pytest.raises(ExtractionError):
        extract("pdf", body)


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown source kind"):
        extract("docx", b"")


def test_xml_ignore_rules_are_xpath_and_drop_their_matches_but_not_the_text_after():
    body = (
        b"<doc><title>AI Act</title><meta><generated>2026-11-28T10:00</generated></meta>"
        b"<p>Article 5 <note>fn 1</note>applies.</p></doc>"
    )
    result = extract("xml", body, ignore=["//generated", "//note"])
    assert "2026-11-28" not in result.text and "fn 1" not in result.text
    assert "Article 5" in result.text and "applies." in result.text
