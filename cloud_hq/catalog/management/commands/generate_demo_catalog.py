import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cloud_hq.catalog.demo_catalog import demo_catalog


class Command(BaseCommand):
    help = "Write a realistic grocery catalogue file (valid EAN-13s, produce under PLUs)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--products", type=int, default=5000)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args: Any, products: int, out: Path, **options: Any) -> None:
        if not 1 <= products <= 1_000_000:
            raise CommandError("--products must be between 1 and 1000000")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(demo_catalog(products=products), indent=1))
        self.stdout.write(f"wrote {products} products to {out}")
