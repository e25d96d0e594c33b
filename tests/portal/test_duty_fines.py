"""A fine of no risk tier beside the duties the record links it to (issue 23): the AI
Act's Article 99(4) stands beside the duties its cited pages name, and beside no other."""

from __future__ import annotations

import re

import pytest

from apps.obligations.models import FineLink, Obligation
from apps.record import services as record
from apps.record.services import Why

pytestmark = pytest.mark.django_db

ACT = "/instruments/eu-ai-act/"
ROW = re.compile(r'<tr id="obligation-([^"]+)"[^>]*>(.*?)</tr>', re.S)
GENERAL_FINE = "article-99-penalty-other-obligations"
INFORMATION_FINE = "article-99-penalty-incorrect-information"  # 99(5): links no duty


def _tables(client, **params) -> tuple[dict[str, str], set[str]]:
    page = client.get(ACT, params).content.decode()
    duties, _, provisions = page.partition('id="h-penalty-provisions"')
    return dict(ROW.findall(duties)), set(dict(ROW.findall(provisions)))


def _linked() -> set[str]:
    return set(
        FineLink.objects.filter(fine__key=GENERAL_FINE).values_list("obligation__key", flat=True)
    )


def test_a_linked_fine_stands_beside_each_duty_it_punishes(signed_in):
    duties, provisions = _tables(signed_in)
    fine = Obligation.objects.get(instrument__slug="eu-ai-act", key=GENERAL_FINE)
    said = fine.penalties.get().describe()
    assert _linked()  # the seed links some duties
    for key in _linked():
        assert f'<a href="#obligation-{GENERAL_FINE}">Article 99(4)</a>' in duties[key], key
        assert said in duties[key], key
    # It punishes listed duties, so it is a penalty provision, not a duty among them.
    assert GENERAL_FINE in provisions and GENERAL_FINE not in duties


def test_a_linked_fine_stands_beside_no_duty_the_record_does_not_link(signed_in):
    duties, _ = _tables(signed_in)
    for key, cells in duties.items():
        if key not in _linked():
            assert f"#obligation-{GENERAL_FINE}" not in cells, key
    # Same addressee as the fine (provider), no link: the fine is not put beside it.
    assert "None recorded" in duties["article-6-1-annex-i-high-risk"]


def test_an_unlinked_fine_of_no_tier_stays_a_row_of_its_own(signed_in):
    duties, provisions = _tables(signed_in)
    assert INFORMATION_FINE in duties and INFORMATION_FINE not in provisions
    assert all(f"#obligation-{INFORMATION_FINE}" not in cells for cells in duties.values())


def test_a_link_removed_takes_the_fine_from_beside_the_duty(signed_in):
    duty = "article-24-distributor-obligations"
    FineLink.objects.filter(obligation__key=duty).delete()
    duties, _ = _tables(signed_in)
    assert f"#obligation-{GENERAL_FINE}" not in duties[duty]
    assert f"#obligation-{GENERAL_FINE}" in duties["article-23-importer-obligations"]


def test_on_a_past_day_the_link_shows_with_the_rows_that_applied(signed_in):
    # The Digital Omnibus moved Articles 16 to 26 to 2027; Article 50 applied that day.
    duties, provisions = _tables(signed_in, as_of="2026-09-01")
    assert "article-26-deployer-obligations" not in duties
    assert f"#obligation-{GENERAL_FINE}" in duties["article-50-transparency"]
    assert GENERAL_FINE in provisions


def test_a_retired_fine_stands_beside_no_duty(signed_in):
    fine = Obligation.objects.get(instrument__slug="eu-ai-act", key=GENERAL_FINE)
    record.write(target="obligation", action="retire", row=fine, why=Why.system("test"))
    duties, provisions = _tables(signed_in)
    assert all(f"#obligation-{GENERAL_FINE}" not in cells for cells in duties.values())
    assert GENERAL_FINE not in provisions
    assert "None recorded" in duties["article-24-distributor-obligations"]
