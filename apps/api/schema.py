"""Post-processing of the OpenAPI document: the error responses and formats every operation has.

drf-spectacular describes each view's success; the problem+json answers (bad
parameter, no key, wrong scope, unknown id, throttled) and the other formats
(CSV, JSON-LD) are the same everywhere, so they are added here once.
"""

from __future__ import annotations

import re

from apps.instruments.models import Scheme
from apps.reading.compare import MAX_COMPARED, MIN_COMPARED

PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"parameter": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
ERRORS = {
    "400": "A parameter cannot be read; `errors` names each one.",
    "401": "No API key, or an unknown, revoked or expired one.",
    "403": "The key lacks the scope this operation needs.",
    "404": "Nothing is published under this id or path.",
    "406": "The requested format is not offered here.",
    "429": "Too many requests; retry after the `Retry-After` header's seconds.",
}
# Other shapes of a success: their bodies are not the JSON schema's objects.
OTHER_FORMATS = {"text/csv": {"type": "string"}, "application/ld+json": {"type": "object"}}


def add_problems(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM
    reference = {"$ref": "#/components/schemas/Problem"}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": reference}},
                    },
                )
            for response in responses.values():
                for media_type, schema in OTHER_FORMATS.items():
                    if media_type in response.get("content", {}):
                        response["content"][media_type] = {"schema": schema}
    return result


def _alternatives(values) -> str:
    return "|".join(re.escape(v) for v in values)


def tighten_parameters(result, generator, request, public):
    """Say in the schema what the server refuses, so that a generated client refuses it
    too: each resource's `include` names, `identifier`'s scheme:value form, compare's
    two to five codes, and no field a webhook body does not know."""
    includes = {}
    for path, _regex, _method, view in getattr(generator, "endpoints", None) or []:
        names = getattr(getattr(view, "cls", None), "includes", ())
        if names:
            includes[path] = names
    low, high = MIN_COMPARED, MAX_COMPARED
    shapes = {
        "identifier": {"type": "string", "pattern": rf"^({_alternatives(Scheme.values)}):\S.*$"},
        "jurisdictions": {"type": "string", "pattern": rf"^[^,]+(,[^,]+){{{low - 1},{high - 1}}}$"},
    }
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                name = parameter.get("name")
                if name == "include" and path in includes:
                    one = _alternatives(includes[path])
                    parameter["schema"] = {"type": "string", "pattern": f"^({one})(,({one}))*$"}
                    parameter["description"] = (
                        "Comma-separated related data to embed: " + ", ".join(includes[path])
                    )
                elif name in shapes and parameter.get("in") == "query":
                    parameter["schema"] = {**parameter.get("schema", {}), **shapes[name]}
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        if name == "NewEndpointRequest":
            schema["additionalProperties"] = False
    return result
