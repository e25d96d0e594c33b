"""Saved profiles: saved from the "What applies" page, their owner's alone, followed; the
digest says once when what applies to a followed profile changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.core import mail

from apps.instruments.models import Instrument
from apps.obligations.models import Obligation
from apps.portal import profile_digest, watching
from apps.portal.models import Reader, SavedProfile
from apps.record.services import Why, write

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_run_inline")]

GPAI_PROVIDER = {"markets": "DE", "role": "provider", "risk_tier": "gpai", "on": "2025-09-01"}
WHY = Why.system("test")


def _save(client, name="Acme models", **profile) -> object:
    query = urlencode({**GPAI_PROVIDER, **profile}, doseq=True)
    return client.post("/what-applies/profiles/", {"name": name, "profile": query})


@pytest.fixture
def other(django_user_model):
    return django_user_model.objects.create_user("other", "other@example.org", "pw-other-123")


@pytest.fixture
def saved(reader):
    return SavedProfile.objects.create(
        user=reader, name="Acme models", markets=["DE"], roles=["provider"], risk_tiers=["gpai"]
    )


def test_a_profile_is_saved_from_the_page_with_its_answers(signed_in, reader):
    response = _save(signed_in, training_compute_flop="3e25", sme="true", users="1200")

    saved = SavedProfile.objects.get(user=reader)
    assert (
        response.status_code == 302
        and response["Location"] == f"/what-applies/profiles/{saved.pk}/"
    )
    assert (saved.name, saved.markets, saved.roles, saved.risk_tiers) == (
        "Acme models",
        ["DE"],
        ["provider"],
        ["gpai"],
    )
    assert (saved.training_compute_flop, saved.sme, saved.users) == (Decimal("3e25"), True, 1200)
    page = signed_in.get(f"/what-applies/profiles/{saved.pk}/", {"on": "2025-09-01"})
    assert "eu-ai-act:article-53-gpai-provider-obligations" in page.content.decode()


def test_a_name_is_saved_once_per_reader(signed_in, reader):
    _save(signed_in)
    _save(signed_in)
    assert SavedProfile.objects.filter(user=reader).count() == 1


def test_a_profile_with_errors_is_not_saved(signed_in, reader):
    _save(signed_in, markets="ATLANTIS")
    assert not SavedProfile.objects.filter(user=reader).exists()


def test_its_owner_changes_it_on_its_page(signed_in, saved):
    signed_in.post(
        f"/what-applies/profiles/{saved.pk}/",
        {"name": "Acme deployers", "markets": "FR, US-CA", "role": "deployer", "sme": "false"},
    )
    saved.refresh_from_db()
    assert (saved.name, saved.markets, saved.roles, saved.risk_tiers, saved.sme) == (
        "Acme deployers",
        ["FR", "US-CA"],
        ["deployer"],
        [],
        False,
    )


def test_a_bad_change_is_refused_beside_its_field_and_not_saved(signed_in, saved):
    response = signed_in.post(
        f"/what-applies/profiles/{saved.pk}/", {"name": "Acme", "markets": "DE", "users": "many"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_users_error"' in html and 'name="users" value="many"' in html
    saved.refresh_from_db()
    assert (saved.name, saved.users) == ("Acme models", None)


def test_the_watchlist_lists_saved_profiles_to_follow(signed_in, saved):
    page = signed_in.get("/watchlist/").content.decode()
    assert "Acme models" in page and f"/what-applies/profiles/{saved.pk}/follow/" in page


def _urls(saved) -> list[tuple[str, str]]:
    base = f"/what-applies/profiles/{saved.pk}/"
    return [
        ("get", base),
        ("get", f"{base}?print=1"),
        ("get", f"{base}export/?as=csv"),
        ("post", base),
        ("post", f"{base}follow/"),
        ("post", f"{base}delete/"),
    ]


def test_another_reader_gets_a_404_for_every_view_of_it(client, other, saved):
    client.force_login(other)
    for method, url in _urls(saved):
        response = getattr(client, method)(url, {"follow": "1", "name": "Mine now"})
        assert response.status_code == 404, url
    saved.refresh_from_db()
    assert (saved.name, saved.following) == ("Acme models", False)


def test_anonymous_readers_are_sent_to_sign_in(client, saved):
    for method, url in _urls(saved):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url
    assert SavedProfile.objects.filter(pk=saved.pk).exists()


def test_its_owner_exports_and_deletes_it(signed_in, saved):
    export = signed_in.get(f"/what-applies/profiles/{saved.pk}/export/?as=csv&on=2025-09-01")
    assert (
        export.status_code == 200
        and "article-53-gpai-provider-obligations" in export.content.decode()
    )
    assert 'filename="what-applies-acme-models-' in export["Content-Disposition"]
    signed_in.post(f"/what-applies/profiles/{saved.pk}/delete/")
    assert not SavedProfile.objects.filter(pk=saved.pk).exists()


def test_following_starts_from_what_applies_now(signed_in, saved):
    signed_in.post(f"/what-applies/profiles/{saved.pk}/follow/", {"follow": "1"})
    saved.refresh_from_db()
    assert saved.following and saved.reported["applies"]
    assert Reader.objects.filter(user=saved.user).exists()
    signed_in.post(f"/what-applies/profiles/{saved.pk}/follow/", {"follow": "0"})
    saved.refresh_from_db()
    assert not saved.following


# -- the digest -------------------------------------------------------------------
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


def _write(target, values, row=None):
    return write(target=target, why=WHY, row=row, values=values).row


def _changes_to_what_applies() -> None:
    """A new duty, a moved date and an ended duty, for a GPAI provider in DE."""
    act = Instrument.objects.get(slug="eu-ai-act")
    _write(
        "obligation",
        {
            "instrument": act.pk,
            "key": "test-model-register",
            "provision": "Article 999",
            "addressee": "provider",
            "requirement": "Register every model.",
            "applies_from": "2026-01-01",
        },
    )
    amending = _write(
        "instrument",
        {
            "slug": "test-amending-act",
            "title": "Test amending act",
            "kind": "regulation",
            "jurisdiction": act.jurisdiction_id,
            "legal_force": "binding",
            "events": [
                {"kind": "entered_into_force", "date": "2025-01-01", "date_precision": "day"}
            ],
        },
    )
    gpai = Obligation.objects.get(instrument=act, key="article-53-gpai-provider-obligations")
    prohibited = Obligation.objects.get(instrument=act, key="article-5-prohibited-practices")
    _write(
        "amendment",
        {
            "key": "test-moves-and-ends",
            "kind": "amends",
            "source_instrument": amending.pk,
            "target_instrument": act.pk,
            "effective_on": "2026-06-01",
            "effective_on_precision": "day",
            "provenance": "editorial",
            "effects": [
                {"obligation": gpai.pk, "kind": "applies_from", "date": "2026-03-01", "text": ""},
                {"obligation": prohibited.pk, "kind": "ends", "text": ""},
            ],
        },
    )


def _digest(now, capture) -> int:
    with capture(execute=True):
        return watching.send_digests(now=now, site_url="http://tracker.example")


@pytest.fixture
def followed(saved):
    Reader.objects.create(user=saved.user, digest="daily")
    saved.following = True
    profile_digest.start(saved, NOW.date())
    saved.save()
    return saved


def test_the_digest_says_what_changed_in_the_applicable_set_once(
    followed, django_capture_on_commit_callbacks
):
    _changes_to_what_applies()

    first = _digest(NOW, django_capture_on_commit_callbacks)
    second = _digest(NOW + dt.timedelta(days=1, minutes=1), django_capture_on_commit_callbacks)

    assert (first, second) == (3, 0)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "What applies to “Acme models” changed:" in body
    assert "Article 999: now applies to “Acme models” (from 1 January 2026)." in body
    assert (
        "Article 53 now applies from 1 March 2026 instead of 2 August 2025, "
        "by Test amending act (in effect 1 June 2026)." in body
    )
    assert "Article 5: no longer applies to “Acme models”. Article 5 ended on 1 June 2026" in body
    assert f"http://tracker.example/what-applies/profiles/{followed.pk}/" in body


def test_nothing_is_news_when_what_applies_did_not_change(
    followed, django_capture_on_commit_callbacks
):
    assert _digest(NOW, django_capture_on_commit_callbacks) == 0
    assert not mail.outbox


def test_a_profile_not_followed_is_not_in_the_digest(saved, django_capture_on_commit_callbacks):
    Reader.objects.create(user=saved.user, digest="daily")
    profile_digest.start(saved, NOW.date())
    saved.save()
    _changes_to_what_applies()
    assert _digest(NOW, django_capture_on_commit_callbacks) == 0
