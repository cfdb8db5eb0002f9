"""Apply a config version from HQ to the catalogue replica, atomically and only forwards."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from devices.barcodes import normalize_gtin
from store_edge.catalog.models import (
    Barcode,
    ConfigState,
    KnownStore,
    PriceEntry,
    PriorPrice,
    Product,
    Promotion,
    TaxClass,
)

logger = logging.getLogger(__name__)


class StaleConfig(Exception):
    """The offered config version is not newer than the one in force."""


@dataclass(frozen=True)
class TaxClassData:
    code: str
    rate: Decimal
    inclusive: bool


@dataclass(frozen=True)
class PriceData:
    price: Decimal
    scope: str
    starts: datetime | None = None
    ends: datetime | None = None


@dataclass(frozen=True)
class ProductData:
    sku: str
    name: str
    price: Decimal
    unit: str
    tax_class: str
    category: str
    plu: str
    barcodes: tuple[str, ...]
    prices: tuple[PriceData, ...] = ()


@dataclass(frozen=True)
class ConfigSnapshot:
    version: int
    published_at: datetime
    store_name: str
    currency: str
    tax_classes: tuple[TaxClassData, ...]
    promotions: tuple[dict[str, Any], ...] = ()  # as published (PromotionWire, JSON mode)
    region: str = ""
    cash_rounding: Decimal | None = None
    country: str = ""  # empty: not set at HQ, the store's STORE_COUNTRY holds
    time_zone: str = ""  # empty: not set at HQ, the store's TIME_ZONE holds
    prior_prices: tuple[PriorPriceData, ...] = ()


@dataclass(frozen=True)
class PriorPriceData:
    sku: str
    reference: str
    starts: datetime
    ends: datetime | None
    price: Decimal


def catalog_apply(
    *,
    snapshot: ConfigSnapshot,
    products: Iterable[ProductData],
    batch_size: int = 2000,
    delta_from: int | None = None,
    removed: Iterable[str] = (),
    catalogue_total: int | None = None,
) -> None:
    """Apply a config version in one transaction, or change nothing: the whole catalogue
    (a snapshot), or the products changed and removed since `delta_from` (a delta), which
    must be the version in force. `catalogue_total`, when given, is checked at the end."""
    with transaction.atomic():
        state, _ = ConfigState.objects.select_for_update().get_or_create(id=1)
        if snapshot.version <= state.version:
            raise StaleConfig(
                f"config v{snapshot.version} is not newer than v{state.version} in force"
            )
        if delta_from is not None and delta_from != state.version:
            raise StaleConfig(f"a delta from v{delta_from} does not apply to v{state.version}")
        products = list(products) if delta_from is not None else products
        if delta_from is None:
            PriceEntry.objects.all().delete()
            Barcode.objects.all().delete()
            Product.objects.all().delete()
        else:
            changed = [p.sku for p in products]
            _products_delete([*removed, *changed])
        Promotion.objects.all().delete()
        Promotion.objects.bulk_create(
            Promotion(
                code=p["code"],
                name=p["name"],
                kind=p["kind"],
                ends=_instant(p["ends"], snapshot.time_zone),
                definition=p,
            )
            for p in snapshot.promotions
        )
        tax_ids = _tax_classes_apply(snapshot.tax_classes)
        product_rows: list[tuple[Any, ...]] = []
        codes: list[tuple[str, str]] = []
        prices: list[tuple[str, PriceData]] = []
        for product in products:
            product_rows.append(
                (product.sku, product.name, product.price, product.unit,
                 tax_ids[product.tax_class], product.category, product.plu)
            )  # fmt: skip
            codes.extend((product.sku, code) for code in product.barcodes)
            prices.extend((product.sku, price) for price in product.prices)
            if len(product_rows) >= batch_size:
                _insert(product_rows, codes, prices)
                product_rows, codes, prices = [], [], []
        _insert(product_rows, codes, prices)
        if catalogue_total is not None and Product.objects.count() != catalogue_total:
            raise StaleConfig(
                f"v{snapshot.version} should hold {catalogue_total} products, "
                f"{Product.objects.count()} after applying it"
            )
        _prior_prices_set(snapshot.prior_prices, compare=False)
        state.version = snapshot.version
        state.published_at = snapshot.published_at
        state.applied_at = timezone.now()
        _profile_set(state, snapshot)
        state.save()
    logger.info("config v%s applied", snapshot.version)


def _instant(bound: str, zone_name: str) -> datetime:
    """A published window bound as an instant: a local one (no offset) by the store's clock
    (HQ's zone for it, else TIME_ZONE), as the engine reads it."""
    moment = datetime.fromisoformat(bound)
    if moment.tzinfo is not None:
        return moment
    zone: tzinfo = timezone.get_default_timezone()
    if zone_name:
        with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo(zone_name)
    return moment.replace(tzinfo=zone)


PROFILE_FIELDS = ("store_name", "currency", "region", "cash_rounding", "country", "time_zone")


def _profile_set(state: ConfigState, snapshot: ConfigSnapshot) -> bool:
    changed = False
    for field in PROFILE_FIELDS:
        value = getattr(snapshot, field)
        if getattr(state, field) != value:
            setattr(state, field, value)
            changed = True
    if changed and snapshot.time_zone and snapshot.time_zone != settings.TIME_ZONE:
        logger.warning(
            "HQ places this store in %s: its prices follow that zone, but receipts and the "
            "admin show TIME_ZONE=%s; set TIME_ZONE=%s",
            snapshot.time_zone, settings.TIME_ZONE, snapshot.time_zone,
        )  # fmt: skip
    return changed


def _prior_prices_set(prior_prices: Iterable[PriorPriceData], *, compare: bool = True) -> bool:
    """Hold these reductions' prior prices in place of the last ones; return whether they
    differ (a new version replaces them without comparing)."""
    wanted = {(p.sku, p.reference, p.starts, p.ends, p.price) for p in prior_prices}
    if compare:
        held = PriorPrice.objects.values_list("sku", "reference", "starts", "ends", "price")
        if wanted == set(held):
            return False
    PriorPrice.objects.all().delete()
    PriorPrice.objects.bulk_create(
        (PriorPrice(sku=sku, reference=reference, starts=starts, ends=ends, price=price)
         for sku, reference, starts, ends, price in sorted(wanted, key=str)),
        batch_size=2000,
    )  # fmt: skip
    return True


def store_profile_apply(*, snapshot: ConfigSnapshot) -> bool:
    """Take the store's own profile from HQ between config versions (HQ changed the store's
    time zone or cash rounding, not the catalogue; or the store now speaks a protocol that
    brings the version's prior prices). A change is a new `applied_at`: every cache of the
    config in force is keyed by it. Return whether anything changed."""
    with transaction.atomic():
        state, _ = ConfigState.objects.select_for_update().get_or_create(id=1)
        profile = _profile_set(state, snapshot)
        if not _prior_prices_set(snapshot.prior_prices) and not profile:
            return False
        state.applied_at = timezone.now()
        state.save()
    logger.info("store profile from HQ applied to config v%s", state.version)
    return True


def _tax_classes_apply(classes: Iterable[TaxClassData]) -> dict[str, int]:
    """Tax classes by code: rates updated in place, new ones added, unused gone ones dropped."""
    ids: dict[str, int] = {}
    for tax in classes:
        row, _ = TaxClass.objects.update_or_create(
            code=tax.code, defaults={"rate": tax.rate, "inclusive": tax.inclusive}
        )
        ids[tax.code] = row.id
    gone = TaxClass.objects.exclude(code__in=list(ids))
    if Product.objects.filter(tax_class__in=gone).exists():
        raise StaleConfig("a tax class still used by a product is missing from the config")
    gone.delete()
    return ids


def _products_delete(skus: list[str], chunk: int = 900) -> None:
    """Delete products with their barcodes and prices (plain DELETEs: no per-row work)."""
    tables = [model._meta.db_table for model in (PriceEntry, Barcode)]
    with connection.cursor() as cursor:
        for start in range(0, len(skus), chunk):
            part = skus[start : start + chunk]
            marks = ", ".join(["%s"] * len(part))
            owned = f"SELECT id FROM {Product._meta.db_table} WHERE sku IN ({marks})"  # noqa: S608
            for table in tables:
                cursor.execute(f"DELETE FROM {table} WHERE product_id IN ({owned})", part)  # noqa: S608
            cursor.execute(f"DELETE FROM {Product._meta.db_table} WHERE sku IN ({marks})", part)  # noqa: S608


PRODUCT_COLUMNS = ("sku", "name", "price", "unit", "tax_class_id", "category", "plu")


def _insert(
    products: list[tuple[Any, ...]],
    codes: list[tuple[str, str]],
    prices: list[tuple[str, PriceData]],
) -> None:
    """Insert a batch with plain executemany: for a 200k-product snapshot the ORM's model
    objects and per-field preparation cost more than SQLite's own writes."""
    if not products:
        return
    ops = connection.ops
    with connection.cursor() as cursor:
        _rows_insert(cursor, Product, PRODUCT_COLUMNS, products)
        skus = [row[0] for row in products]
        marks = ", ".join(["%s"] * len(skus))
        cursor.execute(
            f"SELECT sku, id FROM {Product._meta.db_table} WHERE sku IN ({marks})",  # noqa: S608
            skus,
        )
        ids = dict(cursor.fetchall())
        _rows_insert(cursor, Barcode, ("gtin", "code", "product_id"),
                     [(normalize_gtin(code), code, ids[sku]) for sku, code in codes])  # fmt: skip
        _rows_insert(
            cursor, PriceEntry, ("product_id", "price", "scope", "starts", "ends"),
            [(ids[sku], p.price, p.scope, ops.adapt_datetimefield_value(p.starts),
              ops.adapt_datetimefield_value(p.ends)) for sku, p in prices],
        )  # fmt: skip


def _rows_insert(
    cursor: Any, model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    if rows:
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        insert = f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({marks})"  # noqa: S608
        cursor.executemany(insert, rows)


def directory_apply(*, stores: list[tuple[str, str]]) -> None:
    """Replace the chain's store directory with HQ's (in the caller's transaction)."""
    KnownStore.objects.all().delete()
    KnownStore.objects.bulk_create(KnownStore(code=code, name=name) for code, name in stores)
