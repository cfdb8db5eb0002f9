from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from store_edge.ledger.compaction import ledger_compact
from store_edge.sync.selectors import sync_state


class Command(BaseCommand):
    help = "Archive ledger entries HQ holds that are older than --days (default 90)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--archive-dir", type=Path)

    def handle(self, *args: Any, days: int, archive_dir: Path | None, **options: Any) -> None:
        if days < 1:
            raise CommandError("--days must be at least 1")
        checkpoint = ledger_compact(
            acked_seq=sync_state().acked_seq,
            older_than=timedelta(days=days),
            archive_dir=archive_dir or settings.VAR_DIR / "store" / "ledger-archive",
        )
        if checkpoint is None:
            self.stdout.write("nothing to archive (entries newer, or not yet held by HQ)")
        else:
            self.stdout.write(
                f"archived #{checkpoint.first_seq}-#{checkpoint.last_seq} to {checkpoint.archive}"
            )
