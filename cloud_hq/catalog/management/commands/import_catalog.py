import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cloud_hq.catalog.catalog_file import CatalogFileError, catalog_file_parse
from cloud_hq.catalog.services import catalog_import
from cloud_hq.publishing.services import config_publish


class Command(BaseCommand):
    help = "Import a catalogue file (tax classes and products): all of it or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--publish", action="store_true", help="publish a new config version afterwards"
        )

    def handle(self, *args: Any, file: Path, publish: bool, **options: Any) -> None:
        try:
            document = json.loads(file.read_bytes())
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{file}: not JSON: {exc}") from exc
        try:
            result = catalog_import(catalog=catalog_file_parse(document))
        except CatalogFileError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(
                f"{file}: {len(exc.problems)} problem(s); nothing was imported"
            ) from exc
        self.stdout.write(
            f"imported {result.tax_classes} tax classes, {result.products_created} new and "
            f"{result.products_updated} updated products, {result.barcodes} barcodes, "
            f"{result.groups} groups, {result.promotions} promotions, {result.prices} prices"
        )
        if publish:
            version = config_publish()
            self.stdout.write(f"published config v{version.version}")
