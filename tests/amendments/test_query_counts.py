import pytest

from apps.amendments.status import derive_status
from apps.reading.on_a_day import instrument_detail

pytestmark = pytest.mark.django_db


def _touch_everything(instrument) -> int:
    seen = len(instrument.identifiers.all()) + len(instrument.citations.all())
    for event in instrument.events.all():
        seen += len(event.citations.all())
    for party in instrument.parties.all():
        seen += len(party.jurisdiction.name)
    for obligation in instrument.obligations.all():
        seen += len(obligation.citations.all())
        seen += sum(len(p.describe()) for p in obligation.penalties.all())
    for amendment in [*instrument.incoming_amendments.all(), *instrument.outgoing_amendments.all()]:
        seen += len(str(amendment)) + len(amendment.citations.all())
    derive_status(instrument)
    return seen + len(instrument.jurisdiction.name)


@pytest.mark.parametrize(
    ("slug", "queries"),
    # At most 14: the instrument with its jurisdiction, then one query per
    # prefetched set (identifiers, citations, events and their citations,
    # parties, obligations with their penalties, citations and the amendments'
    # effects on them, amendments in and out with their citations). Django
    # skips a nested set's query when the outer set is empty, which is why the
    # counts differ by instrument.
    [("eu-ai-act", 13), ("us-eo-14110", 10), ("bletchley-declaration", 10)],
)
def test_an_instrument_with_all_its_parts_loads_in_a_fixed_number_of_queries(
    slug, queries, django_assert_num_queries
):
    with django_assert_num_queries(queries):
        instrument = instrument_detail(slug)
        assert _touch_everything(instrument) > 0
