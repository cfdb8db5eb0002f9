from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from store_edge.sync import services
from store_edge.sync.client import HQRefused, HQUnreachable


class Command(BaseCommand):
    help = "Pull config from HQ and push the ledger to HQ now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--push-only", action="store_true")
        parser.add_argument("--pull-only", action="store_true")

    def handle(self, *args: Any, push_only: bool, pull_only: bool, **options: Any) -> None:
        try:
            with services.hq_client() as client:
                if not push_only:
                    version = services.config_pull(client=client)
                    self.stdout.write(
                        f"config v{version} applied" if version else "config is current"
                    )
                if not pull_only:
                    result = services.ledger_push(client=client)
                    self.stdout.write(
                        f"pushed {result.sent} entries; HQ holds up to #{result.acked_seq}; "
                        f"{result.pending} pending"
                    )
        except (HQUnreachable, HQRefused, services.ConfigRejected) as exc:
            raise CommandError(str(exc)) from exc
