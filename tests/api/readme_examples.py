"""The curl examples of README.md's API section, read from the README itself, so that
the README and the test that runs them cannot drift apart (issue 29)."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from tests.paths import REPO

README = REPO / "README.md"


@dataclass(frozen=True)
class Example:
    """One curl command: what the README says it shows, and the request it makes."""

    says: str  # the comment lines above it
    method: str
    path: str  # e.g. /api/v1/instruments/eu-ai-act/
    query: tuple[tuple[str, str], ...]
    headers: dict[str, str] = field(default_factory=dict)  # beyond the key
    body: dict | None = None

    @property
    def name(self) -> str:
        """How the test names it: the request as the README writes it."""
        query = "&".join(f"{k}={v}" for k, v in self.query)
        accept = f" [{self.headers['Accept']}]" if "Accept" in self.headers else ""
        return f"{self.method} {self.path}{'?' + query if query else ''}{accept}"


def api_section(text: str) -> str:
    start = text.index("\n## API\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _commands(block: str) -> list[tuple[str, str]]:
    """(comment, command) for each curl command of a shell block, with continued
    lines joined; the comment is the run of `#` lines just above it."""
    found, said = [], []
    lines = block.replace("\\\n", " ").splitlines()
    for line in lines:
        line = line.strip()
        if line.startswith("#"):
            said.append(line.lstrip("# "))
        elif line.startswith("curl "):
            found.append((" ".join(said), line))
            said = []
        else:
            said = []
    return found


def _variables(block: str) -> dict[str, str]:
    """The shell variables a block sets on its own lines (`H=...; API=...`)."""
    names = {}
    for line in block.splitlines():
        if not re.match(r"[A-Z]+=", line):
            continue
        for part in shlex.split(line.replace(";", " ")):
            name, sep, value = part.partition("=")
            if sep and re.fullmatch(r"[A-Z]+", name):
                names[name] = value
    return names


def examples(text: str | None = None) -> list[Example]:
    section = api_section(README.read_text(encoding="utf-8") if text is None else text)
    found = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S):
        variables = _variables(block)
        for said, command in _commands(block):
            for name, value in variables.items():
                command = command.replace(f"${name}", value)
            found.append(_example(said, command))
    return found


def _example(said: str, command: str) -> Example:
    words = shlex.split(command)[1:]
    method, headers, body, url = "GET", {}, None, None
    while words:
        word = words.pop(0)
        if word == "-X":
            method = words.pop(0)
        elif word == "-H":
            name, _, value = words.pop(0).partition(":")
            headers[name.strip()] = value.strip()
        elif word == "-d":
            body = json.loads(words.pop(0))
            method = "POST" if method == "GET" else method
        elif word.startswith("-"):
            raise ValueError(f"the README's curl uses {word!r}, which this reader does not know")
        else:
            url = word
    if url is None:
        raise ValueError(f"no URL in the README's command {command!r}")
    parts = urlsplit(url)
    headers.pop("Authorization", None)  # the test sends its own key
    headers.pop("Content-Type", None)  # the generated client sends JSON as JSON
    return Example(
        says=said,
        method=method,
        path=parts.path,
        query=tuple(parse_qsl(parts.query, keep_blank_values=True)),
        headers=headers,
        body=body,
    )


def python_examples(text: str | None = None) -> list[str]:
    """The Python blocks of the API section: the generated client's examples."""
    section = api_section(README.read_text(encoding="utf-8") if text is None else text)
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)
