from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.dataset.loader import Loader, SeedError


class Command(BaseCommand):
    help = "Load the curated seed dataset (data/seed) idempotently, in one transaction."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--folder", type=Path, default=settings.BASE_DIR / "data" / "seed")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load only into a database that holds no instrument yet (first run).",
        )

    def handle(self, *args, folder: Path, verbosity: int, if_empty: bool, **options) -> None:
        from apps.instruments.models import Instrument

        if if_empty and Instrument.objects.exists():
            self.stdout.write("seed not loaded: the record already has instruments")
            return
        loader = Loader(folder, progress=self.stdout.write if verbosity else lambda _: None)
        try:
            counts = loader.load()
        except SeedError as exc:
            raise CommandError(str(exc)) from None
        totals = {"inserted": 0, "updated": 0, "unchanged": 0, "deleted": 0}
        for name in sorted(counts):
            row = counts[name]
            for k in totals:
                totals[k] += row[k]
            if verbosity > 1:
                self.stdout.write(
                    f"  {name}: {row['inserted']} inserted, {row['updated']} updated, "
                    f"{row['unchanged']} unchanged, {row['deleted']} deleted"
                )
        self.stdout.write(
            self.style.SUCCESS(
                f"seed loaded: {totals['inserted']} inserted, {totals['updated']} updated, "
                f"{totals['unchanged']} unchanged, {totals['deleted']} deleted"
            )
        )
