"""Hostile content costs a bounded amount per check, and every way a check fails is recorded.

Each test serves or builds the input that once hung a worker or failed silently.
"""

from __future__ import annotations

import io
import threading
import time
import zlib

import pypdf
import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf.generic import DictionaryObject, NameObject, StreamObject

from apps.sources import dispatch, extraction, services
from apps.sources.diffing import DiffLine, diff_lines, significance
from apps.sources.extraction import ExtractionError, extract
from apps.sources.models import Change, Source
from apps.sources.tasks import check_source_task
from tests.local_http import Page
from tests.processes import celery_worker, wait_for

ENTITY_ONLY = b"""<?xml version="1.0"?>
<!DOCTYPE gazette [<!ENTITY status "in force">]>
<gazette><title>Testland AI law</title><status>&status;</status></gazette>"""


@pytest.fixture(autouse=True)
def _private_allowed(settings):
    settings.SOURCES_ALLOW_PRIVATE = True  # the local test server lives on 127.0.0.1


def _source(local_site, path: str, kind: str, **fields) -> Source:
    return Source.objects.create(
        name=f"hostile {path}", url=local_site.url(path), kind=kind, **fields
    )


def _finishes(call, seconds: float = 10.0):
    """The call's result (or its exception); fails instead of hanging the run if it has
    not returned in time."""
    box: dict[str, object] = {}

    def run() -> None:
        try:
            box["result"] = call()
        except BaseException as exc:  # re-raised in the test's thread
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"still running after {seconds} s"
    if "error" in box:
        raise box["error"]
    return box["result"]


# --- Unreadable XML -----------------------------------------------------------------


def test_an_xml_element_holding_only_an_entity_reference_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match=r"entity reference &status; is not expanded"):
        extract("xml", ENTITY_ONLY)


@pytest.mark.django_db
def test_an_xml_element_holding_only_an_entity_reference_is_a_recorded_failure(local_site):
    local_site.pages["/gazette.xml"] = Page(ENTITY_ONLY, content_type="application/xml")
    source = _source(local_site, "/gazette.xml", "xml")

    assert check_source_task.apply(args=[source.pk]).get() == "failed"

    source.refresh_from_db()
    assert source.consecutive_failures == 1
    assert "&status;" in source.last_error


@pytest.mark.django_db
def test_a_page_declaring_a_codec_that_is_no_charset_is_read_with_the_usual_guesses():
    body = '<meta charset="idna"><p>Règlement 2024/1689</p>'.encode()

    assert extract("html", body).text == "Règlement 2024/1689"


def test_an_unpaired_surrogate_in_json_does_not_stop_the_text_being_hashed() -> None:
    text = extract("json", b'{"title": "AI \\ud800 Act"}').text

    assert text.encode("utf-8")  # hashable and storable
    assert '"AI ? Act"' in text


# --- A check past its time limit ----------------------------------------------------


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_check_stopped_by_its_soft_time_limit_is_a_recorded_failure_and_ends_its_claim(
    local_site, tmp_path, settings
):
    # The dispatcher puts the limits into the message it queues.
    settings.SOURCES_CHECK_SOFT_SECONDS = 2
    # The page answers long after the worker's soft limit (and before the fetch timeout).
    local_site.pages["/slow"] = Page(b"<p>The AI law.</p>", delay=15)
    source = _source(local_site, "/slow", "html")

    log = tmp_path / "worker.log"
    with celery_worker(log, SOURCES_ALLOW_PRIVATE="true", SOURCES_CHECK_SOFT_SECONDS="2") as worker:
        assert [sid for sid, _ in dispatch.dispatch_due()] == [source.pk]
        assert Source.objects.get(pk=source.pk).claim_expires_at is not None
        wait_for(
            lambda: Source.objects.get(pk=source.pk).consecutive_failures == 1,
            timeout=40,
            what=f"the time limit to be recorded as a failure (log: {log})",
            proc=worker,
        )
        wait_for(
            lambda: Source.objects.get(pk=source.pk).claim_expires_at is None,
            timeout=10,
            what="the ended check to release its claim",
            proc=worker,
        )
    source.refresh_from_db()
    assert source.last_error == "the check took longer than 2 s and was stopped"
    assert not source.snapshots.exists()


@pytest.mark.django_db(transaction=True)
def test_a_check_that_finds_its_source_busy_through_every_retry_is_a_recorded_failure():
    from django.db import connections

    source = Source.objects.create(name="busy", url="https://example.org/busy", kind="html")
    # Another session holds the source's check lock throughout, as a stuck check would.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [services._LOCK_NAMESPACE, source.pk])
        check_source_task.apply(args=[source.pk])
    finally:
        other.close()

    source.refresh_from_db()
    assert source.consecutive_failures == 1
    assert source.last_error.startswith("gave up after 6 retries: SourceBusy")


