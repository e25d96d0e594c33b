"""How each seed file maps to models: fields, natural keys, references, children.

A field converter turns a YAML value into model values (a partial date
becomes two columns) and raises ValidationError with a readable message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from apps.core.partial_dates import PartialDate, Precision


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def full_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    parsed = PartialDate.parse(str(value))
    if parsed.precision != Precision.DAY:
        raise ValidationError(f"{value!r} needs a full date (YYYY-MM-DD)")
    return parsed.start


def decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(f"{value!r} is not a number") from None


def string_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError(f"{value!r} must be a list")
    return [str(item).strip() for item in value]


def integer(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{value!r} is not a whole number")
    return value


def optional_boolean(value: Any) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        raise ValidationError(f"{value!r} is not true or false")
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(f"{value!r} is not true or false")
    return value


# A replaced penalty's numbers that cannot be negative, in words for the message.
POSITIVE = {"max_amount": "amount", "prison_years": "prison term"}


def penalty_list(value: Any) -> list[dict[str, Any]] | None:
    """Penalties an effect puts in place of an obligation's own, as plain JSON values.

    Absent (None) for an effect of another kind; a list, possibly empty, for one
    that replaces the penalties.
    """
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValidationError(f"{value!r} must be a list of penalties")
    penalties = []
    for item in value:
        unknown = sorted(set(item) - set(PENALTY_FIELDS))
        if unknown:
            raise ValidationError(f"unknown penalty field(s) {', '.join(unknown)}")
        penalty = {}
        for name in item:
            converted = PENALTY_FIELDS[name](item[name])
            if name in POSITIVE and converted is not None and converted < 0:
                raise ValidationError(
                    f"a replaced penalty has a negative {POSITIVE[name]} ({converted}): "
                    "amounts and terms are positive numbers"
                )
            if isinstance(converted, Decimal):
                converted = f"{converted.normalize():f}"
            penalty[name] = converted
        penalties.append(penalty)
    return penalties


def partial(name: str) -> Callable[[Any], dict[str, Any]]:
    def convert(value: Any) -> dict[str, Any]:
        if value in (None, ""):
            return {name: None, f"{name}_precision": ""}
        parsed = PartialDate.parse(str(value))
        return {name: parsed.start, f"{name}_precision": parsed.precision}

    return convert


@dataclass
class Spec:
    """One kind of row: which YAML keys feed which model fields."""

    model: str  # "app_label.ModelName"
    key: tuple[str, ...]  # natural key, in model field names (FKs by attribute name)
    fields: dict[str, Callable[[Any], Any]]  # yaml key -> converter (a dict result spreads)
    # yaml key -> "model:field" lookup; "model:a__b,c" names a row by several fields,
    # given in the YAML as a mapping of a and c ({instrument: slug, key: key}).
    refs: dict[str, str] = field(default_factory=dict)
    m2m: dict[str, str] = field(default_factory=dict)  # yaml key -> "model:field"
    children: dict[str, Spec] = field(default_factory=dict)  # yaml key -> child spec
    parent_field: str = ""  # for children: the FK to the parent


SOURCED = {"provenance": text, "provenance_note": text}
CITED = {"citations": "core.Citation:key"}

CITATION = Spec(
    "core.Citation",
    ("key",),
    {
        "key": text,
        "url": text,
        "title": text,
        "accessed_on": full_date,
        "seed_footnote": integer,
        "last_verified_on": full_date,
        "locator": text,
        "states": text,
        "provenance": text,
    },
)

JURISDICTION = Spec(
    "jurisdictions.Jurisdiction",
    ("code",),
    {
        "code": text,
        "name": text,
        "kind": text,
        "iso_alpha2": text,
        "iso_alpha3": text,
        "approaches": string_list,
        "coverage": text,
        "summary": text,
        "current_as_of": full_date,
        "last_verified_on": full_date,
        **SOURCED,
    },
    refs={"parent": "jurisdictions.Jurisdiction:code"},
    m2m=CITED,
)

MEMBERSHIP = Spec(
    "jurisdictions.Membership",
    ("group", "member", "joined_on"),
    {"joined_on": partial("joined_on"), "left_on": partial("left_on"), **SOURCED},
    refs={"group": "jurisdictions.Jurisdiction:code", "member": "jurisdictions.Jurisdiction:code"},
    m2m=CITED,
)

INSTRUMENT = Spec(
    "instruments.Instrument",
    ("slug",),
    {
        "slug": text,
        "title": text,
        "original_title": text,
        "original_language": text,
        "kind": text,
        "issuing_body": text,
        "legal_force": text,
        "summary": text,
        "topics": string_list,
        "pillars": string_list,
        "approach": text,
        "source_status_text": text,
        "last_verified_on": full_date,
        **SOURCED,
    },
    refs={"jurisdiction": "jurisdictions.Jurisdiction:code"},
    m2m=CITED,
    children={
        "identifiers": Spec(
            "instruments.Identifier",
            ("instrument", "scheme", "value"),
            {"scheme": text, "value": text, **SOURCED},
            parent_field="instrument",
        ),
        "events": Spec(
            "instruments.InstrumentEvent",
            ("instrument", "kind", "date"),
            {"kind": text, "date": partial("date"), "note": text, **SOURCED},
            m2m=CITED,
            parent_field="instrument",
        ),
        "parties": Spec(
            "instruments.InstrumentParty",
            ("instrument", "jurisdiction"),
            {"joined_on": partial("joined_on"), **SOURCED},
            refs={"jurisdiction": "jurisdictions.Jurisdiction:code"},
            m2m=CITED,
            parent_field="instrument",
        ),
    },
)

PENALTY_FIELDS = {
    "applies_to": text,
    "max_amount": decimal,
    "currency": text,
    "turnover_percent": decimal,
    "prison_years": decimal,
    "rule": text,
    **SOURCED,
}

# A condition the obligation's text sets on whom it binds (apps.obligations.models.Condition):
# a threshold (`number`), SME status (`flag`) or the sectors it covers.
CONDITION = Spec(
    "obligations.Condition",
    ("obligation", "fact", "comparison"),
    {
        "fact": text,
        "comparison": text,
        "number": decimal,
        "flag": optional_boolean,
        "sectors": string_list,
        "note": text,
    },
    parent_field="obligation",
)

# A duty's link to the penalty provision that punishes its breach, named like an effect's
# obligation; the fine's row comes earlier in the file (it must exist when the duty loads).
FINE_LINK = Spec(
    "obligations.FineLink",
    ("obligation", "fine"),
    {},
    refs={"fine": "obligations.Obligation:instrument__slug,key"},
    m2m=CITED,
    parent_field="obligation",
)

OBLIGATION = Spec(
    "obligations.Obligation",
    ("instrument", "key"),
    {
        "key": text,
        "provision": text,
        "addressee": text,
        "requirement": text,
        "risk_tier": text,
        "applies_from": full_date,
        "applies_until": full_date,
        "pillars": string_list,
        **SOURCED,
    },
    refs={"instrument": "instruments.Instrument:slug"},
    m2m=CITED,
    children={
        "penalties": Spec(
            "obligations.Penalty",
            ("obligation", "applies_to"),
            PENALTY_FIELDS,
            parent_field="obligation",
        ),
        "conditions": CONDITION,
        "fine_links": FINE_LINK,
    },
)

# An amendment's effect names its obligation by the obligation's natural key.
EFFECT = Spec(
    "amendments.Effect",
    ("amendment", "obligation", "kind"),
    {"kind": text, "date": full_date, "text": text, "penalties": penalty_list},
    refs={"obligation": "obligations.Obligation:instrument__slug,key"},
    parent_field="amendment",
)

AMENDMENT = Spec(
    "amendments.Amendment",
    ("key",),
    {
        "key": text,
        "kind": text,
        "target_provision": text,
        "announced_on": partial("announced_on"),
        "effective_on": partial("effective_on"),
        "summary": text,
        **SOURCED,
    },
    refs={
        "source_instrument": "instruments.Instrument:slug",
        "source_jurisdiction": "jurisdictions.Jurisdiction:code",
        "target_instrument": "instruments.Instrument:slug",
    },
    m2m=CITED,
    children={"effects": EFFECT},
)

SOURCE = Spec(
    "sources.Source",
    ("url",),
    {
        "name": text,
        "url": text,
        "kind": text,
        "selector": text,
        "ignore": string_list,
        "adapter": text,
        "check_interval_minutes": integer,
        "active": boolean,
    },
    refs={"jurisdiction": "jurisdictions.Jurisdiction:code"},
    m2m={"instruments": "instruments.Instrument:slug"},
)

# Load order follows the references between files.
FILES: list[tuple[str, Spec]] = [
    ("citations.yaml", CITATION),
    ("jurisdictions.yaml", JURISDICTION),
    ("memberships.yaml", MEMBERSHIP),
    ("instruments.yaml", INSTRUMENT),
    ("obligations.yaml", OBLIGATION),
    ("amendments.yaml", AMENDMENT),
    ("sources.yaml", SOURCE),
]
