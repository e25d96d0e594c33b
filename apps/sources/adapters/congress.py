"""Congress.gov API v3 bills (/v3/bill/{congress}/{type}/{number}[/actions]) as proposals.

A bill's lifecycle status is read from its actions. The Library of Congress gives
the actions that mark a stage a numeric action code (congress.gov/help/field-values/
action-codes): 1000 introduced in House, 10000 introduced in Senate, 8000 and 17000
passed House / Senate, 28000 presented to the President, 29000 signed, 36000 became
public law. Chamber systems add their own codes (H30000, H8D000 ...), which say
nothing about the stage, so an action without a Library of Congress code is read by
its text instead.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from apps.instruments.models import Status
from apps.sources.adapters import Proposal

# The stages a bill's actions can show, in order.
STATUSES = (Status.PROPOSED, Status.UNDER_NEGOTIATION, Status.ADOPTED)
_STAGE_BY_CODE = {
    "1000": Status.PROPOSED,
    "10000": Status.PROPOSED,
    "Intro-H": Status.PROPOSED,
    "Intro-S": Status.PROPOSED,
    "8000": Status.UNDER_NEGOTIATION,  # passed/agreed to in House
    "17000": Status.UNDER_NEGOTIATION,  # passed/agreed to in Senate
    "19000": Status.UNDER_NEGOTIATION,  # resolving differences, House
    "20000": Status.UNDER_NEGOTIATION,  # resolving differences, Senate
    "21000": Status.UNDER_NEGOTIATION,  # conference report agreed to in House
    "23000": Status.UNDER_NEGOTIATION,  # conference report agreed to in Senate
    "28000": Status.UNDER_NEGOTIATION,  # presented to President
    "29000": Status.ADOPTED,  # signed by President
    "36000": Status.ADOPTED,  # became public law
    "E40000": Status.ADOPTED,  # became public law (older records' code)
}
_STAGE_BY_TEXT = (
    (re.compile(r"\bbecame (?:public|private) law\b|\bsigned by (?:the )?president\b", re.I),
     Status.ADOPTED),
    (re.compile(r"\bpassed(?:/agreed to)? (?:in )?(?:the )?(?:house|senate)\b"
                r"|\breceived in the (?:house|senate)\b", re.I),
     Status.UNDER_NEGOTIATION),
    (re.compile(r"\bintroduced in (?:the )?(?:house|senate)\b", re.I), Status.PROPOSED),
)  # fmt: skip
_TYPE_LABELS = {
    "HR": "H.R.",
    "S": "S.",
    "HJRES": "H.J.Res.",
    "SJRES": "S.J.Res.",
    "HCONRES": "H.Con.Res.",
    "SCONRES": "S.Con.Res.",
    "HRES": "H.Res.",
    "SRES": "S.Res.",
}


@dataclass(frozen=True)
class Bill:
    congress: int
    type: str  # upper case, as the API spells it: "HR", "S", "HJRES" ...
    number: int
    title: str
    introduced_date: str | None
    latest_action_text: str
    latest_action_date: str | None
    update_date: str | None  # a date, also when the API gave a timestamp
    origin_chamber: str | None = None
    laws: tuple[str, ...] = ()  # "Public Law 117-108"

    @property
    def key(self) -> str:
        return f"{self.congress}/{self.type.lower()}/{self.number}"

    @property
    def label(self) -> str:
        kind = _TYPE_LABELS.get(self.type, self.type)
        return f"{kind} {self.number} ({_ordinal(self.congress)} Congress)"


@dataclass(frozen=True)
class Action:
    date: str | None
    time: str | None
    text: str
    action_code: str | None
    chamber: str | None  # "House" | "Senate" | None when the source does not say


def _ordinal(number: int) -> str:
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _date(value: Any) -> str | None:
    """ISO date from "2022-04-03" or "2022-03-25T01:16:59Z" (items and lists differ)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return 0