# --- Ignore rules -------------------------------------------------------------------


def test_a_backtracking_ignore_rule_runs_in_linear_time_and_drops_what_it_matches() -> None:
    # With a backtracking engine each "a…ab" line costs 2**39 steps: it would never end.
    lines = ["a" * 39 + "b", "a" * 40, "Article 5 applies from 2 February 2025"] * 200
    body = "".join(f"<p>{line}</p>" for line in lines).encode()

    result = _finishes(lambda: extract("html", body, ignore=["re:(a+)+$"]))

    assert (
        result.text.splitlines()
        == [
            "a" * 39 + "b",
            "Article 5 applies from 2 February 2025",
        ]
        * 200
    )


@pytest.mark.parametrize(
    ("rule", "reason"),
    [
        ("re:(", "missing )"),
        (r"re:(a)\1", "no backreferences or lookaround"),  # needs a backtracking engine
        ("re:(?<=Page )\\d+", "no backreferences or lookaround"),
        ("re:(x{100}){100}", "invalid repetition size"),  # 10,000 states
        (r"re:\pL{1000}", "pattern too large"),  # past RE2's memory bound
    ],
)
@pytest.mark.django_db
def test_an_ignore_rule_the_linear_engine_cannot_run_is_refused_when_saved(rule, reason):
    source = Source(name="s", url="https://example.org/", kind="html", ignore=["p.ad", rule])

    with pytest.raises(ValidationError) as refused:
        source.full_clean()

    [message] = refused.value.message_dict["ignore"]
    assert rule in message and reason in message


@pytest.mark.django_db
def test_the_admin_form_refuses_an_ignore_rule_that_does_not_compile(client, superuser):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:sources_source_add"),
        {
            "name": "bad rule",
            "url": "https://example.org/gazette",
            "kind": "html",
            "check_interval_minutes": 60,
            "active": "on",
            "ignore": "re:(",
        },
    )

    assert response.status_code == 200
    assert "invalid ignore pattern &#x27;re:(&#x27;: missing )" in response.content.decode()
    assert not Source.objects.filter(name="bad rule").exists()


@pytest.mark.django_db
def test_a_rule_saved_before_it_was_validated_is_a_recorded_failure(local_site):
    local_site.pages["/page"] = Page(b"<p>The AI law.</p>")
    source = _source(local_site, "/page", "html")
    Source.objects.filter(pk=source.pk).update(ignore=[r"re:(a)\1"])  # as an old row holds it

    assert services.check_source(source.pk).outcome == "failed"

    source.refresh_from_db()
    assert "no backreferences" in source.last_error


# --- Diffs --------------------------------------------------------------------------


def test_8000_repeated_lines_shifted_by_one_are_too_large_to_diff() -> None:
    # difflib compares every "a" with every "a": 9 s of work before this budget existed.
    old, new = "a\nb\n" * 4000, "b\na\n" * 4000

    diff = _finishes(lambda: diff_lines(old, new))

    [summary] = diff
    assert summary.op == "skip"
    assert summary.old.startswith("too large to diff: 8,000 lines before, 8,000 after")


def test_a_change_too_large_to_diff_says_so_among_its_reasons() -> None:
    level, reasons = _finishes(lambda: significance("a\nb\n" * 4000, "b\na\n" * 4000))

    assert any(reason.startswith("too large to diff") for reason in reasons)
    assert level == "medium"  # an editor should look at what no diff shows


def test_one_changed_line_among_8000_repeated_ones_is_still_diffed_line_by_line() -> None:
    old = "x\n" * 8000
    new = "x\n" * 4000 + "repealed\n" + "x\n" * 3999

    diff = _finishes(lambda: diff_lines(old, new))

    assert [d.op for d in diff] == ["skip", "equal", "equal", "replace", "equal", "equal", "skip"]
    assert diff[3].new == "repealed"


def test_a_16kb_line_of_repeated_words_reworded_is_replaced_whole() -> None:
    old, new = "law and " * 2000, "and law " * 2000

    [line] = _finishes(lambda: diff_lines(old, new))

    assert line == DiffLine("replace", old, new, (("delete", old), ("insert", new)))


def test_one_word_changed_in_a_16kb_line_of_repeated_words_keeps_its_word_diff() -> None:
    old = " ".join(["law"] * 4000)
    new = " ".join(["law"] * 2000 + ["repealed"] + ["law"] * 1999)

    [line] = _finishes(lambda: diff_lines(old, new))

    assert ("delete", "law") in line.words and ("insert", "repealed") in line.words


