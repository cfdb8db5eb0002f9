from typing import Any

from django.core.management.base import BaseCommand

from cloud_hq.publishing.services import config_publish


class Command(BaseCommand):
    help = "Publish the current master data as a new config version for the stores."

    def handle(self, *args: Any, **options: Any) -> None:
        config = config_publish()
        self.stdout.write(
            f"published config v{config.version}: {config.products_total} products "
            f"in {config.product_pages} page(s)"
        )
