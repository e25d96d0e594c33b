from django.core.management.base import BaseCommand, CommandError

from apps.sources import services
from apps.sources.models import Source


class Command(BaseCommand):
    help = "Check one source now, in this process, and print what happened (for debugging)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("source_id", type=int)

    def handle(self, *args, source_id: int, **options) -> None:
        if not Source.objects.filter(pk=source_id).exists():
            raise CommandError(f"no source with id {source_id}")
        try:
            result = services.check_source(source_id)
        except services.SourceBusy as exc:
            raise CommandError(str(exc)) from None
        source = Source.objects.get(pk=source_id)
        self.stdout.write(
            f"{source.name}: {result.outcome}" + (f" ({result.detail})" if result.detail else "")
        )
        if result.change is not None:
            change = result.change
            self.stdout.write(f"significance {change.significance}: {', '.join(change.reasons)}")
        self.stdout.write(
            f"health: {source.consecutive_failures} failure(s) in a row"
            + (f", last error: {source.last_error}" if source.last_error else "")
        )
