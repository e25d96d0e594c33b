"""Golden responses: a few API answers kept as files and compared field by field.

The DRF-equivalence tests (test_compiled.py) compare two implementations of
today's code with each other, so a field renamed in the serializer passes them.
Here the public contract itself is on file: each response in tests/api/golden/
is compared with what the API answers now, and every differing field is reported
with its path (`results[0].obligations[2].applies_from: expected '2026-01-01', got None`).

Built from the seed (tests/conftest.py) and, for the changes feed, a case the
test publishes through the real workflow. What differs from run to run is
replaced by `normalise` before comparing: timestamps (when ISO 8601), the host
of the API's own absolute URLs, and the ids of the applied changes the test makes.
The instruments shown for today have no dated fact still ahead (a test below
holds it), so the calendar moving on leaves their derived status alone; the
answer that depends on the day asks `as_of` a fixed one.

A change of the contract that is meant (or a change of data/seed) is recorded by
rewriting the files on purpose, then reviewing their diff:

    GOLDEN_UPDATE=1 .venv/bin/python -m tracker.devstack test tests/api/test_golden_responses.py

Without GOLDEN_UPDATE the test only compares; a missing file fails.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from apps.amendments.models import Amendment
from apps.cases import services
from apps.instruments.models import Instrument, InstrumentEvent
from apps.record.models import AppliedChange
from tests.helpers import case_proposing, publish

pytestmark = pytest.mark.django_db

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"

# The test client's origin: the API's own absolute URLs start with it.
ORIGIN = "http://testserver"
# Fields the clock sets when a row is written (the seed's load, the test's case).
TIMESTAMPS = frozenset({"updated_at", "applied_at"})
ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
AFTER = re.compile(r"([?&]after=)(\d+)")

ALL_INSTRUMENT_INCLUDES = "identifiers,events,parties,obligations,amendments,citations"

# name -> the request; each has tests/api/golden/<name>.json.
REQUESTS = {
    "instruments-list-with-includes": (
        "/api/v1/instruments/",
        {
            "jurisdiction": "US",
            "jurisdiction_scope": "subdivisions",
            "legal_force": "binding",
            "ordering": "-slug",  # the first two have no dated fact ahead (see below)
            "page_size": 2,
            "include": ALL_INSTRUMENT_INCLUDES,
        },
    ),
    "instrument-detail": (
        "/api/v1/instruments/us-eo-14110/",
        {"include": "identifiers,events,amendments,citations"},
    ),
    "instrument-detail-as-of": (
        "/api/v1/instruments/kr-ai-basic-act/",
        {"as_of": "2026-02-01", "include": "obligations"},
    ),
    "obligation-detail": (
        "/api/v1/obligations/us-tx-hb149-traiga:prohibited-ai-practices/",
        {"include": "penalties,citations"},
    ),
    "jurisdiction-detail": ("/api/v1/jurisdictions/US-CO/", {"include": "member_of,citations"}),
    "error-bad-filter-value": ("/api/v1/instruments/", {"status": "nearly"}),
    "error-not-found": ("/api/v1/instruments/no-such-thing/", {}),
}


def normalise(value: Any, *, change_ids: dict[int, str], key: str | None = None) -> Any:
    """`value` with what varies between runs replaced by a label.

    - a timestamp field (TIMESTAMPS) holding an ISO 8601 timestamp: "<timestamp>"
      (any other value is kept, so a change of format still shows);
    - the test client's origin at the start of a string: "http://<host>";
    - an applied change's id (under `id` or `last_id`, and in `after=` of a URL),
      when `change_ids` names it: its label there.
    """
    if isinstance(value, dict):
        return {k: normalise(v, change_ids=change_ids, key=k) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, change_ids=change_ids) for v in value]
    if key in TIMESTAMPS and isinstance(value, str) and ISO_TIMESTAMP.fullmatch(value):
        return "<timestamp>"
    if key in ("id", "last_id") and isinstance(value, int) and value in change_ids:
        return change_ids[value]
    if isinstance(value, str):
        if value.startswith(ORIGIN):
            value = "http://<host>" + value[len(ORIGIN) :]
        return AFTER.sub(lambda m: m[1] + change_ids.get(int(m[2]), m[2]), value)
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 100 else text[:97] + "..."


def differences(expected: Any, got: Any, path: str = "") -> list[str]:
    """Every field where `got` differs from `expected`, each named by its path."""
    if isinstance(expected, dict) and isinstance(got, dict):
        out = []
        # In the expected document's order, then what only the answer has.
        for name in [*expected, *(name for name in got if name not in expected)]:
            inner = f"{path}.{name}" if path else name
            if name not in got:
                out.append(f"{inner}: expected {_short(expected[name])}, missing")
            elif name not in expected:
                out.append(f"{inner}: not expected, got {_short(got[name])}")
            else:
                out += differences(expected[name], got[name], inner)
        return out
    where = path or "<the whole document>"
    if isinstance(expected, list) and isinstance(got, list):
        out = []
        for index, (one, other) in enumerate(zip(expected, got, strict=False)):
            out += differences(one, other, f"{path}[{index}]")
        if len(expected) != len(got):
            out.append(f"{where}: expected {len(expected)} items, got {len(got)}")
        return out
    # type() too: True == 1 and 1 == 1.0, but a client reads them differently.
    if type(expected) is not type(got) or expected != got:
        return [f"{where}: expected {_short(expected)}, got {_short(got)}"]
    return []


def check(name: str, request: dict, response, change_ids: dict[int, str] | None = None) -> None:
    answered = {
        "request": request,
        "status": response.status_code,
        "content_type": response["Content-Type"],
        "body": normalise(response.json(), change_ids=change_ids or {}),
    }
    file = GOLDEN / f"{name}.json"
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        file.write_text(json.dumps(answered, indent=2, ensure_ascii=False) + "\n")
    if not file.exists():
        pytest.fail(f"{file.name} is missing: GOLDEN_UPDATE=1 writes it", pytrace=False)
    found = differences(json.loads(file.read_text()), answered)
    if found:
        pytest.fail(
            f"The API's answer differs from tests/api/golden/{file.name} "
            "(if the change is meant, rewrite it with GOLDEN_UPDATE=1 and review the diff):\n  "
            + "\n  ".join(found),
            pytrace=False,
        )


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_the_answer_matches_its_golden_file(api, name):
    path, params = REQUESTS[name]

    response = api.get(path, params)

    check(name, {"path": path, "query": params}, response)


def test_a_feed_page_after_a_published_case_matches_its_golden_file(api, cast):
    start = AppliedChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    texas = Instrument.objects.get(slug="us-tx-hb149-traiga")
    case = case_proposing(
        cast["editor"],
        texas.obligations.get(key="government-ai-disclosure"),
        {"requirement": "Disclose the use of AI to consumers.", "applies_from": "2026-09-01"},
        title="Texas disclosure corrected",
    )
    services.change_propose(
        case=case,
        actor=cast["editor"],
        target="instrument",
        action="update",
        row=texas,
        values={"summary": "Texas's Responsible AI Governance Act."},
    )
    publish(case, cast["editor"], cast["reviewer"])
    made = AppliedChange.objects.filter(pk__gt=start).order_by("pk").values_list("pk", flat=True)
    labels = {start: "<before the case>"}
    labels |= {pk: f"<change {n}>" for n, pk in enumerate(made, start=1)}

    response = api.get("/api/v1/changes/", {"after": start, "limit": 5})

    request = {"path": "/api/v1/changes/", "query": {"after": labels[start], "limit": 5}}
    check("changes-feed-page", request, response, labels)


def _instruments_shown_for_today(value: Any) -> set[str]:
    if isinstance(value, list):
        return {slug for item in value for slug in _instruments_shown_for_today(item)}
    if not isinstance(value, dict):
        return set()
    found = {value["id"]} if "status" in value and value.get("as_of", "") is None else set()
    return found | _instruments_shown_for_today(list(value.values()))


def test_no_golden_instrument_shown_for_today_has_a_dated_fact_still_ahead():
    """Their status is derived for today: a fact ahead would change it when its day
    comes, and fail the comparison then. Such a row belongs in a golden `as_of` a day."""
    shown = set()
    for file in GOLDEN.glob("*.json"):
        shown |= _instruments_shown_for_today(json.loads(file.read_text())["body"])
    today = timezone.localdate()

    assert shown
    events = InstrumentEvent.objects.filter(instrument__slug__in=shown, date__gt=today)
    assert not list(events.values_list("instrument__slug", "kind", "date"))
    endings = Amendment.objects.filter(target_instrument__slug__in=shown, effective_on__gt=today)
    assert not list(endings.values_list("key", "effective_on"))


def test_every_golden_file_is_the_answer_to_a_request_of_this_module():
    on_file = {file.stem for file in GOLDEN.glob("*.json")}

    assert on_file == {*REQUESTS, "changes-feed-page"}


def test_a_difference_is_reported_with_the_path_of_its_field():
    expected = {"results": [{"obligations": [{"applies_from": "2026-08-02"}], "id": "x"}]}
    got = {"results": [{"obligations": [{"applies_from": None}], "id": "x", "new": 1}]}

    assert differences(expected, got) == [
        "results[0].obligations[0].applies_from: expected '2026-08-02', got None",
        "results[0].new: not expected, got 1",
    ]
    assert differences([1, 2], [1]) == ["<the whole document>: expected 2 items, got 1"]
    assert differences({"more": True}, {"more": 1}) == ["more: expected True, got 1"]


def test_normalising_keeps_a_timestamp_that_changed_its_format():
    body = {"updated_at": "2026-12-07T02:58:05.123456Z", "applied_at": "07/12/2026"}

    assert normalise(body, change_ids={}) == {
        "updated_at": "<timestamp>",
        "applied_at": "07/12/2026",
    }
