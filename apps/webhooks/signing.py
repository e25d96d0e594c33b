"""How a delivery proves where it comes from and when it was sent.

The signature is HMAC-SHA256, keyed with the endpoint's secret, over
`<timestamp>.<body>`: the timestamp (Unix seconds) is signed with the body, so
a captured delivery cannot be replayed later under a fresh timestamp, and a
receiver that rejects timestamps older than REPLAY_WINDOW_SECONDS rejects
replays. The README's "Webhooks" section gives the receiver's recipe.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

TIMESTAMP_HEADER = "X-Tracker-Timestamp"
SIGNATURE_HEADER = "X-Tracker-Signature"
DELIVERY_HEADER = "X-Tracker-Delivery"
VERSION = "v1"
# What receivers are told to accept (README); the sender signs with the current time.
REPLAY_WINDOW_SECONDS = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 - a label that says what the value is, not a secret


def new_secret() -> str:
    # 256 bits; URL-safe characters only, so it pastes into a shell unquoted.
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"{VERSION}={mac.hexdigest()}"


def headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    timestamp = int(time.time() if now is None else now)
    return {
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }


def verify(
    secret: str,
    timestamp: str,
    given: str,
    body: bytes,
    *,
    now: float | None = None,
    window: int = REPLAY_WINDOW_SECONDS,
) -> bool:
    """What a receiver written in Python does; the tests use it as the reference."""
    if not timestamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > window:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), given)
