"""The proposal forms with their child tables (issue 23) read a fixed number of queries,
whatever the number of events, parties or members."""

from __future__ import annotations

import pytest

from apps.instruments.models import Instrument
from apps.jurisdictions.models import Jurisdiction
from tests.cases.child_steps import open_case, page_url

pytestmark = pytest.mark.django_db

# Session, user, the user's and their groups' permissions; then the page's own reads.
QUERIES = {
    # the case, the row, its copy for the form; its events and their citations, its parties
    # and theirs, the keys and codes the rows name (one query each), its identifiers; the
    # jurisdiction and citations named beside their boxes
    "instrument": 18,
    # the case, the row, its copy; its memberships and their citations, the members' codes,
    # the citation keys; the parent named beside its box
    "jurisdiction": 13,
}
ROWS = {
    "instrument": ("uk-us-ai-safety-mou", "coe-ai-convention"),  # 2 parties; 10
    "jurisdiction": ("G7", "EU"),  # 8 members; 28
}


def _row(target: str, key: str):
    if target == "instrument":
        return Instrument.objects.get(slug=key)
    return Jurisdiction.objects.get(code=key)


@pytest.mark.parametrize("target", sorted(QUERIES))
@pytest.mark.parametrize("which", [0, 1])
def test_the_proposal_form_takes_a_fixed_number_of_queries(
    client, cast, target, which, django_assert_num_queries
):
    row = _row(target, ROWS[target][which])
    case = open_case(cast["editor"])
    client.force_login(cast["editor"])
    url = page_url(case, target, row)
    client.get(url)  # warm the session and permission caches
    with django_assert_num_queries(QUERIES[target]):
        assert client.get(url).status_code == 200
