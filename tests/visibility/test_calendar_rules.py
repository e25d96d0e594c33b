"""The calendar feed: only a live account's secret address works, a retired obligation
leaves it, and its events come in date order, obligations of one day in the order they
were created (the record: world.py; the reader follows Qqpublished land)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from apps.obligations.models import Obligation
from apps.record import services as record
from apps.record.services import Why
from tests.helpers import write
from tests.visibility.world import World

pytestmark = pytest.mark.django_db


def _calendar(world: World, name: str = "reader"):
    return Client().get(f"/calendar/{world.tokens[name]}.ics")


def _uids(body: str) -> list[str]:
    return re.findall(r"^UID:(obligation-\d+)@", body, flags=re.MULTILINE)


def test_a_deactivated_readers_calendar_address_stops_working(world):
    reader = world.users["reader"]
    assert _calendar(world).status_code == 200
    reader.is_active = False
    reader.save(update_fields=["is_active"])
    assert _calendar(world).status_code == 404
    assert _calendar(world, "deactivated").status_code == 404


def test_a_retired_obligation_leaves_the_calendar(world):
    duty = Obligation.objects.get(key="qqpublished-duty")
    assert f"obligation-{duty.pk}" in _uids(_calendar(world).content.decode())

    record.write(target="obligation", action="retire", row=duty, why=Why.system("retire"))

    body = _calendar(world).content.decode()
    assert f"obligation-{duty.pk}" not in _uids(body)
    assert "qqpublished register" not in body  # not even as a cancelled event


def test_events_come_by_date_and_those_of_one_day_by_creation(world):
    law = Obligation.objects.get(key="qqpublished-duty").instrument

    def duty(key: str, provision: str, day: str) -> Obligation:
        values = {
            "instrument": law.pk,
            "key": key,
            "provision": provision,
            "addressee": "provider",
            "requirement": f"Duty {key}.",
            "applies_from": day,
        }
        return write("obligation", values)

    # Created in an order that neither their keys, provisions nor titles follow.
    made_first = duty("zz-tie-b", "Article 2", "2026-03-01")
    made_next = duty("zz-tie-a", "Article 1", "2026-03-01")
    earlier = duty("zz-earlier", "Article 3", "2025-02-01")
    ours = {f"obligation-{o.pk}" for o in (made_first, made_next, earlier)}
    listed = [uid for uid in _uids(_calendar(world).content.decode()) if uid in ours]

    assert listed == [f"obligation-{o.pk}" for o in (earlier, made_first, made_next)]
    starts = re.findall(r"^DTSTART;VALUE=DATE:(\d+)", _calendar(world).content.decode(), re.M)
    assert starts == sorted(starts)
