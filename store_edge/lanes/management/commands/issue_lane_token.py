from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from store_edge.lanes.tokens import lane_token_issue, lane_token_revoke


class Command(BaseCommand):
    help = "Print a new API token for a lane (the lane is created if it is new)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lane", type=int, required=True, help="lane number, 1-999")
        parser.add_argument(
            "--revoke-others", action="store_true", help="revoke the lane's existing tokens first"
        )

    def handle(self, *args: Any, lane: int, revoke_others: bool, **options: Any) -> None:
        if not 1 <= lane <= 999:
            raise CommandError("--lane must be between 1 and 999")
        if revoke_others:
            revoked = lane_token_revoke(lane_number=lane)
            self.stderr.write(f"revoked {revoked} token(s) of lane {lane}")
        _, token = lane_token_issue(lane_number=lane)
        self.stdout.write(token)
