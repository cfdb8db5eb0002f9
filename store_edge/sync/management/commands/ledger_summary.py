import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from store_edge.inventory.selectors import stock_checksum
from store_edge.ledger.selectors import ledger_totals
from store_edge.sales.models import Sale


class Command(BaseCommand):
    help = "Print the store's ledger summary as JSON (compare with HQ's ledger_summary)."

    def handle(self, *args: Any, **options: Any) -> None:
        totals = ledger_totals()
        # Summed in Decimal: SQLite would add the amounts as floats.
        totals_of_sales = Sale.objects.values_list("total", flat=True).iterator(chunk_size=5000)
        count = 0
        sales_total = Decimal("0.00")
        for total in totals_of_sales:
            count += 1
            sales_total += total
        summary = {
            "store_id": settings.STORE_ID,
            "last_seq": totals["last_seq"],
            "entries": totals["entries"],
            "sales": count,
            "sales_total": str(sales_total),
            "stock_checksum": stock_checksum(),
        }
        self.stdout.write(json.dumps(summary, sort_keys=True))
