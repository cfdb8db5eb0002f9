from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cloud_hq.reporting.rebuild import RebuildRefused, summaries_rebuild
from cloud_hq.stores.models import Store


class Command(BaseCommand):
    help = "Recompute the report summaries from the sales, ledger and counts HQ holds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", action="append", default=[], help="only this store")

    def handle(self, *args: Any, **options: Any) -> None:
        stores: list[str] = options["store"]
        unknown = set(stores) - set(
            Store.objects.filter(code__in=stores).values_list("code", flat=True)
        )
        if unknown:
            raise CommandError(f"no such store: {', '.join(sorted(unknown))}")
        try:
            written = summaries_rebuild(stores=stores or None)
        except RebuildRefused as exc:
            raise CommandError(str(exc)) from exc
        for table, rows in written.items():
            self.stdout.write(f"{table}: {rows} rows")
