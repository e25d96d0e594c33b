"""Post-processing of the OpenAPI document: the error responses and formats every operation has.

drf-spectacular describes each view's success; the problem+json answers (bad
parameter, no key, wrong scope, unknown id, throttled) and the other formats
(CSV, JSON-LD) are the same everywhere, so they are added here once.
"""

from __future__ import annotations

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
