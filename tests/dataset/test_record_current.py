"""Issue 14: the seed records what happened after the seed document, each fact officially cited.

Dates are explicit: "today" is the day the record was brought up to date, so the
expectations do not drift as the calendar moves.
"""

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from apps.amendments.models import Amendment
from apps.core.models import Citation
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction, Membership
from apps.obligations.models import Obligation
from apps.reading.on_a_day import as_of, parties_on

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)

# What issue 14 added, by natural key.
NEW_INSTRUMENTS = [
    "eu-ai-act-guidelines-prohibited-practices",
    "eu-ai-act-guidelines-ai-system-definition",
    "eu-gpai-code-of-practice",
    "eu-ai-act-guidelines-gpai-scope",
    "eu-digital-omnibus-ai-proposal",
    "us-eo-14318",
    "us-eo-14319",
    "us-eo-14320",
    "us-ca-sb53-2025",
    "us-co-sb24-205",
    "us-co-sb25b-004",
    "us-tx-hb149-traiga",
    "cn-ai-content-labelling-measures",
    "in-dpdp-rules-2025",
    "kr-ai-basic-act",
    "jp-ai-promotion-act",
    "it-law-132-2025",
]
NEW_JURISDICTIONS = ["US-CA", "US-CO", "US-TX"]
NEW_AMENDMENTS = [
    "ai-act-guidelines-prohibited-practices-implement",
    "ai-act-guidelines-ai-system-definition-implement",
    "gpai-code-of-practice-implements-ai-act",
    "ai-act-guidelines-gpai-scope-implement",
    "digital-omnibus-ai-amends-ai-act",
    "labelling-measures-implement-genai-measures",
    "dpdp-rules-2025-implement-dpdp-act",
    "it-law-132-implements-ai-act",
    "sb25b-004-delays-colorado-ai-act",
    "eo-14318-implements-ai-action-plan",
    "eo-14319-implements-ai-action-plan",
    "eo-14320-implements-ai-action-plan",
    "canada-signs-coe-ai-convention",
    "japan-signs-coe-ai-convention",
    "switzerland-signs-coe-ai-convention",
]

# Legislatures', governments' and official journals' own hosts (a host or its parent domain).
OFFICIAL_HOSTS = (
    "europa.eu",
    "cac.gov.cn",
    "npc.gov.cn",
    "gov.cn",
    "law.go.kr",
    "cao.go.jp",
    "normattiva.it",
    "leginfo.legislature.ca.gov",
    "leg.colorado.gov",
    "capitol.texas.gov",
    "whitehouse.gov",
    "federalregister.gov",
    "govinfo.gov",
    "meity.gov.in",
    "indiacode.nic.in",
    "coe.int",
    "brics.br",
)


