"""Two workers checking the same changed source at once store one change and one case."""

import threading

import pytest
from django.db import connection

from apps.cases.models import Case
from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from apps.sources import services
from apps.sources.models import Change, Snapshot, Source
from tests.local_http import Page

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_checks_of_a_change_store_it_once(local_site, settings):
    settings.SOURCES_ALLOW_PRIVATE = True
    country = Jurisdiction.objects.create(code="ZZ", name="Testland", kind="country")
    law = Instrument.objects.create(
        slug="zz-law",
        title="Testland AI law",
        kind="law",
        jurisdiction=country,
        legal_force="binding",
    )
    local_site.pages["/p"] = Page(b"<p>Bill introduced</p>")
    source = Source.objects.create(name="Testland gazette", url=local_site.url("/p"), kind="html")
    source.instruments.add(law)
    services.check_source(source.pk)
    # Slow responses keep both checks in flight at the same time.
    local_site.pages["/p"] = Page(b"<p>Bill repealed</p>", delay=0.5)

    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(services.check_source(source.pk).outcome)
        except services.SourceBusy:
            outcomes.append("busy")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) in (["busy", "changed"], ["changed", "unchanged"])
    assert Snapshot.objects.filter(source=source).count() == 2
    assert Change.objects.filter(source=source).count() == 1
    assert Case.objects.filter(source=source).count() == 1
