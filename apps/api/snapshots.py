"""Bulk snapshots of the published record: where a client starts before the changes feed.

A snapshot is a folder `<SNAPSHOTS_DIR>/<UTC time>-v<version>/` with, per resource,
`<resource>.jsonl.gz` (one API representation per line) and `<resource>.csv.gz` (the
API's CSV cells), and `manifest.json` naming the record version it was cut at (the
newest audit id it contains), each file's rows, size and SHA-256, and the `include`
each resource was written with. A client loads it, then follows
`/api/v1/changes/?after=<record_version>`.

The rows are the API's own: each resource's list view builds them (its queryset, its
prefetching, its derivation of obligations as they stand today, its serializer), a
chunk of rows at a time in primary-key order, so memory holds one chunk whatever the
size of the record (bench/web.py measures it). Everything is read in one REPEATABLE
READ transaction: every file, and the version, are of one instant.

The includes are the ones the changes feed keeps current: a row's own children
(identifiers, events, parties, memberships, penalties, effects). Related rows that are
resources of their own (an instrument's obligations) have their own file; citations,
which change outside the feed, are not in snapshots.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.utils.encoders import JSONEncoder

from apps.api import prefetch, views
from apps.api.renderers import _cell
from apps.core.cells import neutralise
from apps.record.models import AppliedChange

FORMAT = "tracker-snapshot/1"
MANIFEST = "manifest.json"
STAMP = "%Y%m%dT%H%M%SZ"
CHUNK = 500


@dataclass(frozen=True)
class Resource:
    name: str
    view: type[views.Resource]
    include: tuple[str, ...]


RESOURCES = (
    Resource("jurisdictions", views.JurisdictionView, ("members",)),
    Resource("instruments", views.InstrumentView, ("identifiers", "events", "parties")),
    Resource("obligations", views.ObligationView, ("penalties",)),
    Resource("amendments", views.AmendmentView, ("effects",)),
)


class Whole:
    """A paginator that hands the view its whole (chunk's) queryset as one page."""

    def paginate_queryset(self, queryset, request, view=None):
        return list(queryset)


def _view(resource: Resource) -> views.Resource:
    """The resource's list view, set up as for `GET ...?include=<its includes>`."""
    query = {"include": ",".join(resource.include)} if resource.include else {}
    request = Request(RequestFactory().get("/", query))
    view = resource.view(action="list", format_kwarg=None, args=(), kwargs={})
    view.request = request
    view.headers = {}
    view._paginator = Whole()  # where GenericAPIView keeps the paginator it builds
    return view


def rows(resource: Resource) -> Iterator[dict]:
    """Every published row of `resource` as the API writes it, a chunk at a time."""
    view = _view(resource)
    model = resource.view.model
    published = model.objects.published().order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        bounds = list(published.filter(pk__gt=last)[:CHUNK])
        if not bounds:
            return
        chunk = view.get_queryset().filter(pk__gt=last, pk__lte=bounds[-1]).order_by("pk")
        page = view.paginate_queryset(view.filter_queryset(chunk))
        # No request: links are built on SITE_URL, as a webhook's payload is.
        context = {**view.get_serializer_context(), "request": None}
        data = view.get_serializer_class()(page, many=True, context=context).data
        # The chunk's model objects go before its rows are written, not with the next one.
        prefetch.release(getattr(view, "attached", []))
        view.__dict__.pop("law", None)
        del page, chunk
        yield from data
        last = bounds[-1]


class _Sink:
    """A gzipped file that counts its rows; its size and SHA-256 are read once it is closed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        self.raw = path.open("wb")
        self.gz = gzip.GzipFile(fileobj=self.raw, mode="wb", compresslevel=6, mtime=0)
        self.text = io.TextIOWrapper(self.gz, encoding="utf-8", newline="")

    def close(self) -> dict:
        self.text.close()
        self.raw.close()
        digest = hashlib.sha256()
        with self.path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return {"rows": self.rows, "bytes": self.path.stat().st_size, "sha256": digest.hexdigest()}


def _write(resource: Resource, folder: Path) -> list[dict]:
    jsonl = _Sink(folder / f"{resource.name}.jsonl.gz")
    table = _Sink(folder / f"{resource.name}.csv.gz")
    writer = csv.writer(table.text, lineterminator="\r\n")
    columns: list[str] | None = None
    for row in rows(resource):
        jsonl.text.write(json.dumps(row, cls=JSONEncoder, ensure_ascii=False) + "\n")
        jsonl.rows += 1
        if columns is None:
            columns = list(row)
            writer.writerow(columns)
        writer.writerow([neutralise(_cell(row.get(name))) for name in columns])
        table.rows += 1
    common = {"resource": resource.name, "include": list(resource.include)}
    return [
        {"name": jsonl.path.name, "format": "jsonl", **common, **jsonl.close()},
        {"name": table.path.name, "format": "csv", **common, **table.close()},
    ]


def cut(folder: Path | str | None = None, now: dt.datetime | None = None) -> Path:
    """Write a snapshot of the published record under `folder`; its path."""
    root = Path(folder or settings.SNAPSHOTS_DIR)
    now = now or dt.datetime.now(dt.UTC)
    partial = root / f".partial-{now.strftime(STAMP)}-{os.getpid()}"  # two runs never share one
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    outer = connection.in_atomic_block
    try:
        with transaction.atomic():
            if not outer:
                _one_instant()
            version = AppliedChange.objects.order_by("-id").values_list("id", flat=True).first()
            files = [entry for resource in RESOURCES for entry in _write(resource, partial)]
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat().replace("+00:00", "Z"),
            "record_version": version or 0,
            "files": files,
        }
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        target = root / f"{now.strftime(STAMP)}-v{manifest['record_version']}"
        partial.rename(target)  # a folder with a manifest is a whole snapshot
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def _one_instant() -> None:
    """Every later read of this transaction sees one instant (a no-op inside an outer
    transaction, as in tests, which already see one state)."""
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def listed(folder: Path | str | None = None) -> list[dict]:
    """The whole snapshots under `folder`, newest first, each its manifest and `id`."""
    root = Path(folder or settings.SNAPSHOTS_DIR)
    found = []
    for child in root.iterdir() if root.is_dir() else []:
        if child.name.startswith("."):
            continue
        try:
            manifest = json.loads((child / MANIFEST).read_text())
        except (OSError, ValueError):
            continue
        if manifest.get("format") == FORMAT:
            found.append({**manifest, "id": child.name})
    return sorted(found, key=lambda m: (m["created_at"], m["id"]), reverse=True)


def prune(folder: Path | str | None = None, keep_days: int | None = None, now=None) -> list[str]:
    """Remove snapshots older than `keep_days`; the newest is always kept."""
    root = Path(folder or settings.SNAPSHOTS_DIR)
    keep_days = settings.SNAPSHOTS_KEEP_DAYS if keep_days is None else keep_days
    now = now or dt.datetime.now(dt.UTC)
    removed = []
    for manifest in listed(root)[1:]:
        made = dt.datetime.fromisoformat(manifest["created_at"])
        if now - made > dt.timedelta(days=keep_days):
            shutil.rmtree(root / manifest["id"])
            removed.append(manifest["id"])
    return removed
