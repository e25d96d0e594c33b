"""What the amendment kinds mean: the one home of that vocabulary.

The words are apps.amendments.models.Kind. Which kinds end their target (and
with which status), and which change what it demands (so its obligations go
up for review), are said here once.
"""

from __future__ import annotations

from apps.amendments.models import Kind
from apps.instruments.models import Status

# A whole-instrument amendment of these kinds ends its target, with this status.
AMENDMENT_STATUS: dict[str, str] = {
    Kind.WITHDRAWS: Status.WITHDRAWN,
    Kind.REPEALS: Status.REPEALED,
    Kind.REVOKES: Status.REVOKED,
    Kind.SUPERSEDES: Status.SUPERSEDED,
}

# Kinds that change what the target demands, with how a title says it happened.
CHANGED_AS: dict[str, str] = {
    Kind.AMENDS: "amended",
    Kind.WITHDRAWS: "withdrawn",
    Kind.REPEALS: "repealed",
    Kind.REVOKES: "revoked",
    Kind.SUPERSEDES: "superseded",
}
