"""Publish the master data as a new, immutable config version."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from cloud_hq.catalog.models import (
    LOCAL_WINDOW_SLACK,
    PriceEntry,
    Product,
    ProductGroup,
    Promotion,
    TaxClass,
)
from cloud_hq.publishing.models import (
    ConfigDelta,
    ConfigPage,
    ConfigVersion,
    ScheduledPublication,
)
from cloud_hq.publishing.prior_prices import (
    Reduction,
    price_history_record,
    prior_prices_record,
    reductions_of,
)
from cloud_hq.stores.models import Store


def product_wire(product: Product, prices: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "sku": product.sku,
        "name": product.name,
        "barcodes": [b.code for b in product.barcodes.all()],
        "plu": product.plu,
        "price": str(product.price),
        "tax_class": product.tax_class.code,
        "unit": product.unit,
        "category": product.category.code if product.category else "",
        "prices": prices,  # every book's; each store is sent the ones that apply to it
    }


def promotions_wire(*, now: datetime) -> list[dict[str, Any]]:
    """The promotions not yet over nor withdrawn, their groups resolved into SKUs and
    categories."""
    groups = {g.code: g for g in ProductGroup.objects.all()}
    wire = []
    live = Q(local_window=False, ends__gt=now) | Q(
        local_window=True, ends__gt=now - LOCAL_WINDOW_SLACK
    )  # a local window is over in every store only once its last zone's clock is past it
    for promotion in Promotion.objects.filter(live).order_by("code"):
        definition = dict(promotion.definition)
        if definition.pop("active", True) is False:  # withdrawn: published no more
            continue
        skus, categories = set(definition.get("skus", [])), set(definition.get("categories", []))
        pending, seen = list(definition.pop("groups", [])), set()
        while pending:
            code = pending.pop()
            if code in seen or code not in groups:
                continue
            seen.add(code)
            skus.update(groups[code].skus)
            categories.update(groups[code].categories)
            pending.extend(groups[code].groups)
        definition["skus"], definition["categories"] = sorted(skus), sorted(categories)
        definition["added"] = promotion.added_at.isoformat()
        wire.append(definition)
    return wire


def _prices_by_sku() -> dict[str, list[dict[str, Any]]]:
    prices: dict[str, list[dict[str, Any]]] = defaultdict(list)
    entries = PriceEntry.objects.select_related("book").order_by("sku", "book__code", "starts")
    for entry in entries.iterator(chunk_size=5000):
        prices[entry.sku].append(
            {
                "price": str(entry.price),
                "scope": entry.book.scope,
                "region": entry.book.region,
                "store": entry.book.store,
                "starts": entry.starts.isoformat() if entry.starts else None,
                "ends": entry.ends.isoformat() if entry.ends else None,
            }
        )
    return prices


def config_publish(*, attempts: int = 3) -> ConfigVersion:
    """Snapshot tax classes and products into the next config version, in one transaction.

    Two publishers racing for the same number: the loser tries again with the next one.
    """
    for attempt in range(attempts):
        try:
            return _publish()[0]
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


def _publish(*, dry_run: bool = False) -> tuple[ConfigVersion, list[Reduction]]:
    page_size = settings.CONFIG_PAGE_SIZE
    with transaction.atomic():
        # Taking the lock on the newest version serialises two publishers.
        list(ConfigVersion.objects.select_for_update().order_by("-version")[:1])
        version = (ConfigVersion.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        taxes = [
            {"code": t.code, "rate": t.rate_text, "inclusive": t.inclusive}
            for t in TaxClass.objects.order_by("code")
        ]
        now = timezone.now()
        prices = _prices_by_sku()
        config = ConfigVersion.objects.create(
            version=version,
            published_at=now,
            tax_classes=taxes,
            promotions=promotions_wire(now=now),
            products_total=0,
            product_pages=0,
        )
        products = (
            Product.objects.select_related("tax_class", "category")
            .prefetch_related("barcodes")
            .order_by("sku")
        )
        page: list[dict[str, Any]] = []
        bases: dict[str, str] = {}
        number = total = 0
        for product in products.iterator(chunk_size=page_size):
            page.append(product_wire(product, prices.get(product.sku, [])))
            bases[product.sku] = page[-1]["price"]
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
        _delta_record(config)
        price_history_record(config=config, bases=bases, prices=prices)
        reductions = reductions_of(now=now, bases=bases, prices=prices,
                                   promotions=config.promotions,
                                   stores=list(Store.objects.order_by("code")))  # fmt: skip
        prior_prices_record(config=config, reductions=reductions)
        if dry_run:
            raise _DryRun(config, reductions)
    return config, reductions


def reductions_check() -> list[Reduction]:
    """The reductions a publish now would announce, with their prior prices and flags,
    publishing nothing (the publish is rolled back)."""
    try:
        _publish(dry_run=True)
    except _DryRun as done:
        return done.result[1]
    raise AssertionError("a dry run always rolls back")


class _DryRun(Exception):
    def __init__(self, config: ConfigVersion, reductions: list[Reduction]) -> None:
        self.result = (config, reductions)


def _wire_hash(wire: dict[str, Any]) -> str:
    canonical = json.dumps(wire, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode(), digest_size=12).hexdigest()


def _wires(version: int) -> Iterator[dict[str, Any]]:
    pages = ConfigPage.objects.filter(config__version=version).order_by("number")
    for page in pages.iterator(chunk_size=4):
        yield from page.products


def _delta_record(config: ConfigVersion) -> None:
    """Record what this version changed from the previous one, unless that is most of the
    catalogue (then a store behind pulls the whole snapshot)."""
    previous = config.version - 1
    if not ConfigVersion.objects.filter(version=previous).exists():
        return
    before = {wire["sku"]: _wire_hash(wire) for wire in _wires(previous)}
    limit = max(1, int(config.products_total * settings.CONFIG_DELTA_MAX_FRACTION))
    changed: list[dict[str, Any]] = []
    seen: set[str] = set()
    for wire in _wires(config.version):
        seen.add(wire["sku"])
        if before.get(wire["sku"]) != _wire_hash(wire):
            changed.append(wire)
            if len(changed) > limit:
                return
    removed = sorted(set(before) - seen)
    if len(changed) + len(removed) <= limit:
        ConfigDelta.objects.create(
            config=config, from_version=previous, changed=changed, removed=removed
        )


def scheduled_publish(*, now: datetime | None = None) -> list[int]:
    """Publish once for the scheduled publications that are due (however many), marking
    them done in the same transaction; a second beat or worker finds nothing left."""
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            ScheduledPublication.objects.select_for_update(skip_locked=True).filter(
                published_at=None, publish_at__lte=now
            )
        )
        if not due:
            return []
        version, _ = _publish()
        ScheduledPublication.objects.filter(id__in=[d.id for d in due]).update(
            published=version, published_at=now
        )
    return [version.version]
