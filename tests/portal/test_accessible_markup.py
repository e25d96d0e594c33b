"""Accessibility held in the served markup (issue 28), without a browser: languages
marked, charts that hold no controls, fields whose descriptions exist, the desk named
after the product. The browser test (tests/browser/test_accessibility.py) runs axe on
the rendered pages; these say the same things in a second each."""

from __future__ import annotations

import re

import pytest

from apps.portal.templatetags.portal import with_lang

pytestmark = pytest.mark.django_db


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', html))


def _referenced(html: str) -> set[str]:
    found = set()
    for attribute in ("aria-describedby", "aria-labelledby"):
        for value in re.findall(rf'{attribute}="([^"]+)"', html):
            found.update(value.split())
    return found


@pytest.mark.parametrize(
    ("title", "marked"),
    [
        (
            "中华人民共和国网络安全法 (Cybersecurity Law of the PRC), 2016",
            '<span lang="zh">中华人民共和国网络安全法</span> (Cybersecurity Law of the PRC), 2016',
        ),
        (
            "인공지능 발전과 신뢰 기반 조성 등에 관한 기본법 (AI Basic Act)",
            '<span lang="ko">인공지능 발전과 신뢰 기반 조성 등에 관한 기본법</span> (AI Basic Act)',
        ),
        # Kana make it Japanese; full-width brackets belong to the run.
        (
            "AI推進法\uff08人工知能の推進\uff09",
            'AI<span lang="ja">推進法\uff08人工知能の推進\uff09</span>',
        ),
        ("Regulation (EU) 2024/1689 <b>", "Regulation (EU) 2024/1689 &lt;b&gt;"),
    ],
)
def test_runs_of_chinese_korean_or_japanese_carry_their_language(title, marked):
    assert with_lang(title) == marked


def test_a_chinese_instruments_citations_are_marked_as_chinese(signed_in):
    html = signed_in.get("/instruments/cn-generative-ai-measures/").content.decode()
    citations = html[html.index("<h2>Citations</h2>") :]
    assert '<span lang="zh">生成式人工智能服务管理暂行办法</span>' in citations


def test_the_timeline_chart_is_a_picture_without_links_and_its_table_has_them(signed_in):
    html = signed_in.get("/jurisdictions/EU/").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and "<a " not in svg
    table = html[html.index("The timeline as a table") :]
    assert 'href="/instruments/eu-ai-act/"' in table


@pytest.mark.parametrize(
    ("path", "data"),
    [("/report/?page=/", None), ("/report/", {"page": "/", "message": ""})],
)
def test_every_description_a_field_names_exists(signed_in, path, data):
    response = signed_in.post(path, data) if data else signed_in.get(path)
    html = response.content.decode()
    assert _referenced(html) <= _ids(html)
    if data:
        assert 'aria-invalid="true"' in html and "This field is required." in html


def test_search_results_come_before_the_filters_and_take_the_focus(signed_in):
    html = signed_in.get("/search/?q=liability").content.decode()
    assert html.index('id="h-hits"') < html.index('<details class="facets"')
    heading = re.search(r"<h2 id=\"h-hits\"[^>]*>", html).group()
    assert "autofocus" in heading and 'tabindex="-1"' in heading
    assert '<a class="skip" href="#h-hits">' in html


def test_flash_messages_sit_inside_the_main_landmark(signed_in):
    signed_in.post("/report/", {"page": "/", "message": "The date is wrong."})
    html = signed_in.get("/").content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert "your report is with the editors" in main


def test_the_desk_names_the_product_and_has_one_main_column(client, superuser):
    client.force_login(superuser)
    html = client.get("/admin/").content.decode()
    assert "Django administration" not in html
    assert "AI regulation tracker · editors&#x27; desk" in html or "editors' desk" in html
    assert html.count('id="content-main"') == 1
