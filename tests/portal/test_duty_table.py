"""An instrument's obligations table (issue 23): filters by addressee, risk tier and date
as GET parameters, the count that matches, a refusal beside a bad field, and each duty's
penalty beside it instead of fines in rows apart."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.obligations.models import Obligation

pytestmark = pytest.mark.django_db

ACT = "/instruments/eu-ai-act/"
ROW = re.compile(r'<tr id="obligation-([^"]+)"[^>]*>(.*?)</tr>', re.S)


def _page(client, **params) -> tuple[int, str]:
    response = client.get(ACT, params)
    return response.status_code, response.content.decode()


def _duties(page: str) -> dict[str, str]:
    """The rows of the duties table (not of the penalty provisions), by key."""
    table = page.split('id="h-penalty-provisions"')[0]
    return dict(ROW.findall(table))


def _published(**lookups) -> set[str]:
    rows = Obligation.objects.published().filter(instrument__slug="eu-ai-act", **lookups)
    return set(rows.values_list("key", flat=True))


def _provisions(page: str) -> set[str]:
    """The keys of the penalty provisions listed apart from the duties."""
    parts = page.split('id="h-penalty-provisions"')
    return set(dict(ROW.findall(parts[1]))) if len(parts) > 1 else set()


def test_the_table_filters_by_addressee_and_says_how_many_match(signed_in):
    status, page = _page(signed_in, addressee="deployer")
    _, whole = _page(signed_in)
    assert status == 200
    assert set(_duties(page)) == _published(addressee="deployer")
    total = len(_duties(whole))
    assert f"{len(_published(addressee='deployer'))} of {total} duties match the filters." in page


def _shown_starts(page: str) -> dict[str, dt.date | None]:
    """Each duty's "applies from" as the unfiltered page shows it (amendments applied)."""
    starts = {}
    for key, cells in _duties(page).items():
        text = re.findall(r"<td>(.*?)</td>", cells, re.S)[4].split("<br>")[0].strip()
        starts[key] = None if text == "not fixed" else dt.datetime.strptime(text, "%d %b %Y").date()
    return starts


def test_a_tier_and_a_range_of_start_days_narrow_the_rows(signed_in):
    _, whole = _page(signed_in)
    starts = _shown_starts(whole)
    high = _published(risk_tier="high")
    low, high_end = dt.date(2027, 1, 1), dt.date(2027, 12, 31)
    status, page = _page(
        signed_in,
        risk_tier="high",
        applies_after=low.isoformat(),
        applies_before=high_end.isoformat(),
    )
    wanted = {k for k, day in starts.items() if k in high and day and low <= day <= high_end}
    assert status == 200 and wanted and set(_duties(page)) == wanted
    # One end of the range alone: applies from that day or later.
    _, later = _page(signed_in, applies_after="2027-01-01")
    assert set(_duties(later)) == {k for k, day in starts.items() if day and day >= low}
    assert set(_duties(later)) != set(starts)


def test_duties_of_no_tier_can_be_asked_for(signed_in):
    _, page = _page(signed_in, risk_tier="none")
    shown = set(_duties(page))
    assert shown and shown <= _published(risk_tier="")


def test_the_choices_are_those_present_with_labels_for_people(signed_in):
    _, page = _page(signed_in)
    select = re.search(r'<select id="f-addressee".*?</select>', page, re.S).group(0)
    values = set(re.findall(r'<option value="([^"]+)"', select))
    assert values == set(
        Obligation.objects.published()
        .filter(instrument__slug="eu-ai-act")
        .exclude(key__in=_provisions(page))
        .values_list("addressee", flat=True)
    )
    assert (
        ">Authorised representative</option>" in select
        and "authorised_representative<" not in select
    )
    assert "data_fiduciary" not in select  # no duty of the act binds one
    tiers = re.search(r'<select id="f-tier".*?</select>', page, re.S).group(0)
    assert ">General-purpose AI model</option>" in tiers and ">No risk tier</option>" in tiers


