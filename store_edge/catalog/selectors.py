"""Reads of the catalogue replica.

Looking a code up is on the path of every scan, so it is one indexed query, cached per
process for the config in force: a new config (a new `applied_at`) is a new cache key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.utils import timezone

from devices.barcodes import BarcodeError, ScannedCode, parse_code
from store_edge.catalog.models import ConfigState, PriorPrice, Product
from store_edge.pricing.domain import PriceEntry, Scope, list_price
from store_edge.raw_sqlite import raw_cursor
from store_edge.sqlite_values import decimal_of

LOOKUP_CACHE_SIZE = 20_000

logger = logging.getLogger(__name__)


class ProductNotFound(LookupError):
    """No product in the catalogue in force carries this code."""


@dataclass(frozen=True, slots=True)
class ProductRow:
    sku: str
    name: str
    price: Decimal  # the list price of the product; `prices` may override it
    unit: str
    tax_class: str
    tax_rate: Decimal
    tax_inclusive: bool
    category: str = ""
    prices: tuple[PriceEntry, ...] = ()

    def price_at(self, at: datetime) -> Decimal:
        """The price in force at `at`: the most specific price book wins."""
        return (
            list_price(base=self.price, entries=self.prices, at=at) if self.prices else self.price
        )


def config_stamp() -> tuple[int, str]:
    """Return the config version in force and when it was applied (one cheap query)."""
    with raw_cursor() as cursor:
        cursor.execute("SELECT version, applied_at FROM catalog_configstate WHERE id = 1")
        row = cursor.fetchone()
    return (0, "") if row is None else (row[0], str(row[1]))


@lru_cache(maxsize=4)
def cash_increment(stamp: tuple[int, str]) -> Decimal | None:
    """The cash rounding increment of the config `stamp` (None: cash is not rounded)."""
    value = ConfigState.objects.values_list("cash_rounding", flat=True).filter(id=1).first()
    return value or None


@dataclass(frozen=True, slots=True)
class StorePlace:
    """Where the store is, for its prices: the country of its label layouts and the zone of
    its happy hours. HQ's published values win; the store's settings stand in for them."""

    country: str  # ISO 3166, lower case; empty: not set anywhere
    zone: tzinfo


def store_place(stamp: tuple[int, str]) -> StorePlace:
    """The store's place in the config `stamp`."""
    country, zone_name = _published_place(stamp)
    zone: tzinfo = timezone.get_default_timezone()
    if zone_name:
        try:
            zone = ZoneInfo(zone_name)  # zoneinfo keeps each zone it has read
        except (ZoneInfoNotFoundError, ValueError):
            logger.warning("HQ's time zone %r is unknown here: %s holds", zone_name, zone)
    return StorePlace(country=country or settings.STORE_COUNTRY, zone=zone)


@lru_cache(maxsize=4)
def _published_place(stamp: tuple[int, str]) -> tuple[str, str]:
    row = ConfigState.objects.values_list("country", "time_zone").filter(id=1).first()
    return row or ("", "")


@lru_cache(maxsize=4)
def _prior_prices(stamp: tuple[int, str]) -> dict[str, tuple[PriorPriceRow, ...]]:
    rows: dict[str, list[PriorPriceRow]] = {}
    for sku, reference, starts, ends, price in PriorPrice.objects.values_list(
        "sku", "reference", "starts", "ends", "price"
    ):
        rows.setdefault(sku, []).append(PriorPriceRow(reference, starts, ends, price))
    return {sku: tuple(found) for sku, found in rows.items()}


@dataclass(frozen=True, slots=True)
class PriorPriceRow:
    reference: str
    starts: datetime
    ends: datetime | None
    price: Decimal


