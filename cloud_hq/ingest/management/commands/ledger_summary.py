import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cloud_hq.ingest.selectors import ledger_summary
from cloud_hq.stores.models import Store


class Command(BaseCommand):
    help = "Print what HQ holds of a store's ledger, in the shape of the store's ledger_summary."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", required=True, help="store id")

    def handle(self, *args: Any, store: str, **options: Any) -> None:
        found = Store.objects.filter(code=store).first()
        if found is None:
            raise CommandError(f"no store {store!r} is registered")
        self.stdout.write(json.dumps(ledger_summary(store=found), sort_keys=True, default=str))
