"""The API's contract as a client team reads it (issue 29): the served schema passes
openapi-spec-validator, openapi-python-client generates a typed client from it, and
every curl example of the README, and its Python, runs through that client against
the live test server with the values the README states.

The client is generated once per session into a temporary folder (about 5 s); the
examples share one live-server test, so the seed is loaded at most once for them.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import io
import re
from types import SimpleNamespace

import pytest
import yaml

from apps.api import keys
from apps.api.models import ApiClient
from tests import seed_snapshot
from tests.api import generated_client
from tests.api.readme_examples import examples, python_examples


@pytest.fixture(scope="session")
def served_schema(django_db_setup, django_db_blocker) -> str:
    """The schema as /api/schema/ serves it (YAML)."""
    from django.test import Client

    with django_db_blocker.unblock():
        answer = Client().get("/api/schema/")
    assert answer.status_code == 200
    return answer.content.decode()


@pytest.fixture(scope="session")
def generated(served_schema, tmp_path_factory):
    pytest.importorskip(
        "openapi_python_client",
        reason="openapi-python-client is not installed (a dev dependency: "
        "pip install -c requirements.lock -e '.[dev]')",
    )
    folder = tmp_path_factory.mktemp("generated-client")
    package = generated_client.generate(served_schema, folder)
    yield package
    generated_client.forget(folder)


@pytest.mark.django_db
def test_the_served_schema_passes_openapi_spec_validator(served_schema):
    from openapi_spec_validator import validate

    validate(yaml.safe_load(served_schema))  # raises on the first error


def test_a_client_generates_without_a_warning_with_a_function_per_operation(
    generated, served_schema
):
    schema = yaml.safe_load(served_schema)
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    for operation_id in ids:
        module = importlib.import_module(f"{generated.__name__}.api.v1.{operation_id}")
        assert callable(module.sync_detailed), operation_id
    assert len(ids) >= 18


# What each README example shows, checked on the generated client's typed answer. A
# README example without a check here fails the test, and so does a check whose example
# the README no longer has.
def _jurisdictions_with_members(answer, api):
    page = answer.parsed
    assert isinstance(page, api.models.PaginatedJurisdictionList)
    assert page.results and {j.kind for j in page.results} == {"supranational"}
    [eu] = [j for j in page.results if j.id == "EU"]
    members = {m.member: m for m in eu.members}
    assert isinstance(members["FR"], api.models.Membership)
    assert members["FR"].joined_on == dt.date(1958, 1, 1)


def _binds_france_in_force(answer, api):
    page = answer.parsed
    assert isinstance(page, api.models.PaginatedInstrumentList)
    assert {i.status for i in page.results} == {"in_force"}
    # Its own law and its groups': both appear.
    assert {"FR", "EU"} <= {i.jurisdiction for i in page.results}


def _eo_14110_and_its_revocation(answer, api):
    [eo] = answer.parsed.results
    assert isinstance(eo, api.models.Instrument) and eo.id == "us-eo-14110"
    assert isinstance(eo.amendments, api.models.AmendmentsBothWays)
    revoked_by = [(a.kind, a.source_instrument) for a in eo.amendments.incoming]
    assert ("revokes", "us-eo-14148") in revoked_by
    assert eo.status == "revoked"


def _liability_directive_proposed_on_1_january_2025(answer, api):
    directive = answer.parsed
    assert isinstance(directive, api.models.Instrument)
    assert directive.status == "proposed" and directive.as_of == dt.date(2025, 1, 1)
    # The day matters: today the same instrument is no longer proposed.
    today = api.call("v1_instruments_retrieve", id="eu-ai-liability-directive")
    assert today.status != "proposed" and today.as_of is None


def _ai_act_as_legislation(answer, api):
    assert answer.raw.headers["content-type"].startswith("application/ld+json")
    act = api.models.Legislation.from_dict(answer.raw.json())  # typed by the schema
    assert act.type_.value == "Legislation" and "Artificial Intelligence Act" in act.name
    assert "celex:32024R1689" in act.legislation_identifier
    assert act.has_part  # its obligations, as parts


def _providers_duties_on_2_august_2026_as_csv(answer, api):
    assert answer.raw.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.raw.text)))
    assert rows and "penalties" in rows[0]
    assert {row["addressee"] for row in rows} == {"provider"}
    for row in rows:
        assert row["applies_from"] <= "2026-08-02", row["id"]
        assert not row["applies_until"] or row["applies_until"] >= "2026-08-02", row["id"]
    assert any(row["penalties"] for row in rows)


def _amendments_in_effect_in_2025(answer, api):
    page = answer.parsed
    assert isinstance(page, api.models.PaginatedAmendmentList) and page.results
    assert all(dt.date(2025, 1, 1) <= a.effective_on <= dt.date(2025, 12, 31) for a in page.results)


def _the_feed_from_the_start(answer, api):
    page = answer.parsed
    assert isinstance(page, api.models.FeedPage)
    ids = [change.id for change in page.results]
    assert ids == sorted(set(ids)) and ids[0] > 0 and len(ids) == 100
    assert page.last_id == ids[-1] and page.more is True  # the seed made more than 100
    following = api.call("v1_changes_retrieve", after=page.last_id, limit=100)
    assert following.results[0].id > page.last_id


def _general_purpose_ai_without_guidelines(answer, api):
    found = answer.parsed
    assert isinstance(found, api.models.SearchResults) and found.instruments
    for hit in found.instruments:
        assert isinstance(hit, api.models.SearchHit)
        assert "guideline" not in hit.title.lower()
        said = re.sub(r"[^a-z]", "", f"{hit.title} {hit.snippet}".lower())
        assert "generalpurposeai" in said, (hit.id, hit.title, hit.snippet)


def _three_jurisdictions_side_by_side(answer, api):
    compared = answer.parsed
    assert isinstance(compared, api.models.Comparison)
    assert [j.id for j in compared.jurisdictions] == ["EU", "CN", "US"]
    [eu] = compared.jurisdictions[:1]
    assert "eu-ai-act" in eu.binding_in_force
    assert isinstance(eu.maximum_penalties, api.models.MaximumPenalties)


def _coverage_of_each_jurisdiction(answer, api):
    page = answer.parsed
    assert isinstance(page, api.models.PaginatedCoverageList) and page.count >= len(page.results)
    assert all(c.instrument_count >= c.binding_count >= 0 for c in page.results)


def _a_gpai_provider_in_germany_on_1_september_2025(answer, api):
    found = answer.parsed
    assert isinstance(found, api.models.Applicability)
    assert found.on == dt.date(2025, 9, 1) and "EU" in found.markets  # DE is a member
    applicable = {duty.id: duty for duty in found.applicable}
    assert "eu-ai-act:article-53-gpai-provider-obligations" in applicable
    assert all(d.applies_from <= found.on for d in found.applicable if d.applies_from)


def _a_webhook_endpoint_registered(answer, api):
    created = answer.parsed
    assert answer.status == 201 and isinstance(created, api.models.CreatedEndpoint)
    assert created.url == "https://hooks.example.org/tracker"
    assert [k.value for k in created.kinds] == ["instrument", "obligation"]
    assert created.secret  # shown once, in this answer


CHECKS = {
    "GET /api/v1/jurisdictions/?kind=supranational&include=members": _jurisdictions_with_members,
    "GET /api/v1/instruments/?jurisdiction=FR&jurisdiction_scope=memberships&status=in_force": (
        _binds_france_in_force
    ),
    "GET /api/v1/instruments/?identifier=eo:14110&include=amendments": _eo_14110_and_its_revocation,
    "GET /api/v1/instruments/eu-ai-liability-directive/?as_of=2025-01-01": (
        _liability_directive_proposed_on_1_january_2025
    ),
    "GET /api/v1/instruments/eu-ai-act/ [application/ld+json]": _ai_act_as_legislation,
    "GET /api/v1/obligations/?addressee=provider&applies_on=2026-08-02&include=penalties"
    "&format=csv": _providers_duties_on_2_august_2026_as_csv,
    "GET /api/v1/amendments/?effective_from=2025-01-01&effective_to=2025-12-31": (
        _amendments_in_effect_in_2025
    ),
    "GET /api/v1/changes/?after=0&limit=100": _the_feed_from_the_start,
    'GET /api/v1/search/?q="general-purpose AI" -guidelines': (
        _general_purpose_ai_without_guidelines
    ),
    "GET /api/v1/compare/?jurisdictions=EU,CN,US": _three_jurisdictions_side_by_side,
    "GET /api/v1/coverage/": _coverage_of_each_jurisdiction,
    "GET /api/v1/applicability/?market=DE&role=provider&risk_tier=gpai"
    "&training_compute_flop=1e24&on=2025-09-01": _a_gpai_provider_in_germany_on_1_september_2025,
    "POST /api/v1/webhooks/": _a_webhook_endpoint_registered,
}


def test_every_readme_example_has_a_check_and_every_check_its_example():
    written = [example.name for example in examples()]
    assert sorted(written) == sorted(CHECKS)


@pytest.mark.django_db(transaction=True)
def test_every_readme_example_runs_through_the_generated_client_with_the_stated_values(
    generated, served_schema, live_server
):
    # A transactional test starts from whatever the last one left: the seed, or nothing.
    if seed_snapshot.is_empty():
        seed_snapshot.restore()
    organisation = ApiClient.objects.create(name="Client team", contact_email="it@example.org")
    _, secret = keys.issue(organisation, "generated client", ["read", "webhooks"])
    client = generated.AuthenticatedClient(
        base_url=live_server.url, token=secret, raise_on_unexpected_status=True
    )
    schema = yaml.safe_load(served_schema)

    def call(operation_id, **kwargs):
        module = importlib.import_module(f"{generated.__name__}.api.v1.{operation_id}")
        return module.sync(client=client, **kwargs)

    api = SimpleNamespace(models=importlib.import_module(f"{generated.__name__}.models"), call=call)
    failures = []
    for example in examples():
        try:
            # The generated client raises when an answer does not fit the schema.
            answer = generated_client.send(generated, schema, client, example)
            assert answer.status in (200, 201), answer.raw or answer.parsed
            CHECKS[example.name](answer, api)
        except Exception as failed:  # each example reports its own failure, then the next runs
            failures.append(f"{example.name} ({example.says or 'no comment'}): {failed!r}")
    # The README's Python, as written, with this server's address: its asserts are its checks.
    python = python_examples()
    assert python, "the README's API section shows no generated-client example"
    for number, block in enumerate(python, 1):
        code = block.replace("http://127.0.0.1:8000", live_server.url)
        try:
            exec(compile(code, f"README.md python block {number}", "exec"), {"KEY": secret})  # noqa: S102 - the README's own example
        except Exception as failed:  # each block reports its own failure
            failures.append(f"README python block {number}: {failed!r}")
    assert failures == []