def prior_price_of(
    *,
    stamp: tuple[int, str],
    sku: str,
    promotions: Iterable[str],
    at: datetime,
    book_priced: bool = True,
) -> Decimal | None:
    """The lowest 30-day price to show beside a line's reduction at `at`: of the promotion
    that reduced it, else of the price book reduction in force where the line is at the
    book's price (`book_priced`: not a label's price, not overridden). None: the line is not
    reduced, or HQ published no prior price for it."""
    rows = _prior_prices(stamp).get(sku)
    if not rows:
        return None
    live = [r for r in rows if r.starts <= at and (r.ends is None or at < r.ends)]
    wanted = set(promotions)
    for row in live:
        if row.reference in wanted:
            return row.price
    if not book_priced:
        return None
    return next((r.price for r in live if r.reference == PRICE_REDUCTION), None)


PRICE_REDUCTION = "price"  # the reference of a price book's reduction


def product_for_code(
    *, scanned: ScannedCode, stamp: tuple[int, str] | None = None
) -> tuple[tuple[int, str], ProductRow]:
    """Return the config in force (its stamp, read unless given) and the product a scanned
    code designates in it."""
    stamp = stamp or config_stamp()
    product = _product_row(stamp, scanned.kind, scanned.value)
    if product is None:
        raise ProductNotFound(f"No product with code {scanned.value.lstrip('0') or '0'}")
    return stamp, product


_SELECT = (
    "SELECT p.sku, p.name, p.price, p.unit, t.code, t.rate, t.inclusive, p.category,"
    " e.price, e.scope, e.starts, e.ends"
    " FROM catalog_product p JOIN catalog_taxclass t ON t.id = p.tax_class_id"
    " LEFT JOIN catalog_priceentry e ON e.product_id = p.id"
)


@lru_cache(maxsize=LOOKUP_CACHE_SIZE)
def _product_row(stamp: tuple[int, str], kind: str, value: str) -> ProductRow | None:
    # One query: the product, and each of its price entries on a row of its own.
    with raw_cursor() as cursor:
        if kind == "plu":
            cursor.execute(f"{_SELECT} WHERE p.plu = ?", [value])  # noqa: S608
        else:
            cursor.execute(
                f"{_SELECT} WHERE p.id = (SELECT product_id FROM catalog_barcode WHERE gtin = ?)",  # noqa: S608
                [value],
            )
        rows = cursor.fetchall()
    if not rows:
        return None
    row = rows[0]
    return ProductRow(
        sku=row[0],
        name=row[1],
        price=decimal_of(row[2], Decimal("0.01")),
        unit=row[3],
        tax_class=row[4],
        tax_rate=decimal_of(row[5], Decimal("0.000001")),
        tax_inclusive=bool(row[6]),
        category=row[7],
        prices=tuple(
            PriceEntry(
                decimal_of(price, Decimal("0.01")), Scope(scope), _aware(starts), _aware(ends)
            )
            for *_, price, scope, starts, ends in rows
            if scope is not None
        ),
    )


def _aware(value: datetime | str | None) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def config_state() -> ConfigState:
    """Return the config version in force (version 0 before the first pull)."""
    state, _ = ConfigState.objects.get_or_create(id=1)
    return state


def product_search(*, query: str, limit: int) -> list[Product]:
    """Return products whose code is `query`, then products whose name contains it."""
    query = query.strip()
    products = Product.objects.prefetch_related("barcodes")
    found: list[Product] = []
    if query.isdigit():
        try:
            scanned = parse_code(query)
        except BarcodeError:
            scanned = None
        if scanned is not None and scanned.plu is not None:
            found = list(products.filter(plu=scanned.plu)[:1])
        elif scanned is not None:
            found = list(products.filter(barcodes__gtin=scanned.gtin)[:1])
        if not found:
            found = list(products.filter(sku=query)[:1])
    seen = {p.id for p in found}
    by_name = (
        products.filter(name__icontains=query).exclude(id__in=seen).order_by("name")
        if query
        else products.order_by("name")
    )
    found.extend(by_name[: max(limit - len(found), 0)])
    return found[:limit]
