"""manage.py backup: a consistent, compressed dump of the database with its manifest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core import backups


class Command(BaseCommand):
    help = (
        "Write a backup (pg_dump custom format + manifest.json) into a new folder under "
        "--folder (BACKUP_DIR), then remove backups older than --keep-days (BACKUP_KEEP_DAYS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--folder", type=Path, help="where backups are kept (BACKUP_DIR)")
        parser.add_argument(
            "--keep-days",
            type=int,
            help="remove older backups (BACKUP_KEEP_DAYS); the newest stays",
        )
        parser.add_argument("--no-prune", action="store_true", help="remove no older backup")

    def handle(self, *args, folder=None, keep_days=None, no_prune=False, **options):
        if keep_days is not None and keep_days < 1:
            raise CommandError("--keep-days must be at least 1")
        try:
            made = backups.backup(folder)
            manifest = backups.read_manifest(made)
            removed = [] if no_prune else backups.prune(folder, keep_days)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"backup written to {made} ({manifest['dump']['bytes']} bytes, record version "
            f"{manifest['record_version']}, sha256 {manifest['dump']['sha256'][:12]}…)"
        )
        for path in removed:
            self.stdout.write(f"removed the old backup {path}")
