"""Issuing and checking API keys.

A key reads `trk_<prefix>_<secret>`. The prefix finds the row; only a SHA-256
of the whole key is stored, compared in constant time. The secret has 256 bits
of entropy, so a fast hash is enough (there is nothing to brute-force the way
there is with passwords).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from apps.api.models import ApiClient, ApiKey

PREFIX = "trk"


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(
    client: ApiClient, name: str, scopes: list[str], expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """A new key and its secret form, which is never stored and cannot be shown again."""
    prefix = secrets.token_hex(6)
    key = f"{PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey.objects.create(
        client=client,
        name=name,
        prefix=prefix,
        hashed=digest(key),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    return row, key


def split(key: str) -> str | None:
    """The prefix of a well-formed key, else None."""
    parts = key.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def find(key: str) -> ApiKey | None:
    """The stored key that `key` is, whatever its state (revoked, expired), else None."""
    prefix = split(key)
    if prefix is None:
        return None
    row = ApiKey.objects.select_related("client").filter(prefix=prefix).first()
    if row is None or not hmac.compare_digest(row.hashed, digest(key)):
        return None
    return row
