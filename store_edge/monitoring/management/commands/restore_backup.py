from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from store_edge.monitoring.backups import BackupError, backup_check, backup_restore


class Command(BaseCommand):
    help = (
        "Put a backup in place of the store's database. Stop the store's web, worker, beat "
        "and gateway first; the database it replaces is kept next to it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path)
        parser.add_argument("--yes", action="store_true", help="the store's processes are stopped")

    def handle(self, *args: Any, backup: Path, yes: bool, **options: Any) -> None:
        try:
            found = backup_check(backup)
            if not yes:
                raise CommandError(
                    f"{backup} holds the ledger up to #{found.last_seq} and {found.sales} sales. "
                    "Stop the store's processes, then run again with --yes."
                )
            restored = backup_restore(backup)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"restored: the ledger up to #{restored.last_seq}, "
                          f"{restored.sales} sales")  # fmt: skip
