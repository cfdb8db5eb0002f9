"""What a store pulls: the newest config version, its manifest and its product pages."""

from __future__ import annotations

from typing import Any

from cloud_hq.publishing.models import ConfigPage, ConfigVersion
from cloud_hq.stores.models import Store


def config_latest() -> ConfigVersion | None:
    return ConfigVersion.objects.order_by("-version").first()


def config_manifest(*, config: ConfigVersion, store: Store) -> dict[str, Any]:
    return {
        "version": config.version,
        "published_at": config.published_at,
        "store": {"name": store.name, "currency": store.currency},
        "tax_classes": config.tax_classes,
        "product_pages": config.product_pages,
        "products_total": config.products_total,
    }


def config_page(*, version: int, number: int) -> ConfigPage | None:
    return ConfigPage.objects.filter(config__version=version, number=number).first()
