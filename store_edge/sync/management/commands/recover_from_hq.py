from typing import Any

from django.core.management.base import BaseCommand, CommandError

from store_edge.sync.client import HQRefused, HQUnreachable
from store_edge.sync.recovery import RecoveryRefused, ledger_recover
from store_edge.sync.services import config_pull, hq_client


class Command(BaseCommand):
    help = (
        "Take back from HQ what it holds of this store's ledger and this box does not (a new "
        "box, or one restored from an older backup): entries, sales, stock; then go on after "
        "HQ's high-water mark. Run it with the store's processes stopped."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with hq_client() as client:
                version = config_pull(client=client)
                result = ledger_recover(client=client)
        except (HQUnreachable, HQRefused, RecoveryRefused) as exc:
            raise CommandError(f"nothing was recovered: {exc}") from exc
        if version is not None:
            self.stdout.write(f"config v{version} applied")
        self.stdout.write(f"recovered {result.recovered} entries ({result.sales} sales); "
                          f"the ledger continues after #{result.last_seq}")  # fmt: skip
