from typing import Any

from django.core.management.base import BaseCommand

from store_edge.inventory.services import stock_rebuild


class Command(BaseCommand):
    help = "Rebuild stock on hand from the ledger (one transaction)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"rebuilt stock of {stock_rebuild()} SKU(s) from the ledger")
