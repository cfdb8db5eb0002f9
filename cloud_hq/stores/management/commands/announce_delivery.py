import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cloud_hq.catalog.catalog_file import CatalogFileError
from cloud_hq.stores.deliveries import delivery_announce


class Command(BaseCommand):
    help = (
        "Announce a delivery to a store from a JSON file: "
        '{"store": "S0001", "reference": "DN-1", "supplier": "…", "lines": '
        '[{"sku": "100001", "quantity": "24"}]}'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            document = json.loads(file.read_bytes())
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: not JSON: {exc}") from exc
        try:
            delivery = delivery_announce(document=document)
        except CatalogFileError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{file}: nothing was announced") from exc
        self.stdout.write(f"announced {delivery.reference} to {delivery.store_id}")
