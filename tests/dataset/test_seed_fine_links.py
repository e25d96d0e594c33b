"""A duty's link to the fine that punishes its breach (issue 23), in the seed: loaded with
its source, and a bad link refused naming its file, row and key, nothing saved."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.dataset import yamlio
from apps.obligations.models import FineLink, Obligation
from apps.record.models import Origin
from apps.record.selectors import row_history
from tests.dataset import partial_seed

pytestmark = pytest.mark.django_db

ACT = "eu-ai-act"
GENERAL_FINE = "article-99-penalty-other-obligations"  # Article 99(4), of no risk tier
DUTY = "article-16-high-risk-provider-obligations"
# The seeded duties whose articles Article 99(4) lists, as its cited pages say.
PUNISHED = {
    "article-16-high-risk-provider-obligations",
    "article-22-authorised-representatives",
    "article-23-importer-obligations",
    "article-24-distributor-obligations",
    "article-26-deployer-obligations",
    "article-50-transparency",
}


def _links() -> set[tuple[str, str]]:
    return set(FineLink.objects.values_list("obligation__key", "fine__key"))


def test_the_seed_links_article_99_4_to_the_duties_it_lists_and_no_other():
    assert _links() == {(duty, GENERAL_FINE) for duty in PUNISHED}


def test_each_link_cites_a_page_that_says_where_the_fact_stands():
    for link in FineLink.objects.prefetch_related("citations"):
        cited = list(link.citations.all())
        assert cited, link.obligation.key
        assert all(c.locator and c.states for c in cited)
        # Nobody has checked the live pages yet: no read or check date is claimed.
        assert all(c.accessed_on is None and c.last_verified_on is None for c in cited)


def test_the_link_is_written_through_the_write_path_and_audited():
    duty = Obligation.objects.get(instrument__slug=ACT, key=DUTY)
    fine = Obligation.objects.get(instrument__slug=ACT, key=GENERAL_FINE)
    seeded = [e for e in row_history("obligation", duty.pk) if "fine_links" in (e.after or {})]
    assert seeded and seeded[-1].origin == Origin.SEED
    assert [item["fine"] for item in seeded[0].after["fine_links"]] == [fine.pk]


def _row_number(key: str) -> int:
    rows = yamlio.load((partial_seed.SEED / "obligations.yaml").read_text())
    return next(n for n, r in enumerate(rows, start=1) if (r["instrument"], r["key"]) == (ACT, key))


def _linking(fine: dict):
    def edit(rows: list[dict]) -> None:
        row = next(r for r in rows if (r["instrument"], r["key"]) == (ACT, DUTY))
        row["fine_links"] = [{"fine": fine, "citations": ["powerquant-ai-act-fines"]}]

    return edit


def _load(folder: Path) -> str:
    out = StringIO()
    call_command("seed_load", folder=folder, verbosity=2, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fine", "message"),
    [
        (
            {"instrument": "in-dpdp-act-2023", "key": "section-6-consent"},
            "in-dpdp-act-2023/section-6-consent (Section 6) is a provision of another instrument",
        ),
        (
            {"instrument": ACT, "key": "article-4-ai-literacy"},
            "eu-ai-act/article-4-ai-literacy (Article 4) carries no penalty",
        ),
        ({"instrument": ACT, "key": "no-such-fine"}, "unknown obligation 'eu-ai-act/no-such-fine'"),
    ],
    ids=["another-instrument", "not-a-fine", "missing-key"],
)
def test_a_bad_link_is_refused_naming_its_file_row_and_key(tmp_path, fine, message):
    before = _links()
    with pytest.raises(CommandError) as refused:
        # Only obligations.yaml, whole, over the seeded database (tests/dataset/partial_seed.py).
        _load(partial_seed.only(tmp_path, "obligations.yaml", _linking(fine)))
    text = str(refused.value)
    assert f"obligations.yaml row {_row_number(DUTY)} ({ACT}/{DUTY}): fine_links:" in text
    assert message in text
    assert "nothing was saved" in text
    assert _links() == before
