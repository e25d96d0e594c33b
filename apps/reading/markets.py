"""Which jurisdictions' law reaches an organisation in a market on a day.

A market brings in its own law, its parents' (a US state brings in federal law)
and the law of the groups it or a parent belonged to that day (an EU member
state brings in EU law), each with the reason a reader is shown. Three queries
whatever the number of markets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from apps.jurisdictions.models import Jurisdiction, Membership


@dataclass(frozen=True)
class Reach:
    jurisdiction: Jurisdiction
    market: str  # the market's code that brings it in
    why: str  # "a market", "federal law over US-CA", "DE is a member of EU"


def reach(codes: list[str], on: dt.date) -> tuple[dict[int, Reach], list[str]]:
    """Jurisdiction id -> why its law reaches the markets `codes` on `on`; and the codes
    that name no published jurisdiction."""
    everyone = {
        j.pk: j for j in Jurisdiction.objects.published().only("id", "code", "name", "parent")
    }
    by_code = {j.code: j for j in everyone.values()}
    unknown = [code for code in codes if code not in by_code]
    found: dict[int, Reach] = {}
    chains: dict[int, str] = {}  # jurisdiction id -> the market it came through
    for code in codes:
        market = by_code.get(code)
        if market is None:
            continue
        found.setdefault(market.pk, Reach(market, code, "a market"))
        chains.setdefault(market.pk, code)
        parent_id = market.parent_id
        while parent_id in everyone and parent_id not in found:  # a few levels at most
            parent = everyone[parent_id]
            found[parent_id] = Reach(parent, code, f"{parent.name} law over {market.code}")
            chains[parent_id] = code
            parent_id = parent.parent_id
    memberships = Membership.objects.filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=on),
        Q(left_on__isnull=True) | Q(left_on__gt=on),
        member__in=list(chains),
        group__retired_at__isnull=True,
    ).values_list("member_id", "group_id")
    for member_id, group_id in memberships:
        group = everyone.get(group_id)
        if group is not None and group_id not in found:
            member = everyone[member_id]
            found[group_id] = Reach(
                group, chains[member_id], f"{member.code} is a member of {group.name}"
            )
    return found, unknown