@pytest.mark.django_db
def test_a_change_too_large_to_diff_is_still_recorded_with_its_reason(local_site):
    local_site.pages["/list"] = Page("".join("<p>a</p><p>b</p>" for _ in range(4000)).encode())
    source = _source(local_site, "/list", "html")
    assert services.check_source(source.pk).outcome == "baseline"
    local_site.pages["/list"] = Page("".join("<p>b</p><p>a</p>" for _ in range(4000)).encode())

    result = services.check_source(source.pk)

    assert result.outcome == "changed"
    change = Change.objects.get(source=source)
    assert [line["op"] for line in change.diff] == ["skip"]
    assert change.diff[0]["old"].startswith("too large to diff")
    assert any(reason.startswith("too large to diff") for reason in change.reasons)


# --- PDFs ---------------------------------------------------------------------------


def shared_stream_pdf(pages: int, repeats: int) -> bytes:
    """``pages`` pages whose /Contents is one FlateDecode stream of ``repeats`` text
    operations: a small file that inflates to pages times stream bytes of content."""
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    stream = StreamObject()
    stream.set_data(zlib.compress(b"BT /F1 12 Tf 72 720 Td (repealed) Tj ET\n" * repeats, 9))
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    contents = writer._add_object(stream)
    for page in writer.pages:
        page[NameObject("/Contents")] = contents
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pages_sharing_one_inflating_stream_are_refused_before_any_text_is_read() -> None:
    body = shared_stream_pdf(pages=40, repeats=20_000)  # 800 KB of content on each page
    assert len(body) < 30_000

    with pytest.raises(ExtractionError, match=r"too large to read: more than 16,000,000 bytes"):
        _finishes(lambda: extract("pdf", body))


def test_a_pdf_with_more_pages_than_the_cap_is_refused() -> None:
    writer = pypdf.PdfWriter()
    for _ in range(extraction.PDF_MAX_PAGES + 1):
        writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)

    with pytest.raises(ExtractionError, match=r"too large to read: 1,001 pages, more than 1,000"):
        extract("pdf", out.getvalue())


def test_pages_sharing_a_small_stream_are_read_as_usual() -> None:
    text = extract("pdf", shared_stream_pdf(pages=3, repeats=2)).text

    assert text.count("repealed") == 6


@pytest.mark.django_db
def test_an_inflating_pdf_is_a_recorded_failure_with_its_reason(local_site):
    local_site.pages["/oj.pdf"] = Page(
        shared_stream_pdf(pages=40, repeats=20_000), content_type="application/pdf"
    )
    source = _source(local_site, "/oj.pdf", "pdf")

    assert services.check_source(source.pk).outcome == "failed"

    source.refresh_from_db()
    assert source.last_error.startswith("the PDF is too large to read")


def _spins_until_interrupted(self, *args, **kwargs):
    # A page whose text costs more than any limit (the 36 KB PDF that took a minute of
    # CPU): it returns only if nothing stops it, long after the limit below; stopped
    # between pages only, the read would end in page 2, not in page 1.
    stop = time.monotonic() + 3
    while time.monotonic() < stop:
        pass
    return "never stopped"


def test_a_page_slower_than_the_pdf_time_limit_is_stopped_inside_it_and_said_so(
    monkeypatch,
) -> None:
    monkeypatch.setattr(extraction.pdf_documents, "PDF_MAX_SECONDS", 0.2)
    monkeypatch.setattr(pypdf.PageObject, "extract_text", _spins_until_interrupted)

    with pytest.raises(ExtractionError) as stopped:
        extract("pdf", shared_stream_pdf(pages=3, repeats=2))

    assert str(stopped.value) == (
        "the PDF took longer than its time limit of 0.2 s to read (stopped in page 1 of 3)"
    )


@pytest.mark.django_db
def test_the_checks_time_limit_inside_the_pdf_reader_is_reported_as_a_time_limit(
    local_site, monkeypatch, settings
):
    """Celery's soft limit arrives as an exception wherever the worker is, pypdf included;
    it was reported as "the PDF cannot be read (SoftTimeLimitExceeded)"."""

    def time_limit_arrives(self, *args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(pypdf.PageObject, "extract_text", time_limit_arrives)
    local_site.pages["/oj.pdf"] = Page(
        shared_stream_pdf(pages=2, repeats=2), content_type="application/pdf"
    )
    source = _source(local_site, "/oj.pdf", "pdf")
    settings.SOURCES_CHECK_SOFT_SECONDS = 120

    outcome = check_source_task.apply(args=[source.pk]).get()

    source.refresh_from_db()
    assert outcome == "failed"
    assert source.last_error == "the check took longer than 120 s and was stopped"
