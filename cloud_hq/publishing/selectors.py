"""What a store pulls: the newest config version, its manifest and its product pages."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from cloud_hq.catalog.prices import book_applies
from cloud_hq.publishing.models import ConfigDelta, ConfigPage, ConfigVersion
from cloud_hq.publishing.prior_prices import prior_prices_wire
from cloud_hq.stores.deliveries import deliveries_stamp, deliveries_wire
from cloud_hq.stores.models import Store


def config_latest() -> ConfigVersion | None:
    return ConfigVersion.objects.order_by("-version").first()


@dataclass(frozen=True)
class DeltaPlan:
    """What a store at `since` needs to reach the version: changed products and removals."""

    since: int
    changed: list[dict[str, Any]]
    removed: list[str]


def delta_plan(*, config: ConfigVersion, since: int | None) -> DeltaPlan | None:
    """The union of the deltas since the store's version, or None: pull the whole snapshot
    (no deltas that far back, or they change most of the catalogue)."""
    if since is None or not 0 < since < config.version:
        return None
    deltas = list(
        ConfigDelta.objects.filter(config__version__gt=since, config__version__lte=config.version)
        .select_related("config")
        .order_by("config__version")
    )
    if len(deltas) != config.version - since:
        return None
    changed: dict[str, dict[str, Any]] = {}
    removed: set[str] = set()
    for delta in deltas:
        for wire in delta.changed:
            changed[wire["sku"]] = wire
            removed.discard(wire["sku"])
        for sku in delta.removed:
            removed.add(sku)
            changed.pop(sku, None)
    if len(changed) + len(removed) > config.products_total * settings.CONFIG_DELTA_MAX_FRACTION:
        return None
    return DeltaPlan(since, [changed[sku] for sku in sorted(changed)], sorted(removed))


def store_profile(*, store: Store, protocol: int) -> dict[str, Any]:
    """The store as HQ publishes it to itself; its country and time zone from protocol 2 on
    (a store of protocol 1 refuses fields it does not know)."""
    profile = {
        "name": store.name,
        "currency": store.currency,
        "region": store.region,
        "cash_rounding": None if store.cash_rounding is None else str(store.cash_rounding),
    }
    if protocol >= 2:
        profile |= {"country": store.country, "time_zone": store.time_zone}
    return profile


def promotions_for(
    *, store: Store, protocol: int, promotions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The published promotions as the store's protocol reads them. Before protocol 2 a
    store reads every window bound as an instant: a local bound (no offset) is sent as the
    instant it is in the store's zone (HQ's when HQ has none for the store); nor does it
    know when a promotion was added."""
    if protocol >= 2:
        return promotions
    zone = ZoneInfo(store.time_zone) if store.time_zone else timezone.get_default_timezone()
    return [
        {
            **{key: value for key, value in p.items() if key != "added"},
            **(
                {bound: _instant(p[bound], zone) for bound in ("starts", "ends")}
                if _local(p)
                else {}
            ),
        }  # fmt: skip
        for p in promotions
    ]


def _local(promotion: dict[str, Any]) -> bool:
    return datetime.fromisoformat(promotion["starts"]).tzinfo is None


def _instant(bound: str, zone: tzinfo) -> str:
    return datetime.fromisoformat(bound).replace(tzinfo=zone).isoformat()


def config_manifest(
    *, config: ConfigVersion, store: Store, plan: DeltaPlan | None = None, protocol: int = 1
) -> dict[str, Any]:
    pages = config.product_pages
    total = config.products_total
    if plan is not None:
        total = len(plan.changed)
        pages = math.ceil(total / settings.CONFIG_PAGE_SIZE)
    return {
        "version": config.version,
        "published_at": config.published_at,
        "store": store_profile(store=store, protocol=protocol),
        "tax_classes": config.tax_classes,
        "promotions": promotions_for(store=store, protocol=protocol, promotions=config.promotions),
        "stores": [
            {"code": code, "name": name}
            for code, name in Store.objects.order_by("code").values_list("code", "name")
        ],
        "deliveries": deliveries_wire(store=store),
        **(
            {"prior_prices": prior_prices_wire(config=config, store=store)} if protocol >= 2 else {}
        ),
        "product_pages": pages,
        "products_total": total,
        "delta_from": plan.since if plan else None,
        "removed": plan.removed if plan else [],
        "catalogue_total": config.products_total,
    }


def config_etag(*, config: ConfigVersion, store: Store, protocol: int = 1) -> str:
    """Changes with the version, a delivery announced to the store, a new store, or a change
    to the store's own profile (its time zone, its cash rounding)."""
    # The whole profile, whatever the protocol: a store of protocol 1 reads local windows
    # as instants in its zone, so its manifest changes with the zone it does not get.
    profile = hashlib.sha256(
        json.dumps(store_profile(store=store, protocol=2), sort_keys=True).encode()
    ).hexdigest()[:8]
    return (
        f'"v{config.version}-d{deliveries_stamp(store=store)}-s{Store.objects.count()}-p{profile}"'
    )


def config_page(
    *, version: int, number: int, store: Store, since: int | None = None
) -> dict[str, Any] | None:
    """A page of products with the prices of the books that apply to this store only: of
    the whole snapshot, or of the changes since the store's version."""
    if since is not None:
        config = ConfigVersion.objects.filter(version=version).first()
        plan = delta_plan(config=config, since=since) if config else None
        if plan is None:
            return None
        size = settings.CONFIG_PAGE_SIZE
        wires = plan.changed[(number - 1) * size : number * size]
        if not wires:
            return None
    else:
        page = ConfigPage.objects.filter(config__version=version, number=number).first()
        if page is None:
            return None
        wires = page.products
    products = []
    for product in wires:
        prices = [p for p in product.get("prices", []) if _applies(p, store)]
        products.append({**product, "prices": prices})
    return {"version": version, "page": number, "products": products}


def _applies(price: dict[str, Any], store: Store) -> bool:
    return book_applies(scope=price["scope"], region=price.get("region", ""),
                        store=price.get("store", ""),
                        to_store=store.code, to_region=store.region)  # fmt: skip
