"""A Python client generated from the served schema with openapi-python-client, and a
README example sent through it (issue 29): what a client team does with the schema."""

from __future__ import annotations

import datetime as dt
import enum
import importlib
import inspect
import re
import shutil
import subprocess
import sys
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

PACKAGE = "tracker_client"
# No formatting after generating (ruff on the generated files would only cost time),
# and a fixed package name to import.
CONFIG = f"post_hooks: []\npackage_name_override: {PACKAGE}\n"


def generator_command() -> list[str]:
    """The generator's command, as installed beside this interpreter (a venv's bin/)."""
    beside = Path(sys.executable).with_name("openapi-python-client")
    found = str(beside) if beside.exists() else shutil.which("openapi-python-client")
    if found is None:
        raise RuntimeError("openapi-python-client is importable but its command is not installed")
    return [found]


def generate(schema_text: str, folder: Path) -> types.ModuleType:
    """Generate the client into `folder` and import it; fails on any generator warning."""
    (folder / "schema.yaml").write_text(schema_text, encoding="utf-8")
    (folder / "config.yaml").write_text(CONFIG, encoding="utf-8")
    done = subprocess.run(
        [
            *generator_command(),
            "generate",
            "--path",
            str(folder / "schema.yaml"),
            "--config",
            str(folder / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(folder / PACKAGE),
            "--fail-on-warning",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the client did not generate:\n{done.stdout}\n{done.stderr}")
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    return importlib.import_module(PACKAGE)


def forget(folder: Path) -> None:
    sys.path.remove(str(folder))
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def operation(schema: dict, method: str, path: str) -> tuple[str, dict[str, str]]:
    """The operationId the schema gives `method path`, and the path's parameters."""
    for template, operations in schema["paths"].items():
        pattern = re.sub(r"\\{(\w+)\\}", r"(?P<\1>[^/]+)", re.escape(template))
        matched = re.fullmatch(pattern, path)
        if matched and method.lower() in operations:
            return operations[method.lower()]["operationId"], matched.groupdict()
    raise LookupError(f"the schema has no operation for {method} {path}")


def _kinds(annotation) -> list:
    """The types a parameter takes, without the generator's Unset and None."""
    kinds = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    kinds = kinds or (annotation,)
    return [k for k in kinds if k is not type(None) and getattr(k, "__name__", "") != "Unset"]


def _typed(annotation, values: list[str]):
    """The README's text values as the generated function's type for them."""
    [kind] = _kinds(annotation)
    if typing.get_origin(kind) is list:
        [item] = typing.get_args(kind)
        return [_typed(item, [value]) for value in values]
    [value] = values
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    if kind is dt.date:
        return dt.date.fromisoformat(value)
    if kind is bool:
        return {"true": True, "false": False}[value]
    if kind in (int, float, str):
        return kind(value)
    raise TypeError(f"no reading of {value!r} as {kind!r}")


@dataclass
class Answer:
    status: int
    parsed: Any  # the generated model, for a JSON answer
    raw: httpx.Response | None  # the answer itself, for CSV and JSON-LD


def send(package: types.ModuleType, schema: dict, client, example) -> Answer:
    """Send `example` through the generated operation for it. A JSON answer comes back
    typed; another format (CSV, JSON-LD: the generator types only an operation's first
    media type, JSON) is read raw from the request the generated module builds."""
    operation_id, path_values = operation(schema, example.method, example.path)
    module = importlib.import_module(f"{package.__name__}.api.v1.{operation_id}")
    signature = inspect.signature(module.sync_detailed)
    kwargs: dict[str, Any] = {}
    for name, value in path_values.items():
        kwargs[name] = value
    asked: dict[str, list[str]] = {}
    for name, value in example.query:
        asked.setdefault(name, []).append(value)
    for name, values in asked.items():
        # The generator renames a parameter that shadows a Python name (format -> format_).
        python_name = name if name in signature.parameters else f"{name}_"
        if python_name not in signature.parameters:
            raise AssertionError(
                f"{example.name}: the schema's {operation_id} has no parameter {name!r}"
            )
        kwargs[python_name] = _typed(signature.parameters[python_name].annotation, values)
    if example.body is not None:
        [kind] = _kinds(signature.parameters["body"].annotation)
        kwargs["body"] = kind.from_dict(example.body)
    formats = {example.headers.get("Accept", "application/json"), *asked.get("format", [])}
    if formats <= {"application/json", "json"}:
        if example.headers:
            client = client.with_headers(example.headers)
        answer = module.sync_detailed(client=client, **kwargs)
        return Answer(int(answer.status_code), answer.parsed, None)
    request = module._get_kwargs(**kwargs)
    request["headers"] = {**request.get("headers", {}), **example.headers}
    raw = client.get_httpx_client().request(**request)
    return Answer(raw.status_code, None, raw)
