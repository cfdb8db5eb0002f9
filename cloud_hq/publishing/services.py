"""Publish the master data as a new, immutable config version."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from cloud_hq.catalog.models import Product, TaxClass
from cloud_hq.publishing.models import ConfigPage, ConfigVersion


def product_wire(product: Product) -> dict[str, Any]:
    return {
        "sku": product.sku,
        "name": product.name,
        "barcodes": [b.code for b in product.barcodes.all()],
        "plu": product.plu,
        "price": str(product.price),
        "tax_class": product.tax_class.code,
        "unit": product.unit,
        "category": product.category.code if product.category else "",
    }


def config_publish(*, attempts: int = 3) -> ConfigVersion:
    """Snapshot tax classes and products into the next config version, in one transaction.

    Two publishers racing for the same number: the loser tries again with the next one.
    """
    for attempt in range(attempts):
        try:
            return _publish()
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _publish() -> ConfigVersion:
    page_size = settings.CONFIG_PAGE_SIZE
    with transaction.atomic():
        # Taking the lock on the newest version serialises two publishers.
        list(ConfigVersion.objects.select_for_update().order_by("-version")[:1])
        version = (ConfigVersion.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        taxes = [
            {"code": t.code, "rate": str(t.rate), "inclusive": t.inclusive}
            for t in TaxClass.objects.order_by("code")
        ]
        config = ConfigVersion.objects.create(
            version=version,
            published_at=timezone.now(),
            tax_classes=taxes,
            products_total=0,
            product_pages=0,
        )
        products = (
            Product.objects.select_related("tax_class", "category")
            .prefetch_related("barcodes")
            .order_by("sku")
        )
        page: list[dict[str, Any]] = []
        number = total = 0
        for product in products.iterator(chunk_size=page_size):
            page.append(product_wire(product))
            if len(page) == page_size:
                number += 1
                ConfigPage.objects.create(config=config, number=number, products=page)
                total += len(page)
                page = []
        if page:
            number += 1
            ConfigPage.objects.create(config=config, number=number, products=page)
            total += len(page)
        config.products_total = total
        config.product_pages = number
        config.save(update_fields=["products_total", "product_pages"])
    return config
