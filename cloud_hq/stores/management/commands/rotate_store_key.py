from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cloud_hq.stores.models import Store
from cloud_hq.stores.services import KeyError_, store_key_rotate


class Command(BaseCommand):
    help = (
        "Issue a new STORE_KEY for a store; its current keys stay valid for --grace-hours "
        "(default 24), so the store switches without downtime."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", required=True, help="store id")
        parser.add_argument("--grace-hours", type=float, default=24.0)

    def handle(self, *args: Any, store: str, grace_hours: float, **options: Any) -> None:
        found = Store.objects.filter(code=store).first()
        if found is None:
            raise CommandError(f"no store {store!r} is registered")
        try:
            key, expiring = store_key_rotate(store=found, grace=timedelta(hours=grace_hours))
        except (KeyError_, OverflowError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"STORE_KEY={key}")
        self.stderr.write(f"{expiring} earlier key(s) stay valid for {grace_hours:g} h")
