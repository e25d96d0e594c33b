"""What the accounts tests read out of the mail they catch."""

from __future__ import annotations


def link_path(body: str, site_url: str) -> str:
    """The path of the one link on SITE_URL in a message body."""
    [line] = [line for line in body.splitlines() if line.startswith(site_url)]
    return line.removeprefix(site_url)
