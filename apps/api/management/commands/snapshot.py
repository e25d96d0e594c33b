"""manage.py snapshot: the bulk snapshot of the published record, now."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from apps.api import snapshots


class Command(BaseCommand):
    help = (
        "Write a bulk snapshot of the published record (JSON Lines and CSV per resource, "
        "gzipped, with a manifest) under SNAPSHOTS_DIR, then prune old ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("--folder", type=Path, help="where snapshots are kept (SNAPSHOTS_DIR)")
        parser.add_argument("--no-prune", action="store_true", help="remove no older snapshot")

    def handle(self, *args, folder=None, no_prune=False, **options):
        made = snapshots.cut(folder)
        removed = [] if no_prune else snapshots.prune(folder)
        manifest = next(m for m in snapshots.listed(made.parent) if m["id"] == made.name)
        for entry in manifest["files"]:
            self.stdout.write(f"  {entry['name']}: {entry['rows']} rows, {entry['bytes']} bytes")
        self.stdout.write(f"snapshot {made} at record version {manifest['record_version']}")
        for name in removed:
            self.stdout.write(f"removed the old snapshot {name}")
