"""The organisation profile a reader fills in on the "What applies" page.

Its field names are the API's parameters (GET /api/v1/applicability/), so a link
made for one opens the other; markets may be typed as codes or picked from the
list. Every answer is optional; a bad one is refused beside its field, with what
was typed kept.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.http import QueryDict
from django.utils import timezone

from apps.obligations.models import Addressee, RiskTier, Sector
from apps.portal.models import SavedProfile
from apps.reading.applicability import Profile

MAX_MARKETS = 30
LARGEST = Decimal("1e40")
MOST_PEOPLE = 10**18
SME_CHOICES = [("", "unknown"), ("true", "yes"), ("false", "no")]
FIELDS = (
    "on",
    "markets",
    "market",
    "role",
    "risk_tier",
    "sector",
    "annual_revenue_usd",
    "training_compute_flop",
    "users",
    "employees",
    "sme",
)


def _amount(label: str, help_text: str, message: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=LARGEST,
        decimal_places=2,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "invalid": message,
            "min_value": message,
            "max_value": message,
            "max_decimal_places": f"{message[:-1]}, with at most two decimals.",
        },
    )


def _count(label: str) -> forms.IntegerField:
    message = "Enter a whole number, 0 or more."
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MOST_PEOPLE,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


def _checkboxes(label: str, choices) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "“%(value)s” is not one of the choices below."},
    )


class ProfileForm(forms.Form):
    on = forms.DateField(
        label="On the day",
        required=False,
        help_text="Empty: today.",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a day as YYYY-MM-DD."},
    )
    markets = forms.CharField(
        label="Markets",
        required=False,
        max_length=500,
        help_text="Jurisdiction codes where it operates, places systems on the market or "
        "serves residents, separated by commas (e.g. DE, US-CA); or choose them below.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "market-codes"}),
    )
    market = _checkboxes("Choose markets", [])
    role = _checkboxes("Roles", Addressee.choices)
    risk_tier = _checkboxes("Risk tiers and kinds of system", RiskTier.choices)
    sector = _checkboxes("Sectors", Sector.choices)
    annual_revenue_usd = _amount(
        "Annual revenue (USD)",
        "A number, e.g. 25000000.",
        "Enter an amount of US dollars, 0 or more.",
    )
    training_compute_flop = _amount(
        "Training compute (FLOP)",
        "Of its largest model; e.g. 3e25.",
        "Enter a number of floating-point operations, 0 or more (1e25 is fine).",
    )
    users = _count("Users")
    employees = _count("Employees")
    sme = forms.ChoiceField(
        label="A small or medium-sized enterprise?",
        required=False,
        choices=SME_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Answer yes, no or unknown."},
    )

    def __init__(self, *args, jurisdictions: list[tuple[str, str]], **kwargs):
        """`jurisdictions`: (code, name) of the published ones, for the list and the check."""
        super().__init__(*args, **kwargs)
        self.codes = {code for code, _ in jurisdictions}
        self.fields["market"].choices = [(code, f"{name} ({code})") for code, name in jurisdictions]
        self.jurisdictions = jurisdictions

    def clean_markets(self) -> list[str]:
        typed = [c.upper() for c in re.split(r"[\s,;]+", self.cleaned_data["markets"]) if c]
        unknown = [c for c in typed if c not in self.codes]
        if unknown:
            names = ", ".join(f"“{c}”" for c in unknown)
            raise forms.ValidationError(
                f"No published jurisdiction has the code {names}.", code="unknown"
            )
        return typed

    def clean(self):
        cleaned = super().clean()
        both = [*cleaned.get("markets", []), *cleaned.get("market", [])]
        chosen = list(dict.fromkeys(both))
        if len(chosen) > MAX_MARKETS:
            self.add_error("markets", f"Name at most {MAX_MARKETS} markets.")
        cleaned["all_markets"] = chosen
        return cleaned

    def profile(self) -> Profile:
        data = self.cleaned_data
        sme = data.get("sme") or ""
        return Profile(
            markets=tuple(data["all_markets"]),
            roles=tuple(data.get("role", ())),
            risk_tiers=tuple(data.get("risk_tier", ())),
            sectors=tuple(data.get("sector", ())),
            annual_revenue_usd=data.get("annual_revenue_usd"),
            training_compute_flop=data.get("training_compute_flop"),
            users=data.get("users"),
            employees=data.get("employees"),
            sme=None if sme == "" else sme == "true",
        )

    def day(self) -> dt.date:
        return self.cleaned_data.get("on") or timezone.localdate()


def submitted(params: QueryDict) -> bool:
    return any(name in params for name in FIELDS)


def as_query(profile: SavedProfile, on: str = "") -> QueryDict:
    """A saved profile as the form's data (markets typed, as a reader would), on the
    day `on` as given (the form refuses a bad one)."""
    query = QueryDict(mutable=True)
    if on:
        query["on"] = on
    query["markets"] = ", ".join(profile.markets)
    query.setlist("role", profile.roles)
    query.setlist("risk_tier", profile.risk_tiers)
    query.setlist("sector", profile.sectors)
    for name in ("annual_revenue_usd", "training_compute_flop", "users", "employees"):
        value = getattr(profile, name)
        if value is not None:
            query[name] = f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)
    if profile.sme is not None:
        query["sme"] = "true" if profile.sme else "false"
    return query


def fill(saved: SavedProfile, profile: Profile) -> None:
    """Copy a checked profile's answers onto a saved one (not saved yet)."""
    saved.markets = list(profile.markets)
    saved.roles = list(profile.roles)
    saved.risk_tiers = list(profile.risk_tiers)
    saved.sectors = list(profile.sectors)
    saved.annual_revenue_usd = profile.annual_revenue_usd
    saved.training_compute_flop = profile.training_compute_flop
    saved.users = profile.users
    saved.employees = profile.employees
    saved.sme = profile.sme
