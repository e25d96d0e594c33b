"""Other shapes of the same data: CSV for every list, schema.org JSON-LD for an instrument."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.utils import timezone
from rest_framework.renderers import BaseRenderer, JSONRenderer

from apps.api.serializers import canonical
from apps.core.cells import neutralise


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data.get("results", data) if isinstance(data, dict) else data
        if isinstance(rows, dict):
            rows = [rows]
        columns: list[str] = []
        for row in rows:
            columns.extend(k for k in row if k not in columns)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([neutralise(_cell(row.get(name))) for name in columns])
        response = (renderer_context or {}).get("response")
        if response is not None and isinstance(data, dict) and data.get("next"):
            response["Link"] = f'<{data["next"]}>; rel="next"'
        return out.getvalue().encode(self.charset)


# --- schema.org Legislation -------------------------------------------------
ELI = "http://data.europa.eu/eli/ontology#"
# What the amendment kinds are in the ELI ontology, where it has a term.
ELI_TERMS = {
    "amends": "eli:changes",
    "corrects": "eli:corrects",
    "repeals": "eli:repeals",
    "implements": "eli:transposes",
}
FORCE = {
    "in_force": "https://schema.org/InForce",
    "partly_applicable": "https://schema.org/PartiallyInForce",
}
DATED = ("adopted", "signed", "published")


def _event(events: list[dict], kinds: tuple[str, ...]) -> str | None:
    dates = [e["date"] for e in events if e["kind"] in kinds]
    return min(dates) if dates else None


def _in_effect(amendments: list[dict], day: str) -> list[dict]:
    """The amendments that had changed the law by `day`: not proposed ones, not later ones."""
    return [a for a in amendments if a.get("effective_on") and a["effective_on"] <= day]


def _part(obligation: dict[str, Any]) -> dict[str, Any]:
    """An obligation as a part of its Legislation, with its values as they stand."""
    part = {
        "@type": "Legislation",
        "@id": obligation["url"],
        "name": obligation["provision"],
        "text": obligation["requirement"],
        "legislationDateOfApplicability": obligation["applies_from"],
        "expires": obligation["applies_until"],
        "audience": {"@type": "Audience", "audienceType": obligation["addressee"]},
    }
    return {k: v for k, v in part.items() if v not in (None, "")}


def legislation(item: dict[str, Any], link) -> dict[str, Any]:
    """An instrument as schema.org `Legislation`, with ELI terms for its relations, as
    it stood on its `as_of` day (today without one): the amendments in effect by then,
    and its obligations (`hasPart`) as those amendments made them.

    `link` turns an instrument's id into its URL.
    """
    events = item.get("events", [])
    day = item.get("as_of") or timezone.localdate().isoformat()
    amendments = item.get("amendments", {"incoming": [], "outgoing": []})
    amendments = {way: _in_effect(rows, day) for way, rows in amendments.items()}
    identifiers = item.get("identifiers", [])
    eli = next((i["value"] for i in identifiers if i["scheme"] == "eli"), None)
    doc: dict[str, Any] = {
        "@context": {"@vocab": "https://schema.org/", "eli": ELI},
        "@type": "Legislation",
        "@id": item["url"],
        "name": item["title"],
        "legislationIdentifier": [f"{i['scheme']}:{i['value']}" for i in identifiers],
        "legislationType": item["kind"],
        "legislationJurisdiction": item["jurisdiction"],
        "legislationLegalForce": FORCE.get(item["status"], "https://schema.org/NotInForce"),
        "legislationDate": _event(events, DATED),
        "legislationDateOfApplicability": _event(events, ("applies_from", "entered_into_force")),
        "legislationChanges": [
            {
                "@id": link(a["target_instrument"]),
                "eli:relation": ELI_TERMS.get(a["kind"], a["kind"]),
            }
            for a in amendments["outgoing"]
            if a.get("target_instrument")
        ],
        "eli:is_changed_by": [
            {"@id": link(a["source_instrument"])}
            for a in amendments["incoming"]
            if a["kind"] in ELI_TERMS and a.get("source_instrument")
        ],
        "description": item["summary"],
        "legislationDateVersion": day,
        "hasPart": [_part(o) for o in item.get("obligations", [])],
    }
    if item.get("original_title"):
        doc["alternateName"] = item["original_title"]
        doc["inLanguage"] = item["original_language"]
    if eli:
        doc["sameAs"] = eli
    return {k: v for k, v in doc.items() if v not in (None, "", [])}


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        request = (renderer_context or {}).get("request")

        def link(slug: str) -> str:
            return canonical("api:instrument-detail", slug, request)

        if isinstance(data, dict) and "url" in data and "title" in data:
            data = legislation(data, link)
        elif isinstance(data, dict) and isinstance(data.get("results"), list):
            data = {
                "@context": {"@vocab": "https://schema.org/", "eli": ELI},
                "@type": "ItemList",
                "nextItem": data.get("next"),
                "itemListElement": [legislation(item, link) for item in data["results"]],
            }
        return super().render(data, accepted_media_type, renderer_context)


LIST_RENDERERS = [JSONRenderer, CSVRenderer]
INSTRUMENT_RENDERERS = [JSONRenderer, CSVRenderer, JSONLDRenderer]
