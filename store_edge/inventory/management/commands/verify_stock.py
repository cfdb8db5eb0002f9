from typing import Any

from django.core.management.base import BaseCommand, CommandError

from store_edge.inventory.selectors import stock_differences


class Command(BaseCommand):
    help = "Recompute stock from the ledger and report every SKU where the projection differs."

    def handle(self, *args: Any, **options: Any) -> None:
        differences = stock_differences()
        for sku, held, truth in differences:
            self.stdout.write(f"{sku}: projection {held}, ledger {truth}")
        if differences:
            raise CommandError(
                f"{len(differences)} SKU(s) differ: run rebuild_stock to rebuild the projection"
            )
        self.stdout.write("stock verified: the projection matches the ledger")
