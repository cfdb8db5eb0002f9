from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cloud_hq.stores.models import Store
from cloud_hq.stores.services import KeyError_, store_key_revoke


class Command(BaseCommand):
    help = "Refuse a store key at once (the part of STORE_KEY before the dot)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--store", required=True, help="store id")
        parser.add_argument("--key", required=True, help="key id")

    def handle(self, *args: Any, store: str, key: str, **options: Any) -> None:
        found = Store.objects.filter(code=store).first()
        if found is None:
            raise CommandError(f"no store {store!r} is registered")
        try:
            revoked = store_key_revoke(store=found, key_id=key)
        except KeyError_ as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"key {revoked.key_id} of {found.code} revoked at {revoked.revoked_at}")