def test_a_filter_matching_nothing_says_so(signed_in):
    status, page = _page(signed_in, addressee="data_fiduciary")
    assert status == 200 and not _duties(page)
    assert "No duty matches these filters." in page


@pytest.mark.parametrize(
    ("params", "field", "said"),
    [
        ({"addressee": "memberstate"}, "f-addressee", "Choose an addressee from the list."),
        ({"risk_tier": "extreme"}, "f-tier", "Choose a risk tier from the list."),
        ({"applies_after": "2026-13-45"}, "f-after", "Enter a date as YYYY-MM-DD."),
        (
            {"applies_after": "2027-01-01", "applies_before": "2026-01-01"},
            "f-before",
            "This day is before the “on or after” day: swap them.",
        ),
    ],
)
def test_a_bad_filter_value_is_refused_beside_its_field(signed_in, params, field, said):
    status, page = _page(signed_in, **params)
    assert status == 400
    control = re.search(rf'<(?:select|input) id="{field}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in control and f'aria-describedby="{field}-error"' in control
    assert f'id="{field}-error">{said}' in page
    typed = next(iter(params.values()))
    assert typed in page  # what was typed is not lost
    assert _duties(page)  # the other filters (none here) still show the table


def test_each_duty_shows_its_penalty_beside_it_with_the_provision_and_citation(signed_in):
    _, page = _page(signed_in)
    duties = _duties(page)
    article_5 = duties["article-5-prohibited-practices"]
    fine = Obligation.objects.get(key="article-99-penalty-prohibited-practices")
    penalty = fine.penalties.get().describe()
    assert penalty in article_5
    assert '<a href="#obligation-article-99-penalty-prohibited-practices">' in article_5
    assert fine.citations.first().title in article_5
    assert "#obligation-article-101-gpai-fines" in duties["article-53-gpai-provider-obligations"]
    # A duty with a penalty of its own shows that one, under its own provision.
    own = Obligation.objects.get(key="article-5-1-ba-bb-intimate-imagery-csam")
    assert own.penalties.get().describe() in duties[own.key]
    # The fines are not duties: they are listed apart, where the links lead.
    assert fine.key not in duties and fine.key in _provisions(page)
    assert "None recorded" in duties["article-28-notifying-authorities"]


def test_filters_apply_on_a_past_day_too(signed_in):
    _, page = _page(signed_in, as_of="2025-09-01", risk_tier="prohibited")
    assert set(_duties(page)) == {"article-5-prohibited-practices"}
    assert '<input type="hidden" name="as_of" value="2025-09-01">' in page


def _queries(client, url: str, status: int = 200) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == status
    return len(queries)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (ACT, 200),
        (f"{ACT}?addressee=provider&risk_tier=high&applies_after=2026-01-01", 200),
        (f"{ACT}?applies_after=2026-01-01&applies_before=2026-12-31", 200),
        (f"{ACT}?addressee=data_fiduciary", 200),
        (f"{ACT}?addressee=bogus", 400),
    ],
)
def test_the_page_reads_as_much_with_filters_as_without(signed_in, url, status):
    # The session, the user, the row and one query per prefetched set (see test_pages).
    assert _queries(signed_in, url, status) == 17


def test_the_export_follows_the_filters(signed_in):
    _, page = _page(signed_in, addressee="deployer")
    link = re.search(r'href="([^"]*export/\?as=csv[^"]*)"', page).group(1).replace("&amp;", "&")
    assert "addressee=deployer" in link
    rows = list(csv.reader(io.StringIO(signed_in.get(link).content.decode("utf-8-sig"))))
    column = rows[0].index("key")  # by name: the crosswalk merge put "provision" before it
    keys = {row[column] for row in rows[1:]}
    assert keys == _published(addressee="deployer")
    refused = signed_in.get(f"{ACT}export/", {"as": "csv", "applies_after": "soon"})
    assert refused.status_code == 400
