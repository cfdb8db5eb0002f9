"""What a store pulls: the newest config version, its manifest and its product pages."""

from __future__ import annotations

from typing import Any

from cloud_hq.publishing.models import ConfigPage, ConfigVersion
from cloud_hq.stores.deliveries import deliveries_stamp, deliveries_wire
from cloud_hq.stores.models import Store


def config_latest() -> ConfigVersion | None:
    return ConfigVersion.objects.order_by("-version").first()


def config_manifest(*, config: ConfigVersion, store: Store) -> dict[str, Any]:
    return {
        "version": config.version,
        "published_at": config.published_at,
        "store": {
            "name": store.name,
            "currency": store.currency,
            "region": store.region,
            "cash_rounding": None if store.cash_rounding is None else str(store.cash_rounding),
        },
        "tax_classes": config.tax_classes,
        "promotions": config.promotions,
        "stores": [
            {"code": code, "name": name}
            for code, name in Store.objects.order_by("code").values_list("code", "name")
        ],
        "deliveries": deliveries_wire(store=store),
        "product_pages": config.product_pages,
        "products_total": config.products_total,
    }


def config_etag(*, config: ConfigVersion, store: Store) -> str:
    """Changes with the version, a delivery announced to the store, or a new store."""
    return f'"v{config.version}-d{deliveries_stamp(store=store)}-s{Store.objects.count()}"'


def config_page(*, version: int, number: int, store: Store) -> dict[str, Any] | None:
    """A page of products with the prices of the books that apply to this store only."""
    page = ConfigPage.objects.filter(config__version=version, number=number).first()
    if page is None:
        return None
    products = []
    for product in page.products:
        prices = [p for p in product.get("prices", []) if _applies(p, store)]
        products.append({**product, "prices": prices})
    return {"version": version, "page": page.number, "products": products}


def _applies(price: dict[str, Any], store: Store) -> bool:
    scope = price["scope"]
    return bool(
        scope == "chain"
        or (scope == "region" and bool(store.region) and price["region"] == store.region)
        or (scope == "store" and price["store"] == store.code)
    )
