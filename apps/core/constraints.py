"""Turn a database constraint violation back into the model's own message.

Bulk writers (the seed loader) let PostgreSQL check CheckConstraints instead
of asking Django to run one query per constraint per row, and still report
the same sentence an editor sees in the admin.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models


def validate_without_checks(obj: models.Model) -> None:
    """full_clean, with unique constraints but without per-row CheckConstraint queries."""
    obj.full_clean(validate_constraints=False)
    errors = []
    for constraint in obj._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            try:
                constraint.validate(type(obj), obj)
            except ValidationError as exc:
                errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)


def explain(exc: IntegrityError, models_: list[type[models.Model]]) -> str:
    """The violation message of the constraint PostgreSQL named, or its own first line."""
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    for model in models_:
        for constraint in model._meta.constraints:
            if constraint.name == name:
                return str(constraint.get_violation_error_message())
    return f"refused by the database: {str(exc).splitlines()[0]}"
