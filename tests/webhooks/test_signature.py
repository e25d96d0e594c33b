"""A delivery's signature verifies with the README's own recipes, and nothing else does."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from apps.webhooks import signing, tasks
from tests.paths import REPO
from tests.webhooks.conftest import publish


def readme_snippet(language: str, containing: str) -> str:
    """The code block of the README's "Webhooks" section in `language` that mentions
    `containing`: the recipe a receiver copies is the one tested."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n### Webhooks\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(rf"```{language}\n(.*?)```", section, re.S)
    [block] = [b for b in blocks if containing in b]
    return block


def run_shell_recipe(folder: Path, secret: str, timestamp: str, signature: str, body: bytes):
    (folder / "body.json").write_bytes(body)
    return subprocess.run(
        ["bash", "-c", readme_snippet("sh", "openssl")],
        cwd=folder,
        env={
            "PATH": os.environ["PATH"],
            "SECRET": secret,
            "TIMESTAMP": timestamp,
            "SIGNATURE": signature,
        },
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.fixture
def openssl():
    if shutil.which("openssl") is None or shutil.which("bash") is None:
        pytest.skip("the shell recipe needs bash and openssl, and this machine lacks one")


@pytest.fixture
def signed(endpoint, receiver):
    """A real delivery as the receiver got it: (secret, headers, body)."""
    hook, secret = endpoint
    publish(2)
    tasks.deliver(hook.pk)
    [hit] = receiver.received
    return secret, hit.headers, hit.body


def test_a_delivery_verifies_with_the_readme_shell_recipe(openssl, signed, tmp_path):
    secret, headers, body = signed
    result = run_shell_recipe(
        tmp_path,
        secret,
        headers["x-tracker-timestamp"],
        headers["x-tracker-signature"],
        body,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "verified"


def test_the_shell_recipe_rejects_a_changed_body_a_wrong_secret_and_an_old_timestamp(
    openssl, signed, tmp_path
):
    secret, headers, body = signed
    stamp, given = headers["x-tracker-timestamp"], headers["x-tracker-signature"]

    changed = run_shell_recipe(tmp_path, secret, stamp, given, body.replace(b"Edited", b"Forged"))
    assert (changed.returncode, changed.stderr.strip()) == (1, "rejected: bad signature")

    wrong = run_shell_recipe(tmp_path, secret + "x", stamp, given, body)
    assert wrong.returncode == 1

    # A replay: correctly signed, but ten minutes old.
    old = int(time.time()) - 600
    replay = run_shell_recipe(
        tmp_path, secret, str(old), signing.signature(secret, old, body), body
    )
    assert (replay.returncode, replay.stderr.strip()) == (
        1,
        "rejected: outside the 5-minute window",
    )


def test_a_delivery_verifies_with_the_readme_python_recipe(signed):
    secret, headers, body = signed
    namespace: dict = {}
    exec(readme_snippet("python", "compare_digest"), namespace)  # noqa: S102 - our own README
    verified = namespace["verified"]

    stamp, given = headers["x-tracker-timestamp"], headers["x-tracker-signature"]
    assert verified(secret, stamp, given, body)
    assert not verified(secret, stamp, given, body + b" ")
    assert not verified(secret, str(int(stamp) - 301), given, body)


def test_the_signature_covers_the_timestamp_and_the_body():
    body = b'{"changes":[]}'
    assert signing.signature("whsec_a", 1700000000, body) == signing.signature(
        "whsec_a", 1700000000, body
    )
    assert signing.signature("whsec_a", 1700000000, body) != signing.signature(
        "whsec_a", 1700000001, body
    )
    assert signing.signature("whsec_a", 1700000000, body).startswith("v1=")
    assert signing.verify(
        "whsec_a",
        "1700000000",
        signing.signature("whsec_a", 1700000000, body),
        body,
        now=1700000100,
    )
    assert not signing.verify(
        "whsec_a",
        "1700000000",
        signing.signature("whsec_a", 1700000000, body),
        body,
        now=1700000301,
    )