def _official(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return any(host == h or host.endswith("." + h) for h in OFFICIAL_HOSTS)


def _status(slug: str, on: dt.date) -> str:
    return as_of(Instrument.objects.get(slug=slug), on).status.status


def _obligations(slug: str, on: dt.date) -> set[str]:
    return {o.key for o in as_of(Instrument.objects.get(slug=slug), on).obligations}


def test_every_row_added_for_the_current_record_cites_an_official_source():
    rows = [
        *Instrument.objects.filter(slug__in=NEW_INSTRUMENTS),
        *Jurisdiction.objects.filter(code__in=NEW_JURISDICTIONS),
        *Amendment.objects.filter(key__in=NEW_AMENDMENTS),
        *Obligation.objects.filter(instrument__slug__in=NEW_INSTRUMENTS),
        *Membership.objects.filter(group__code="BRICS", member__code="ID"),
    ]
    expected = len(NEW_INSTRUMENTS) + len(NEW_JURISDICTIONS) + len(NEW_AMENDMENTS) + 1
    assert len(rows) > expected  # every listed row exists, and the obligations come on top
    for row in rows:
        urls = [c.url for c in row.citations.all()]
        assert any(_official(u) for u in urls), f"{row}: {urls}"
    for instrument in Instrument.objects.filter(slug__in=NEW_INSTRUMENTS):
        for event in instrument.events.all():
            # Issue 21's later events may rest on secondary sources only, and say so.
            official = any(_official(c.url) for c in event.citations.all())
            assert official or "secondary source" in event.note.lower(), f"{instrument}: {event}"


def test_the_update_claims_no_check_it_did_not_make():
    # Issue 14 opened none of its sources (see data/seed/README.md): its rows carry no
    # check stamp, and its citations no read date, until someone reads them (issue 30).
    assert not Instrument.objects.filter(last_verified_on=TODAY).exists()
    assert not Jurisdiction.objects.filter(last_verified_on=TODAY).exists()
    unread = Citation.objects.filter(instruments__slug__in=NEW_INSTRUMENTS).exclude(locator="")
    for citation in unread.distinct():
        assert citation.states and citation.accessed_on, citation.key


def test_national_ai_laws_are_in_force_today_and_were_not_before_their_dates():
    assert _status("kr-ai-basic-act", TODAY) == "in_force"
    assert (
        _status("kr-ai-basic-act", dt.date(2025, 6, 1)) == "adopted"
    )  # promulgated, not yet in force
    assert _obligations("kr-ai-basic-act", TODAY) >= {"article-31-transparency"}
    assert _obligations("kr-ai-basic-act", dt.date(2025, 6, 1)) == set()
    assert _status("jp-ai-promotion-act", dt.date(2025, 7, 1)) == "partly_applicable"
    assert _status("jp-ai-promotion-act", TODAY) == "in_force"
    assert _status("it-law-132-2025", dt.date(2025, 10, 1)) == "signed"
    assert _status("it-law-132-2025", TODAY) == "in_force"


def test_the_colorado_ai_act_applies_from_its_delayed_date_not_the_original_one():
    original_start = dt.date(2026, 2, 1)
    assert _status("us-co-sb24-205", original_start) == "signed"
    assert _obligations("us-co-sb24-205", original_start) == set()
    assert _status("us-co-sb24-205", TODAY) == "in_force"
    assert "deployer-risk-management" in _obligations("us-co-sb24-205", TODAY)
    delay = Amendment.objects.get(key="sb25b-004-delays-colorado-ai-act")
    assert delay.kind == "amends" and delay.target_instrument.slug == "us-co-sb24-205"


def test_state_laws_of_2025_took_effect_on_new_years_day_2026():
    for slug in ("us-ca-sb53-2025", "us-tx-hb149-traiga"):
        assert _status(slug, dt.date(2025, 12, 31)) == "signed"
        assert _status(slug, TODAY) == "in_force"
    assert Instrument.objects.get(slug="us-ca-sb53-2025").jurisdiction.parent.code == "US"


def test_the_dpdp_act_follows_its_implementing_rules_into_staged_force():
    assert _status("in-dpdp-act-2023", dt.date(2025, 6, 1)) == "signed"
    assert _status("in-dpdp-act-2023", TODAY) == "partly_applicable"
    assert _status("in-dpdp-act-2023", dt.date(2027, 6, 1)) == "in_force"
    # The data fiduciaries' duties apply from the 18-month stage, not before.
    assert _obligations("in-dpdp-act-2023", TODAY) == set()
    assert "section-8-6-breach-notification" in _obligations(
        "in-dpdp-act-2023", dt.date(2027, 6, 1)
    )
    assert not Obligation.objects.filter(
        instrument__slug="in-dpdp-act-2023", applies_from__isnull=True
    ).exists()


def test_the_digital_omnibus_moves_the_ai_acts_dates_only_from_its_date_of_effect():
    # Proposed in 2025 and adopted on 2026-06-29 (issue 21); issue 30's sweep found it published
    # on 2026-07-24 and in force from 2026-07-27, so its effects on the AI Act now apply.
    assert _status("eu-digital-omnibus-ai-proposal", dt.date(2025, 10, 1)) == "unknown"
    assert _status("eu-digital-omnibus-ai-proposal", dt.date(2026, 1, 1)) == "proposed"
    assert _status("eu-digital-omnibus-ai-proposal", dt.date(2026, 7, 1)) == "adopted"
    assert _status("eu-digital-omnibus-ai-proposal", TODAY) == "in_force"
    omnibus = Amendment.objects.get(key="digital-omnibus-ai-amends-ai-act")
    assert omnibus.kind == "amends" and omnibus.target_instrument.slug == "eu-ai-act"
    assert not omnibus.is_pending and omnibus.effective_on == dt.date(2026, 7, 27)
    early = _obligations("eu-ai-act", dt.date(2025, 3, 1))
    assert early == {"article-4-ai-literacy", "article-5-prohibited-practices"}
    # The high-risk duties no longer apply from 2026-08-02 but from 2027-12-02.
    assert "article-16-high-risk-provider-obligations" not in _obligations("eu-ai-act", TODAY)
    later = _obligations("eu-ai-act", dt.date(2027, 12, 2))
    assert "article-16-high-risk-provider-obligations" in later
    # Its new prohibition exists only through the amendment and applies from 2026-12-02.
    new_ban = "article-5-1-ba-bb-intimate-imagery-csam"
    assert new_ban not in _obligations("eu-ai-act", TODAY)
    assert new_ban in _obligations("eu-ai-act", dt.date(2026, 12, 2))


def test_china_labelling_measures_apply_from_september_2025():
    assert _status("cn-ai-content-labelling-measures", dt.date(2025, 6, 1)) == "adopted"
    assert _status("cn-ai-content-labelling-measures", TODAY) == "in_force"
    assert _obligations("cn-ai-content-labelling-measures", TODAY) >= {"article-4-explicit-labels"}


def test_later_signatories_join_the_convention_on_their_dates_and_negotiators_do_not():
    convention = Instrument.objects.get(slug="coe-ai-convention")
    before = {j.code for j in parties_on(convention, dt.date(2025, 1, 1))}
    now = {j.code for j in parties_on(convention, TODAY)}
    assert {"US", "NO", "EU", "GB"} <= before
    assert {"CA", "JP", "CH"}.isdisjoint(before)
    assert {"CA", "JP", "CH"} <= now
    assert "AU" not in now  # negotiated the text; the seed's "signatory" was loose
    # The seed's wording is kept where it was corrected.
    assert "澳大利亚" in convention.provenance_note
    assert "澳大利亚" in Jurisdiction.objects.get(code="AU").provenance_note


def test_indonesia_is_a_brics_member_from_january_2025():
    brics = Jurisdiction.objects.get(code="BRICS")
    on = Jurisdiction.objects.members_of
    assert not on(brics, on=dt.date(2024, 12, 31)).filter(code="ID").exists()
    assert on(brics, on=TODAY).filter(code="ID").exists()


def _coverage_table() -> dict[str, str]:
    readme = (Path(settings.BASE_DIR) / "data" / "seed" / "README.md").read_text()
    return dict(re.findall(r"^\| `([A-Z0-9-]+)` \| (in depth|partial) \|", readme, re.M))


def test_the_readme_coverage_statement_matches_each_tracked_jurisdiction():
    tracked = {
        j.code: j.get_coverage_display().replace("tracked ", "").replace("partially", "partial")
        for j in Jurisdiction.objects.exclude(coverage="not_tracked")
    }
    assert _coverage_table() == tracked
    # A jurisdiction tracked in depth has AI-specific instruments recorded.
    for code in (c for c, level in tracked.items() if level == "in depth"):
        assert Instrument.objects.filter(jurisdiction__code=code).exists(), code


def test_last_verified_on_shows_in_the_admin_lists(client, superuser):
    client.force_login(superuser)
    for url in ("/admin/instruments/instrument/", "/admin/jurisdictions/jurisdiction/"):
        page = client.get(url)
        assert page.status_code == 200
        assert "Last verified on" in page.content.decode()
