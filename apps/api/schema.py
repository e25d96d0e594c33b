"""Post-processing of the OpenAPI document: the error responses and formats every operation has.

drf-spectacular describes each view's success; the problem+json answers (bad
parameter, no key, wrong scope, unknown id, throttled) and the other formats
(CSV, JSON-LD) are the same everywhere, so they are added here once.
"""

from __future__ import annotations

import re

from drf_spectacular.extensions import OpenApiSerializerExtension

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
# schema.org Legislation as apps.api.renderers.legislation writes it: the keys it always
# writes are required; the others appear when the record holds a value.
LEGISLATION = {
    "type": "object",
    "description": "An instrument as schema.org `Legislation` (JSON-LD), ELI terms for its "
    "relations, as it stood on `legislationDateVersion`.",
    "required": [
        "@context",
        "@type",
        "@id",
        "name",
        "legislationType",
        "legislationJurisdiction",
        "legislationLegalForce",
        "legislationDateVersion",
    ],
    "properties": {
        "@context": {"type": "object"},
        "@type": {"type": "string", "enum": ["Legislation"]},
        "@id": {"type": "string", "format": "uri"},
        "name": {"type": "string"},
        "alternateName": {"type": "string"},
        "inLanguage": {"type": "string"},
        "legislationIdentifier": {"type": "array", "items": {"type": "string"}},
        "legislationType": {"type": "string"},
        "legislationJurisdiction": {"type": "string"},
        "legislationLegalForce": {"type": "string", "format": "uri"},
        "legislationDate": {"type": "string", "format": "date"},
        "legislationDateOfApplicability": {"type": "string", "format": "date"},
        "legislationDateVersion": {"type": "string", "format": "date"},
        "legislationChanges": {"type": "array", "items": {"type": "object"}},
        "eli:is_changed_by": {"type": "array", "items": {"type": "object"}},
        "description": {"type": "string"},
        "sameAs": {"type": "string"},
        "hasPart": {"type": "array", "items": {"type": "object"}},
    },
}
LEGISLATION_LIST = {
    "type": "object",
    "description": "A page of instruments as a schema.org `ItemList` of `Legislation`.",
    "required": ["@context", "@type", "itemListElement"],
    "properties": {
        "@context": {"type": "object"},
        "@type": {"type": "string", "enum": ["ItemList"]},
        "nextItem": {"type": "string", "format": "uri", "nullable": True},
        "itemListElement": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/Legislation"},
        },
    },
}
CSV = {
    "type": "string",
    "description": "CSV (RFC 4180, UTF-8): a header row of the JSON's field names, then one "
    "row per result; nested values as JSON, lists joined with `; `.",
}
# Other shapes of a success, described per operation: their bodies are not the JSON
# schema's objects. What each says in the 200 answer's description, by media type.
FORMAT_TEXTS = {
    "text/csv": "`?format=csv` (or `Accept: text/csv`): CSV.",
    "application/ld+json": "`?format=jsonld` (or `Accept: application/ld+json`): "
    "schema.org Legislation in JSON-LD.",
}


class IncludedFields(OpenApiSerializerExtension):
    """A resource's object with every field `include=` can add, each optional.

    At run time a serializer keeps only the fields its request included
    (apps.api.serializers.Included), so the one the schema generator builds, with no
    request, would have none of them: a generated client would then leave the
    included data untyped."""

    target_class = "apps.api.serializers.Included"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        target = self.target if isinstance(self.target, type) else type(self.target)
        meta = target.Meta
        optional = set(getattr(meta, "optional", ()))
        every = optional | set(getattr(meta, "included_with", {}).values())
        whole = target(context={"include": sorted(every)})
        schema = auto_schema._map_basic_serializer(whole, direction)
        required = [name for name in schema.get("required", []) if name not in optional]
        if required:
            schema["required"] = required
        else:
            schema.pop("required", None)
        return schema


def add_problems(result, generator, request, public):
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM
    components["Legislation"] = LEGISLATION
    components["LegislationList"] = LEGISLATION_LIST
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
                content = response.get("content", {})
                others = [media for media in FORMAT_TEXTS if media in content]
                if "text/csv" in content:
                    content["text/csv"] = {"schema": CSV}
                if "application/ld+json" in content:
                    many = "{" not in path  # a list, not one instrument
                    name = "LegislationList" if many else "Legislation"
                    content["application/ld+json"] = {
                        "schema": {"$ref": f"#/components/schemas/{name}"}
                    }
                if others:
                    told = " ".join(FORMAT_TEXTS[media] for media in others)
                    response["description"] = f"JSON by default. {told}"
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


# What the generic parameters mean, where no view says it: they are the same on every
# operation that has them. An `id` says what names a row of its resource.
GENERIC_PARAMETERS = {
    "page": "The page to answer, from 1; each answer's `next` links the following one.",
    "page_size": "Results per page (at most the server's API_MAX_PAGE_SIZE, 100 by default).",
    "endpoint": "The webhook endpoint's id, as its registration answered it.",
}
IDS = {
    "/api/v1/jurisdictions/": "The jurisdiction's code, e.g. `EU` or `US-CA`.",
    "/api/v1/instruments/": "The instrument's slug, e.g. `eu-ai-act`.",
    "/api/v1/obligations/": "The obligation's id, `<instrument slug>:<key>`, e.g. "
    "`eu-ai-act:article-5-prohibited-practices`.",
    "/api/v1/amendments/": "The amendment's key.",
}
# The objects' descriptions: without these, a serializer's inherited docstring (how it
# drops fields, what class it mirrors) would be shown to clients as the object's meaning.
COMPONENTS = {
    "Jurisdiction": "A country, subnational unit, group or forum, named by its code.",
    "Instrument": "A law, regulation, order or guidance, named by its slug, with its "
    "status derived from its events and amendments (on `as_of` when asked).",
    "Obligation": "A duty an instrument imposes, named `<instrument slug>:<key>`, with its "
    "values as the amendments in effect made them.",
    "Amendment": "What one instrument does to another (amends, repeals, corrects ...), "
    "named by its key; proposed when `effective_on` is null.",
    "Check": "When the row was last checked against its source, and which source.",
    "ApplicableObligation": "One duty in an applicability answer, with its penalties.",
}
FORMAT_NAMES = {
    "json": "JSON (the default)",
    "csv": "CSV",
    "jsonld": "schema.org Legislation in JSON-LD",
}


def describe_parameters(result, generator, request, public):
    """Give every parameter a description (what it means, the values it takes) and the
    record's objects their meaning."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, text in COMPONENTS.items():
        if name in schemas:
            schemas[name]["description"] = text
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("description"):
                    continue
                name = parameter.get("name")
                if name == "format":
                    values = parameter.get("schema", {}).get("enum", [])
                    told = "; ".join(f"`{v}`: {FORMAT_NAMES.get(v, v)}" for v in values)
                    parameter["description"] = f"The answer's format instead of `Accept`: {told}."
                elif name == "id":
                    listing = path.split("{", 1)[0]
                    parameter["description"] = IDS.get(listing, "The row's stable id.")
                elif name in GENERIC_PARAMETERS:
                    parameter["description"] = GENERIC_PARAMETERS[name]
    return result
