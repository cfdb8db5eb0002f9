from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cloud_hq.publishing.models import PriorPrice
from cloud_hq.publishing.prior_prices import Reduction
from cloud_hq.publishing.services import config_publish, reductions_check

SHOWN = 50


class Command(BaseCommand):
    help = (
        "Publish the current master data as a new config version for the stores; --check "
        "shows the price reductions it would announce and their flags, publishing nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="list the reductions and their prior 30-day prices; exit 1 if any is flagged",
        )

    def handle(self, *args: Any, check: bool, **options: Any) -> None:
        if check:
            reductions = reductions_check()
            flagged = [r for r in reductions if r.flag]
            self.stdout.write(f"{len(reductions)} reduction(s) would be announced, "
                              f"{len(flagged)} flagged")  # fmt: skip
            for reduction in reductions[:SHOWN]:
                self.stdout.write(_line(reduction))
            if flagged:
                raise CommandError(f"{len(flagged)} reduction(s) need a look before publishing")
            return
        config = config_publish()
        self.stdout.write(
            f"published config v{config.version}: {config.products_total} products "
            f"in {config.product_pages} page(s)"
        )
        count = PriorPrice.objects.filter(config=config).exclude(flag="").count()
        if count:
            self.stderr.write(f"{count} reduction(s) flagged: see the reductions report, or "
                              "publish_config --check")  # fmt: skip


def _line(r: Reduction) -> str:
    reduced = "?" if r.reduced_price is None else str(r.reduced_price)
    prior = "?" if r.prior_price is None else str(r.prior_price)
    starts = timezone.localtime(r.starts).strftime("%Y-%m-%d %H:%M")
    text = f"  {r.store} {r.sku} {r.reference} from {starts}: {reduced}, lowest 30-day {prior}"
    return f"{text} — FLAG: {r.flag}" if r.flag else text
