"""The import graph between apps follows the layers of ARCHITECTURE.md.

Every import of an `apps.*` module in the apps' code (migrations excepted: they
are history) is read with `ast`, function-level imports included, since a lazy
import is a dependency all the same. An app may import an app on a lower layer,
never one on its own layer or above, except the pairs listed in SIDEWAYS; and no
module imports a private name (`_x`) from another app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parents[1] / "apps"

# From the top down. The surfaces read and write through the layers under them.
LAYERS: list[set[str]] = [
    {"api", "portal", "webhooks", "dataset"},  # what users and clients reach
    {"cases"},  # the editorial workflow
    {"reading", "sources"},  # what readers ask; what the watcher sees
    {"accounts"},  # users and roles (roles grant views of the record's models)
    {"record"},  # the registry, the one write path, the audit trail
    {"amendments"},  # the domain, each app above the ones it refers to
    {"obligations"},
    {"instruments"},
    {"jurisdictions"},
    {"core"},  # what every app may use
]
# Imports within one layer that are part of the design.
SIDEWAYS = {("webhooks", "api")}  # a webhook payload is the changes feed's page

LEVEL = {app: depth for depth, apps in enumerate(LAYERS) for app in apps}


def _imports(path: Path):
    """(imported module, imported names, line) for every `apps.*` import in a file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "apps" or node.module.startswith("apps."):
                yield node.module, [a.name for a in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("apps."):
                    yield alias.name, [], node.lineno


def _edges():
    for path in sorted(APPS.rglob("*.py")):
        relative = path.relative_to(APPS)
        if "migrations" in relative.parts:
            continue
        owner = relative.parts[0]
        for module, names, line in _imports(path):
            parts = module.split(".")
            if len(parts) == 2 and parts[1] not in LEVEL:
                # `from apps import x`: the names are apps.
                for name in names:
                    yield owner, name, names, f"apps/{relative}:{line}"
            else:
                yield owner, parts[1], names, f"apps/{relative}:{line}"


def test_every_app_has_a_layer():
    found = {p.name for p in APPS.iterdir() if (p / "apps.py").exists()}
    assert found - set(LEVEL) == set(), "put the new app on a layer of LAYERS"
    assert set(LEVEL) - found == set(), "an app of LAYERS no longer exists"


def test_no_app_imports_an_app_on_its_layer_or_above():
    wrong = [
        f"{where}: {owner} (layer {LEVEL[owner]}) imports {target} (layer {LEVEL[target]})"
        for owner, target, _, where in _edges()
        if target != owner
        and target in LEVEL
        and LEVEL[target] <= LEVEL[owner]
        and (owner, target) not in SIDEWAYS
    ]
    assert wrong == []


def test_no_module_imports_a_private_name_of_another_app():
    wrong = [
        f"{where}: {owner} imports {name} from {target}"
        for owner, target, names, where in _edges()
        if target != owner
        for name in names
        if name.startswith("_")
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from apps.cases.models import Case\n", [("apps.cases.models", ["Case"], 1)]),
        ("def f():\n    from apps.record import services\n", [("apps.record", ["services"], 2)]),
        ("import apps.core.tasks\n", [("apps.core.tasks", [], 1)]),
        ("from . import models\nfrom django.db import models\n", []),
    ],
)
def test_the_reader_finds_module_and_function_level_imports(tmp_path, source, expected):
    path = tmp_path / "m.py"
    path.write_text(source)
    assert list(_imports(path)) == expected
