"""manage.py restore FOLDER: a backup into an empty database, checked against its manifest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core import backups


class Command(BaseCommand):
    help = (
        "Restore the backup in FOLDER into the configured database, which must be empty; "
        "--verify-only checks the dump against its manifest and restores nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="a backup's folder (holds manifest.json)")
        parser.add_argument("--verify-only", action="store_true")

    def handle(self, *args, folder, verify_only=False, **options):
        try:
            if verify_only:
                manifest = backups.verify(folder)
                self.stdout.write(
                    f"{folder}: the dump matches its manifest (record version "
                    f"{manifest['record_version']}, made {manifest['created_at']})"
                )
                return
            manifest = backups.restore(folder)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {folder}: record version {manifest['record_version']}, made "
            f"{manifest['created_at']}; every table's row count matches the manifest"
        )
