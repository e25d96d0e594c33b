from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.core.management import call_command

# tests.guard: reads beside the repository fail the run; tests.parallel: how many
# pytest-xdist workers `-n auto` starts; tests.bench.early: the benchmarks' smoke run
# starts once the tests are collected.
pytest_plugins = ["tests.guard", "tests.parallel", "tests.bench.early"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """pytest-django's own (a suffix per xdist worker), and under `make mutate` a test
    database per mutmut child: two mutants' sessions at once never share one."""
    from tests.mutation_databases import slot_name
    from tests.mutation_plugin import slot

    number = slot()
    if number is not None:
        from django.db import connections

        test = connections["default"].settings_dict.setdefault("TEST", {})
        test["NAME"] = slot_name(test["NAME"], number)


@pytest.fixture(scope="session")
def django_db_setup(request, django_db_modify_db_settings, django_db_blocker):
    """Every test database starts with the seed dataset loaded once.

    A database kept with --reuse-db already holds it: loading only into an empty one
    saves each session seconds. After changing data/seed, run once without --reuse-db.
    Under `make mutate`, a mutant's session uses its child's copy of the clean
    session's database as it is, without pytest-django's setup (which migrates):
    tests/mutation_databases.py.
    """
    from tests import seed_snapshot
    from tests.mutation_plugin import ready_copy

    with django_db_blocker.unblock():
        if ready_copy():
            return
    request.getfixturevalue("django_db_setup")  # pytest-django's: create or migrate
    with django_db_blocker.unblock():
        call_command("seed_load", verbosity=0, if_empty=True)
        # What a transactional test puts back instead of loading the seed again.
        seed_snapshot.take()


@pytest.fixture(autouse=True, scope="session")
def _flush_without_post_migrate():
    """Transactional tests' teardown flushes without post_migrate (tests/seed_snapshot.py)."""
    from django.test import testcases

    from tests import seed_snapshot

    original = testcases.call_command
    testcases.call_command = seed_snapshot.flush_then_restore(original)
    yield
    testcases.call_command = original


@pytest.fixture(autouse=True, scope="session")
def _answers_not_kept():
    """Tests write rows outside the audit trail and roll back audited ones, so the
    record's version does not follow their data: answers are computed every time,
    except in the cache's own tests (which turn it on with the `settings` fixture)."""
    from django.conf import settings

    settings.READ_CACHE_SECONDS = 0


@pytest.fixture
def redis_url(request, tmp_path_factory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set: the Redis variant runs where Redis does (CI)")
    from tests.parallel import one_at_a_time

    # One Redis database for the whole run: a Celery worker one test starts on it would
    # take another test's tasks, and the cache's clear() empties it. Under pytest-xdist
    # the tests that use it take turns.
    with one_at_a_time(request.config, tmp_path_factory, "redis"):
        yield url


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        "staff", "staff@example.org", "pw-staff-123", is_staff=True
    )


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.org", "pw-root-123")


@pytest.fixture
def local_site():
    from tests.local_http import LocalSite

    site = LocalSite().start()
    yield site
    site.stop()


@pytest.fixture
def fixtures_dir():
    from tests.paths import FIXTURES

    return FIXTURES


@pytest.fixture
def cast(django_user_model):
    """A fixed cast of users, one per role (and a staff member with no role)."""
    from tests.helpers import make_user

    return {
        "staff": make_user(django_user_model, "staffreader"),
        "editor": make_user(django_user_model, "editor", group="editor"),
        "editor2": make_user(django_user_model, "editor2", group="editor"),
        "reviewer": make_user(django_user_model, "reviewer", group="reviewer"),
        "reviewer2": make_user(django_user_model, "reviewer2", group="reviewer"),
        "administrator": make_user(django_user_model, "administrator", group="administrator"),
    }


@pytest.fixture
def tasks_run_inline():
    """Queued tasks run in this process when their transaction commits.

    The real task code runs, only without a broker hop; tests/integration
    covers the hop with a real worker.
    """
    from tracker.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False
