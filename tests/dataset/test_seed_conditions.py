"""Obligations' applicability conditions in the seed: written through the one write path,
idempotent, proposed by `--as-case`, and a malformed one refused naming where it stands."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from apps.dataset import yamlio
from apps.dataset.as_case import propose_seed_case
from apps.obligations.models import Condition, Obligation
from apps.record import services as record
from apps.record.models import AppliedChange, Origin
from apps.record.selectors import row_history
from tests.dataset import partial_seed

pytestmark = pytest.mark.django_db

SEED = Path(settings.BASE_DIR) / "data" / "seed"
SYSTEMIC = ("eu-ai-act", "article-55-gpai-systemic-risk")
FRAMEWORK = ("us-ca-sb53-2025", "frontier-ai-framework")


def _obligation(slug: str, key: str) -> Obligation:
    return Obligation.objects.get(instrument__slug=slug, key=key)


def _conditions(slug: str, key: str) -> set[tuple]:
    return {
        (c.fact, c.comparison, c.number, c.flag, tuple(c.sectors))
        for c in _obligation(slug, key).conditions.all()
    }


def _load(folder: Path) -> str:
    out = StringIO()
    call_command("seed_load", folder=folder, verbosity=2, stdout=out)
    return out.getvalue()


def _obligations_only(tmp_path: Path, edit=partial_seed.unchanged) -> Path:
    # Conditions live in obligations.yaml alone: that file whole, the others empty, over
    # the seeded database; a load deletes nothing it does not hold (partial_seed).
    return partial_seed.only(tmp_path, "obligations.yaml", edit)


def _row(data: list[dict], slug: str, key: str) -> dict:
    return next(r for r in data if (r["instrument"], r["key"]) == (slug, key))


def _row_number(slug: str, key: str) -> int:
    data = yamlio.load((SEED / "obligations.yaml").read_text())
    return data.index(_row(data, slug, key)) + 1


def test_the_seed_sets_each_condition_on_the_obligations_whose_text_sets_it():
    compute_1e26 = ("training_compute_flop", "more_than", Decimal("1e26"), None, ())
    assert _conditions(*SYSTEMIC) == {
        ("training_compute_flop", "more_than", Decimal("1e25"), None, ())
    }
    assert _conditions("eu-ai-act", "article-99-penalty-prohibited-practices-sme") == {
        ("sme", "is", None, True, ())
    }
    # Only large frontier developers write a framework; every frontier developer reports.
    assert _conditions(*FRAMEWORK) == {
        ("annual_revenue_usd", "more_than", Decimal("500000000"), None, ()),
        compute_1e26,
    }
    assert _conditions("us-ca-sb53-2025", "transparency-report") == {compute_1e26}
    assert _conditions("us-ca-sb53-2025", "critical-safety-incident-reports") == {compute_1e26}
    [(fact, _, _, _, sectors)] = _conditions("us-co-sb24-205", "deployer-risk-management")
    assert fact == "sector" and {"employment", "housing", "credit"} <= set(sectors)
    assert _conditions("us-co-sb24-205", "ai-interaction-disclosure") == set()


def test_conditions_are_written_by_the_seed_load_and_recorded_in_the_audit_trail():
    entries = row_history("obligation", _obligation(*SYSTEMIC).pk)
    [seeded] = [e for e in entries if e.origin == Origin.SEED and "conditions" in (e.after or {})]
    assert seeded.after["conditions"][0]["number"] == "10000000000000000000000000"


def test_a_second_load_changes_no_condition(tmp_path):
    before = sorted(Condition.objects.values_list("pk", "obligation_id", "fact", "number"))
    audit = AppliedChange.objects.count()

    out = _load(_obligations_only(tmp_path))

    assert "seed loaded: 0 inserted, 0 updated" in out
    assert sorted(Condition.objects.values_list("pk", "obligation_id", "fact", "number")) == before
    assert AppliedChange.objects.count() == audit


def test_a_condition_changed_in_the_seed_is_updated_through_the_write_path(tmp_path):
    def raise_revenue(data):
        for condition in _row(data, *FRAMEWORK)["conditions"]:
            if condition["fact"] == "annual_revenue_usd":
                condition["number"] = 1_000_000_000

    duty = _obligation(*FRAMEWORK)
    out = _load(_obligations_only(tmp_path, raise_revenue))

    assert "  obligations: 0 inserted, 1 updated" in out
    assert "  conditions: 0 inserted, 1 updated" in out
    revenue = duty.conditions.get(fact="annual_revenue_usd")
    assert revenue.number == Decimal("1000000000")
    assert _obligation(*FRAMEWORK).version == duty.version + 1
    latest = row_history("obligation", duty.pk).first()
    assert latest.origin == Origin.SEED and set(latest.after) == {"conditions"}


def test_as_case_proposes_the_conditions_the_record_lacks_and_writes_none(tmp_path):
    duty = _obligation(*SYSTEMIC)
    record.write(
        target="obligation", row=duty, values={"conditions": []}, why=record.Why.system("test")
    )

    outcome = propose_seed_case(_obligations_only(tmp_path))

    [change] = outcome.case.changes.filter(target="obligation", row_id=duty.pk)
    assert set(change.values) == {"conditions"}
    [proposed] = change.values["conditions"]
    assert (proposed["fact"], proposed["comparison"], proposed["number"]) == (
        "training_compute_flop",
        "more_than",
        "10000000000000000000000000",
    )
    assert not duty.conditions.exists()  # proposed, not written


def _set_condition(**changes):
    def edit(data):
        [condition] = _row(data, *SYSTEMIC)["conditions"]
        condition.update(changes)

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_set_condition(comparison="is"), "A threshold compares a number"),
        (_set_condition(fact="wealth"), "fact: Value 'wealth' is not a valid choice."),
        (_set_condition(number=-1), "A threshold cannot be negative."),
        (_set_condition(flag="yes"), "flag: 'yes' is not true or false"),
        (_set_condition(threshold=5), "unknown field(s) threshold"),
        (_set_condition(sectors=["piracy"]), "sectors: Item 1 in the array did not validate"),
    ],
)
def test_a_malformed_condition_is_refused_naming_its_file_row_and_key(tmp_path, edit, message):
    live = _conditions(*SYSTEMIC)
    with pytest.raises(CommandError) as refused:
        _load(_obligations_only(tmp_path, edit))
    text = str(refused.value)
    where = f"obligations.yaml row {_row_number(*SYSTEMIC)} ({'/'.join(SYSTEMIC)}): conditions:"
    assert where in text and message in text
    assert "nothing was saved" in text
    assert _conditions(*SYSTEMIC) == live
