"""Two workers checking the same changed source at once store one change and one case."""

import pytest

from apps.cases.models import Case
from apps.sources import services
from apps.sources.models import Change, Snapshot, Source
from tests.helpers import make_testland_law, run_together
from tests.local_http import Page

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_checks_of_a_change_store_it_once(local_site, settings):
    settings.SOURCES_ALLOW_PRIVATE = True
    local_site.pages["/p"] = Page(b"<p>Bill introduced</p>")
    source = Source.objects.create(name="Testland gazette", url=local_site.url("/p"), kind="html")
    source.instruments.add(make_testland_law())
    services.check_source(source.pk)
    # Slow responses keep both checks in flight at the same time.
    local_site.pages["/p"] = Page(b"<p>Bill repealed</p>", delay=0.5)

    results = run_together(
        lambda: services.check_source(source.pk), lambda: services.check_source(source.pk)
    )

    outcomes = sorted("busy" if isinstance(r, services.SourceBusy) else r.outcome for r in results)
    assert outcomes in (["busy", "changed"], ["changed", "unchanged"])
    assert Snapshot.objects.filter(source=source).count() == 2
    assert Change.objects.filter(source=source).count() == 1
    assert Case.objects.filter(source=source).count() == 1
