"""Compare as a crosswalk (issue 23): the questions a partner asks, each answer
linked to its record row and cited, pending and soft law apart from law in force,
labels rather than codes, a topic to narrow by, and its CSV and XLSX export."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.reading import crosswalk
from tests.helpers import in_force, write

pytestmark = pytest.mark.django_db

URL = "/compare/"
EU_CN_US = {"j": ["EU", "CN", "US"]}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _rows(html: str) -> dict[str, list[str]]:
    """The crosswalk's rows by question key: each cell's HTML."""
    table = html.split('class="compare crosswalk"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for key, body in re.findall(r'<tr id="q-([a-z_]+)">(.*?)</tr>', table, re.S):
        rows[key] = re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
    return rows


def _page(client, params=EU_CN_US) -> dict[str, list[str]]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return _rows(response.content.decode())


def test_each_question_is_a_row_with_a_cell_per_jurisdiction(signed_in):
    rows = _page(signed_in)
    assert list(rows) == [key for key, _ in crosswalk.QUESTIONS]
    assert all(len(cells) == 3 for cells in rows.values())
    html = signed_in.get(URL, EU_CN_US).content.decode()
    for _key, question in crosswalk.QUESTIONS:
        assert f'<th scope="row">{question}</th>' in html.replace("&#x27;", "'")


def test_every_answer_links_to_its_record_row_and_cites_its_source(signed_in):
    for key, cells in _page(signed_in).items():
        for cell in cells:
            answers = re.findall(r"<li>(.*?)</li>", cell, re.S)
            assert answers, key
            for answer in answers:
                first = re.search(r'<a href="([^"]+)"', answer).group(1)
                assert first.startswith(("/instruments/", "/jurisdictions/")), (key, answer)
                # Every row of EU, CN and US in the seed has a citation with a web address.
                assert re.search(r'Source: <a href="https?://', answer), (key, answer)


def _cn_act_with_a_fine() -> Instrument:
    """A second binding CN law in force holding the jurisdiction's only fine, named so
    that it sorts after the laws without one."""
    act = write(
        "instrument",
        {
            "slug": "zz-fines-act",
            "title": "Zz Fines Law on Artificial Intelligence",
            "kind": "law",
            "jurisdiction": Jurisdiction.objects.get(code="CN").pk,
            "legal_force": "binding",
        },
    )
    act = in_force(act, "2024-01-01")
    write(
        "obligation",
        {
            "instrument": act.pk,
            "key": "zz-fine",
            "provision": "Article 66",
            "addressee": "service_provider",
            "requirement": "Keep logs.",
            "applies_from": "2024-01-01",
            "penalties": [{"applies_to": "company", "max_amount": "10000000", "currency": "CNY"}],
        },
    )
    return act


def test_the_highest_penalty_is_found_in_any_instrument_with_its_provision(signed_in):
    before = _page(signed_in)["penalty"][1]
    assert "No penalty recorded" in before  # the seed holds no fine for China
    _cn_act_with_a_fine()
    cell = _page(signed_in)["penalty"][1]
    assert "CNY 10 million" in cell and "Article 66 of Zz Fines Law" in cell
    assert 'href="/instruments/zz-fines-act/#obligation-zz-fine"' in cell
    assert "No penalty recorded" not in cell


def test_a_bills_fine_comes_after_the_laws_and_says_it_is_pending(signed_in):
    cell = _text(_page(signed_in)["penalty"][2])
    law, bill = cell.index("TAKE IT DOWN Act"), cell.index("S.321")
    assert law < bill
    assert "(proposed)" in cell[bill:] and "(proposed)" not in cell[:bill]


def test_addressees_are_named_by_their_labels_never_their_keys(signed_in):
    html = signed_in.get(URL, EU_CN_US).content.decode()
    eu = _text(_rows(html)["addressed"][0])
    assert "member state" in eu and "authorised representative" in eu
    assert not re.search(r"member_?state|authorised_representative", _text(html))


def test_pending_and_soft_law_are_listed_apart_from_law_in_force(signed_in):
    rows = _page(signed_in)
    us_in_force, us_pending = _text(rows["in_force"][2]), _text(rows["pending"][2])
    assert "S.321" in us_pending and "S.321" not in us_in_force
    assert "TAKE IT DOWN Act" in us_in_force and "TAKE IT DOWN Act" not in us_pending
    eu_in_force, eu_soft = _text(rows["in_force"][0]), _text(rows["soft_law"][0])
    assert "Ethics Guidelines for Trustworthy AI" in eu_soft
    assert "Ethics Guidelines for Trustworthy AI" not in eu_in_force
    assert "Regulation (EU) 2024/1689" in eu_in_force


def test_the_first_question_names_ai_law_and_the_next_date_is_after_today(signed_in):
    rows = _page(signed_in)
    eu = _text(rows["binding"][0])
    assert eu.startswith("Yes") and "Regulation (EU) 2024/1689" in eu
    assert "General Data Protection Regulation" not in eu  # law in force, not an AI law
    assert "General Data Protection Regulation" in _text(rows["in_force"][0])
    assert re.match(r"\d{1,2} \w{3} \d{4}", _text(rows["next_date"][0]))


def test_a_topic_narrows_the_crosswalk_to_its_instruments(signed_in):
    everything = _text(_page(signed_in)["in_force"][1])
    narrowed = _text(_page(signed_in, {**EU_CN_US, "topic": "generative-ai"})["in_force"][1])
    assert "Cybersecurity Law" in everything and "Cybersecurity Law" not in narrowed
    assert "Generative Artificial Intelligence Services" in narrowed
    page = signed_in.get(URL, {**EU_CN_US, "topic": "generative-ai"}).content.decode()
    assert "Crosswalk: generative AI" in _text(page)
    assert '<option value="generative-ai" selected>' in page


def test_an_unknown_topic_is_said_beside_its_field_and_keeps_the_choice(signed_in):
    page = signed_in.get(URL, {**EU_CN_US, "topic": "no-such-topic"}).content.decode()
    assert 'aria-describedby="topic_error"' in page and 'id="topic_error"' in page
    assert '<option value="CN" selected>' in page  # what the reader chose is kept
    assert "Crosswalk: the whole record" in _text(page)


def _export(client, fmt: str, params=EU_CN_US):
    response = client.get(f"{URL}export/", {**params, "as": fmt})
    assert response.status_code == 200
    return response


def test_the_crosswalk_exports_every_answer_with_its_link_and_source_as_csv(signed_in):
    _cn_act_with_a_fine()
    body = _export(signed_in, "csv").content
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    question = dict(crosswalk.QUESTIONS)["penalty"]
    [cn] = [r for r in rows if r["question"] == question and r["jurisdiction"] == "China"]
    assert cn["row"] == "CNY 10 million" and cn["detail"].startswith("Article 66")
    assert cn["link"].endswith("/instruments/zz-fines-act/#obligation-zz-fine")
    assert {r["jurisdiction"] for r in rows} == {"European Union", "China", "United States"}
    assert all(r["link"].startswith("http") for r in rows)
    seeded = [r for r in rows if "zz-" not in r["link"]]  # the test's own row cites nothing
    assert all(r["source link"].startswith("http") for r in seeded)


def test_the_crosswalk_exports_as_a_formatted_xlsx(signed_in):
    sheet = load_workbook(io.BytesIO(_export(signed_in, "xlsx").content)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["question", "jurisdiction", "answer"]
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2"
    days = [row[5] for row in sheet.iter_rows(min_row=2, values_only=True) if row[5]]
    assert days and all(hasattr(d, "year") for d in days)


def test_an_export_without_two_jurisdictions_is_404(signed_in):
    assert signed_in.get(f"{URL}export/", {"j": ["EU"], "as": "csv"}).status_code == 404


def test_the_crosswalk_reads_in_ten_queries_whatever_it_compares():
    def count(codes):
        chosen = list(Jurisdiction.objects.filter(code__in=codes))
        with CaptureQueriesContext(connection) as queries:
            crosswalk.crosswalk(chosen)
        return len(queries)

    assert count(["EU", "CN"]) == count(["EU", "CN", "US", "IN", "SG"]) == 10


def test_the_sources_own_words_say_their_language_and_that_no_translation_is_held(signed_in):
    whole = signed_in.get("/instruments/eu-ai-liability-directive/").content.decode()
    assert '<span lang="zh">欧盟还宣布撤回《人工智能责任指令》</span>' in whole
    assert "(in Chinese, untranslated: the record holds no translation)" in whole
    mixed = signed_in.get("/instruments/us-s321-2025/").content.decode()
    assert '<span lang="zh">现已提交司法委员会</span>' in mixed
    assert "(partly in Chinese, untranslated: the record holds no translation)" in mixed
    english = signed_in.get("/instruments/eu-ai-act/").content.decode()
    assert "untranslated" not in english
