"""manage.py restore FOLDER: a backup into an empty database, checked against its manifest."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from apps.core import backups

# Far more changes than a day of editing publishes (the benchmarks' whole generated
# history is 200,000): the ids a lost day gave out stay below the restored ones.
SKIP_IDS = 1_000_000


class Command(BaseCommand):
    help = (
        "Restore the backup in FOLDER into the configured database, which must be empty; "
        "--verify-only checks the dump against its manifest and restores nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="a backup's folder (holds manifest.json)")
        parser.add_argument("--verify-only", action="store_true")
        parser.add_argument(
            "--skip-ids",
            type=int,
            default=SKIP_IDS,
            help="move the audit trail's ids this far past the backup's newest (default "
            f"{SKIP_IDS:,}): ids the lost database gave out after the backup, which clients "
            "may hold as cursors, never name a second change",
        )

    def handle(self, *args, folder, verify_only=False, skip_ids=SKIP_IDS, **options):
        if skip_ids < 0:
            raise CommandError("--skip-ids must be 0 or more")
        try:
            if verify_only:
                manifest = backups.verify(folder)
                self.stdout.write(
                    f"{folder}: the dump matches its manifest (record version "
                    f"{manifest['record_version']}, made {manifest['created_at']})"
                )
                return
            manifest = backups.restore(folder, skip_ids=skip_ids)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {folder}: record version {manifest['record_version']}, made "
            f"{manifest['created_at']}; every table's row count matches the manifest; the "
            f"next change id is above {manifest['record_version'] + skip_ids}. Clients whose "
            "cursor is above the record version saw changes that are lost: cut a snapshot "
            "(manage.py snapshot) for them to start again from."
        )