def parse_bill(data: Mapping[str, Any]) -> Bill:
    """Read a bill item ({"bill": {...}}) or one entry of a bill list."""
    bill = data.get("bill", data)
    latest = bill.get("latestAction") or {}
    laws = tuple(
        f"{law.get('type', 'Law')} {law.get('number')}".strip()
        for law in bill.get("laws") or []
        if isinstance(law, Mapping) and law.get("number")
    )
    return Bill(
        congress=_int(bill.get("congress")),
        type=str(bill.get("type") or "").upper(),
        number=_int(bill.get("number")),
        title=" ".join(str(bill.get("title") or "").split()),
        introduced_date=_date(bill.get("introducedDate")),
        latest_action_text=" ".join(str(latest.get("text") or "").split()),
        latest_action_date=_date(latest.get("actionDate")),
        update_date=_date(bill.get("updateDate")),
        origin_chamber=bill.get("originChamber"),
        laws=laws,
    )


def _chamber(item: Mapping[str, Any], code: str | None) -> str | None:
    source = str((item.get("sourceSystem") or {}).get("name") or "")
    for chamber in ("House", "Senate"):
        if source.startswith(chamber):
            return chamber
    if code:
        if code.startswith("H") or code == "Intro-H":
            return "House"
        if code == "Intro-S":
            return "Senate"
        if code.isdigit():
            # Library of Congress codes number the House stages below 10000.
            return "House" if int(code) < 10000 else "Senate" if int(code) < 19000 else None
    return None


def parse_actions(data: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> list[Action]:
    """Actions in the API's order (newest first); several may share a date and time."""
    items = data.get("actions", []) if isinstance(data, Mapping) else data
    actions = []
    for item in items:
        code = str(item["actionCode"]) if item.get("actionCode") is not None else None
        actions.append(
            Action(
                date=_date(item.get("actionDate")),
                time=item.get("actionTime"),
                text=" ".join(str(item.get("text") or "").split()),
                action_code=code,
                chamber=_chamber(item, code),
            )
        )
    return actions


def _stage(action: Action) -> str | None:
    if action.action_code in _STAGE_BY_CODE:
        return _STAGE_BY_CODE[action.action_code]
    for pattern, stage in _STAGE_BY_TEXT:
        if pattern.search(action.text):
            return stage
    return None


def _evidence(bill: Bill, actions: Iterable[Action]) -> tuple[str, Action | None]:
    """The furthest stage reached and the action showing it: a coded action before a
    text-matched one, then the earliest, since that is when the stage was reached."""
    latest = Action(bill.latest_action_date, None, bill.latest_action_text, None, None)
    staged = [(action, stage) for action in [*actions, latest] if (stage := _stage(action))]
    if bill.laws and not any(stage == Status.ADOPTED for _, stage in staged):
        return Status.ADOPTED, None
    if not staged:
        return Status.PROPOSED, None

    def rank(pair: tuple[Action, str]) -> tuple[int, bool]:
        return STATUSES.index(pair[1]), pair[0].action_code in _STAGE_BY_CODE

    best = max(rank(pair) for pair in staged)
    shown_by = min(
        (action for action, stage in staged if rank((action, stage)) == best),
        key=lambda action: (action.date or "9999-99-99", action.time or ""),
    )
    return STATUSES[best[0]], shown_by


def proposed_status(bill: Bill, actions: Sequence[Action]) -> str:
    """ "proposed" until a chamber passes it, "under_negotiation" until it becomes law,
    then "adopted"."""
    return _evidence(bill, actions)[0]


def proposals(bill: Bill, actions: Sequence[Action] = ()) -> list[Proposal]:
    """One status proposal; the editor compares it with the instrument's status."""
    status, action = _evidence(bill, actions)
    if action is not None:
        evidence, since = action.text, action.date
    elif bill.laws:
        evidence, since = "; ".join(bill.laws), bill.latest_action_date
    else:
        evidence, since = "no action shows a later stage", bill.introduced_date
    return [
        Proposal(
            target="status",
            summary=f"{bill.label}: {status.replace('_', ' ')} ({evidence})",
            values={
                "status": status,
                "since": since,
                "bill": bill.key,
                "congress": bill.congress,
                "type": bill.type,
                "number": bill.number,
                "title": bill.title,
                "action_code": action.action_code if action else None,
                "evidence": evidence,
            },
        )
    ]


def read(body: bytes, previous: bytes | None = None) -> list[Proposal]:
    """The bill's status, whatever the previous body said: the watcher checks a status
    against the instrument's events, so a stage the first check saw is still proposed
    when the bill changes in some other way."""
    return proposals(parse_bill(json.loads(body)))
