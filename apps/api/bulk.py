"""/api/v1/snapshots/: the bulk snapshots of the published record, listed and served.

A key is required even when anonymous reads are allowed: a snapshot is the whole record
at once, and who took it is worth knowing. Files are served only by the names their
manifest lists; nothing a client sends is joined into a path.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer
from rest_framework.reverse import reverse

from apps.api import snapshots
from apps.api.base import ApiView
from apps.api.models import ApiKey
from apps.api.permissions import HasScope
from apps.api.problems import bad
from apps.api.renderers import LIST_RENDERERS


class KeyRequired(HasScope):
    """The `read` scope, and a key: anonymous reads do not reach snapshots."""

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, ApiKey):
            self.message = "Snapshots need an API key: `Authorization: Bearer <key>`."
            return False
        return super().has_permission(request, view)


class SnapshotFile(serializers.Serializer):
    name = serializers.CharField()
    resource = serializers.ChoiceField(choices=[r.name for r in snapshots.RESOURCES])
    format = serializers.ChoiceField(choices=["jsonl", "csv"])
    include = serializers.ListField(
        child=serializers.CharField(), help_text="The `include=` its rows were written with."
    )
    rows = serializers.IntegerField()
    size = serializers.IntegerField(source="bytes", help_text="Bytes, gzipped.")
    sha256 = serializers.CharField(help_text="Of the gzipped file as served.")
    url = serializers.URLField()


class SnapshotSerializer(serializers.Serializer):
    id = serializers.CharField()
    created_at = serializers.DateTimeField()
    record_version = serializers.IntegerField(
        help_text="The newest change it holds: follow the feed with `after` this."
    )
    changes = serializers.URLField(help_text="The changes feed from this snapshot on.")
    files = SnapshotFile(many=True)


def _only(request, known: set[str]) -> None:
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        takes = ", ".join(sorted(known)) or "no parameters"
        raise bad(unknown[0], f"unknown parameter; this endpoint takes {takes}")


class GzipRenderer(BaseRenderer):
    # Served as a download of bytes (its name ends in .gz): client generators type
    # application/octet-stream as a file and cannot type application/gzip at all.
    media_type = "application/octet-stream"
    format = "gz"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class SnapshotList(ApiView):
    permission_classes = [KeyRequired]
    renderer_classes = LIST_RENDERERS

    def check_parameters(self, request) -> None:
        _only(request, {"format", "page", "page_size"})

    @extend_schema(
        responses=SnapshotSerializer(many=True),
        summary="Bulk snapshots of the published record, newest first",
        description="Load the newest, then follow `changes` (the feed after its "
        "`record_version`) to reach the live record. Each resource comes as JSON Lines "
        "(one API representation per line) and as CSV, gzipped.",
    )
    def get(self, request):
        found = snapshots.listed()
        for manifest in found:
            manifest["changes"] = (
                reverse("api:changes", request=request) + f"?after={manifest['record_version']}"
            )
            for entry in manifest["files"]:
                entry["url"] = reverse(
                    "api:snapshot-file",
                    kwargs={"snapshot": manifest["id"], "name": entry["name"]},
                    request=request,
                )
        page = self.paginate_queryset(found)
        return self.get_paginated_response(SnapshotSerializer(page, many=True).data)


class SnapshotDownload(ApiView):
    permission_classes = [KeyRequired]
    renderer_classes = [GzipRenderer]
    lookup_url_kwarg = "snapshot"

    def check_parameters(self, request) -> None:
        _only(request, set())

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "snapshot", OpenApiTypes.STR, OpenApiParameter.PATH, description="Its `id`."
            ),
            OpenApiParameter(
                "name",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="A file's `name`, as the listing gives it.",
            ),
        ],
        responses={200: OpenApiResponse(OpenApiTypes.BINARY, description="The gzipped file.")},
        summary="One file of a snapshot",
        description="The gzipped file a snapshot's listing names, streamed as it is on "
        "disk; its `sha256` in the listing is also its ETag. Example: "
        "`/api/v1/snapshots/20261207T003000Z-v200252/instruments.jsonl.gz`.",
    )
    def get(self, request, snapshot: str, name: str):
        manifest = next((m for m in snapshots.listed() if m["id"] == snapshot), None)
        entry = next((f for f in (manifest or {}).get("files", []) if f["name"] == name), None)
        if entry is None:
            raise Http404(f"No snapshot {snapshot!r} holds a file {name!r}.")
        path = Path(settings.SNAPSHOTS_DIR) / manifest["id"] / entry["name"]
        response = FileResponse(path.open("rb"), content_type=GzipRenderer.media_type)
        response["Content-Length"] = str(entry["bytes"])
        response["Content-Disposition"] = f'attachment; filename="{snapshot}-{name}"'
        response["ETag"] = f'"{entry["sha256"]}"'
        return response
