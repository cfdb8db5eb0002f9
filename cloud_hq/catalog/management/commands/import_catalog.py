import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cloud_hq.catalog.catalog_file import CatalogFile, CatalogFileError, catalog_file_parse
from cloud_hq.catalog.services import catalog_diff, catalog_import
from cloud_hq.publishing.services import config_publish

SHOWN = 50


class Command(BaseCommand):
    help = "Import a catalogue file (tax classes and products): all of it or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--publish", action="store_true", help="publish a new config version afterwards"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and show what would change"
        )

    def handle(self, *args: Any, file: Path, publish: bool, dry_run: bool, **options: Any) -> None:
        try:
            document = json.loads(file.read_bytes(), parse_constant=_not_json)
        except OSError as exc:
            raise CommandError(f"{file}: {exc.strerror or exc}") from exc
        # Bad syntax or UTF-8, NaN, a number of 5000 digits (ValueError), deep nesting.
        except (ValueError, RecursionError) as exc:
            raise CommandError(f"{file}: not JSON: {str(exc)[:200]}") from exc
        try:
            catalog = catalog_file_parse(document)
            if dry_run:
                self._dry_run(catalog)
                return
            result = catalog_import(catalog=catalog)
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

    def _dry_run(self, catalog: CatalogFile) -> None:
        """Check the file against what HQ holds (in a transaction rolled back) and list what
        an import would change; nothing is kept."""
        diff = catalog_diff(catalog=catalog)
        with transaction.atomic():
            catalog_import(catalog=catalog)  # raises CatalogFileError on a conflict
            transaction.set_rollback(True)
        self.stdout.write(f"dry run: {len(diff.new)} new, {len(diff.changed)} changed and "
                          f"{diff.unchanged} unchanged products; nothing was imported")  # fmt: skip
        for sku in diff.new[:SHOWN]:
            self.stdout.write(f"  new {sku}")
        for sku, changes in list(diff.changed.items())[:SHOWN]:
            self.stdout.write(f"  {sku}: " + "; ".join(changes))
        hidden = max(len(diff.new) - SHOWN, 0) + max(len(diff.changed) - SHOWN, 0)
        if hidden:
            self.stdout.write(f"  … and {hidden} more")
        self.stdout.write(
            f"promotions: {len(diff.promotions_new)} new, {len(diff.promotions_changed)} "
            f"changed, {len(diff.promotions_withdrawn)} withdrawn, "
            f"{len(diff.promotions_restored)} brought back"
        )
        listed = [
            *(f"  new promotion {code}" for code in diff.promotions_new),
            *(f"  withdrawn {code} (published no more)" for code in diff.promotions_withdrawn),
            *(f"  brought back {code}" for code in diff.promotions_restored),
            *(
                f"  {code}: " + "; ".join(changes)
                for code, changes in diff.promotions_changed.items()
            ),
        ]
        for text in listed[:SHOWN]:
            self.stdout.write(text)
        if len(listed) > SHOWN:
            self.stdout.write(f"  … and {len(listed) - SHOWN} more")


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not a JSON number")
