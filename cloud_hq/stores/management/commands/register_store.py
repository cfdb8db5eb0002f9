from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cloud_hq.stores.services import StoreRegistrationError, store_key_issue, store_register


class Command(BaseCommand):
    help = "Register a store and print its STORE_ID and STORE_KEY for the store's environment."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--code", help="store id (default: the next S0001-style id)")
        parser.add_argument("--currency", help="ISO 4217 code (default: DEFAULT_CURRENCY)")
        parser.add_argument("--region", default="", help="for regional price books")
        parser.add_argument(
            "--cash-rounding", type=Decimal, help="round cash totals to this, e.g. 0.05"
        )
        parser.add_argument(
            "--country", default="", help="ISO 3166 code (de, us): its price/weight labels"
        )
        parser.add_argument(
            "--time-zone", default="", help="IANA zone (Europe/Berlin): its happy hours"
        )

    def handle(
        self,
        *args: Any,
        name: str,
        code: str | None,
        currency: str | None,
        region: str,
        cash_rounding: Decimal | None,
        country: str,
        time_zone: str,
        **options: Any,
    ) -> None:
        try:
            store = store_register(
                name=name,
                code=code,
                currency=currency,
                region=region,
                cash_rounding=cash_rounding,
                country=country,
                time_zone=time_zone,
            )
        except StoreRegistrationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"STORE_ID={store.code}")
        self.stdout.write(f"STORE_KEY={store_key_issue(store=store)}")
