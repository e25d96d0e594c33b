"""A penalty is never negative: PostgreSQL refuses it, the forms say so, the seed names the row."""

import pytest
from django.db import IntegrityError, transaction

from apps.dataset import yamlio
from apps.dataset.loader import Loader, SeedError
from apps.obligations.models import Obligation, Penalty
from tests.dataset import partial_seed

pytestmark = pytest.mark.django_db

ARTICLE_99 = {"instrument__slug": "eu-ai-act", "key": "article-99-penalty-prohibited-practices"}


@pytest.mark.parametrize(
    ("column", "constraint"),
    [
        ("max_amount", "penalty_amount_not_negative"),
        ("prison_years", "penalty_prison_not_negative"),
    ],
)
def test_the_database_refuses_a_negative_amount_or_prison_term_from_any_writer(column, constraint):
    penalty = Penalty.objects.get(obligation=Obligation.objects.get(**ARTICLE_99))
    # A bulk update skips every Python check: only the constraint stands in the way.
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Penalty.objects.filter(pk=penalty.pk).update(**{column: -1})
    penalty.refresh_from_db()
    assert penalty.max_amount > 0


def test_a_zero_or_positive_amount_is_still_accepted():
    penalty = Penalty.objects.get(obligation=Obligation.objects.get(**ARTICLE_99))
    Penalty.objects.filter(pk=penalty.pk).update(max_amount=0)  # no error


def test_the_seed_loader_names_the_obligation_whose_penalty_is_negative(tmp_path):
    def negative(rows):
        row = next(r for r in rows if r["key"] == ARTICLE_99["key"])
        row["penalty"]["max_amount"] = -35000000

    # Only obligations.yaml, whole, over the seeded database (tests/dataset/partial_seed.py).
    folder = partial_seed.only(tmp_path, "obligations.yaml", negative)
    rows = yamlio.load((folder / "obligations.yaml").read_text())
    number = next(n for n, r in enumerate(rows, start=1) if r["key"] == ARTICLE_99["key"])

    with pytest.raises(SeedError) as refused:
        Loader(folder).load()

    [error] = refused.value.errors
    assert error.startswith(
        f"obligations.yaml row {number} (eu-ai-act/article-99-penalty-prohibited-practices): "
    )
    assert "penalties: the penalty for companies has a negative amount (-35000000)" in error
    penalty = Penalty.objects.get(obligation=Obligation.objects.get(**ARTICLE_99))
    assert penalty.max_amount == 35000000  # nothing was saved


def test_the_proposal_form_refuses_a_negative_amount_beside_the_penalty_row():
    from tests.cases.test_penalty_proposals import _form, _rows

    [live] = _rows()
    form = _form([{**live, "max_amount": "-35000000"}])
    assert not form.is_valid()
    assert form.errors["penalties"] == [
        "Penalty 1, Max amount: A penalty's amount cannot be negative."
    ]
