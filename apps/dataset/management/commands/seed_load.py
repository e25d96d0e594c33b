from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
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
        parser.add_argument(
            "--as-case",
            action="store_true",
            help="Write no curated row: open one case proposing the seed's differences from "
            "the live record, for editors to review (for a record editors already curate).",
        )
        parser.add_argument(
            "--user",
            default="",
            help="With --as-case: the username recorded as the case's opener.",
        )

    def handle(
        self,
        *args,
        folder: Path,
        verbosity: int,
        if_empty: bool,
        as_case: bool,
        user: str,
        **options,
    ) -> None:
        from apps.instruments.models import Instrument

        if if_empty and Instrument.objects.exists():
            self.stdout.write("seed not loaded: the record already has instruments")
            return
        progress = self.stdout.write if verbosity else lambda _: None
        if as_case:
            self._as_case(folder, user, progress)
            return
        loader = Loader(folder, progress=progress)
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

    def _as_case(self, folder: Path, username: str, progress) -> None:
        from apps.dataset.as_case import propose_seed_case

        opener = None
        if username:
            opener = get_user_model().objects.filter(username=username).first()
            if opener is None:
                raise CommandError(f"no user {username!r}")
        try:
            outcome = propose_seed_case(folder, opened_by=opener, progress=progress)
        except SeedError as exc:
            raise CommandError(str(exc)) from None
        added = f"{outcome.citations_added} citation(s) added"
        if outcome.case is None:
            self.stdout.write(f"the record already agrees with the seed: no case opened; {added}")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"case #{outcome.case.pk} opened: {outcome.created} new and {outcome.updated} "
                f"changed row(s) proposed; no curated row was written; {added}"
            )
        )
