import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cloud_hq.catalog.services import catalog_export


class Command(BaseCommand):
    help = "Write HQ's master data as a catalogue file (what import_catalog reads)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, help="the file to write (default: stdout)")

    def handle(self, *args: Any, out: Path | None, **options: Any) -> None:
        text = json.dumps(catalog_export(), indent=1, ensure_ascii=False) + "\n"
        if out is None:
            sys.stdout.write(text)
            return
        try:
            out.write_text(text)
        except OSError as exc:
            raise CommandError(f"{out}: {exc.strerror or exc}") from exc
        self.stdout.write(f"wrote {out}")
