from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from store_edge.monitoring.backups import BackupError, backup_take


class Command(BaseCommand):
    help = "Back the store's database up online (SQLite's backup API) to BACKUP_DIR or --to."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", type=Path, help="a folder (default: BACKUP_DIR)")

    def handle(self, *args: Any, to: Path | None, **options: Any) -> None:
        try:
            backup = backup_take(to=to)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{backup.path}: up to #{backup.last_seq}, {backup.sales} sales")
