"""The lowest price of the 30 days before a reduction (EU Omnibus directive, Art. 6a;
Germany's PAngV §11): a shop that announces a reduced price shows the lowest price it
charged for the product in the 30 days before.

HQ knows what every store charged: each published version's prices are recorded where they
changed (`PriceHistory`: the list price and every price book's entries), and the
promotions are kept with their windows. At each publish the reductions the version
announces to each store — a price book entry below the price before it, and the percent or
amount promotions everyone gets (not members-only, no coupon) — get their prior price:

- the lowest, over the 30 days before the reduction starts, of the store's price in force
  (the version then in force, its books as they apply to the store) and of the prices the
  store's other percent and amount promotions gave in that time (a happy hour counts as
  given: the lower price was charged that day);
- flagged where it needs a look before customers see it: HQ's history of the product is
  shorter than the 30 days (a product newer than that has no 30 days), or the reduced price
  is not below that lowest price (a "reduction" that is none).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from cloud_hq.catalog.models import Product, Promotion
from cloud_hq.catalog.prices import book_applies, price_in_force
from cloud_hq.publishing.models import ConfigVersion, PriceHistory, PriorPrice
from cloud_hq.stores.models import Store

WINDOW = timedelta(days=30)
REDUCING_KINDS = ("percent_off", "amount_off")
CENT = Decimal("0.01")
BATCH = 2000


def price_history_record(
    *, config: ConfigVersion, bases: Mapping[str, str], prices: Mapping[str, list[dict[str, Any]]]
) -> int:
    """Record the products whose prices this version changes (all of them the first time);
    return how many."""
    latest = dict(PriceHistory.objects.filter(latest=True).values_list("sku", "digest"))
    rows = []
    for sku, base in bases.items():
        entries = prices.get(sku, [])
        digest = _digest(base, entries)
        if latest.get(sku) != digest:
            rows.append(PriceHistory(sku=sku, version=config.version, digest=digest,
                                     published_at=config.published_at, price=Decimal(base),
                                     entries=entries))  # fmt: skip
    skus = [row.sku for row in rows if row.sku in latest]
    for start in range(0, len(skus), BATCH):
        PriceHistory.objects.filter(sku__in=skus[start : start + BATCH], latest=True).update(
            latest=False
        )
    PriceHistory.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _digest(base: str, entries: list[dict[str, Any]]) -> str:
    canonical = json.dumps([base, entries], sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode(), digest_size=12).hexdigest()


@dataclass(frozen=True)
class _Book:
    scope: str
    region: str
    store: str


@dataclass(frozen=True)
class _Entry:
    """A published price book entry, shaped as `price_in_force` reads one."""

    price: Decimal
    starts: datetime | None
    ends: datetime | None
    book: _Book

    @classmethod
    def of(cls, wire: dict[str, Any]) -> _Entry:
        return cls(
            price=Decimal(wire["price"]),
            starts=_moment(wire.get("starts")),
            ends=_moment(wire.get("ends")),
            book=_Book(wire["scope"], wire.get("region", ""), wire.get("store", "")),
        )


@dataclass(frozen=True)
class _Pricing:
    """A product's prices from `since` on (until the next version that changed them)."""

    since: datetime
    base: Decimal
    entries: tuple[_Entry, ...]


@dataclass(frozen=True)
class _Reducing:
    """A percent or amount promotion as it lowers one product's price."""

    code: str
    starts: datetime
    ends: datetime
    stores: frozenset[str]
    percent: Decimal | None
    amount: Decimal | None

    def applies(self, store: str, at: datetime) -> bool:
        return (not self.stores or store in self.stores) and self.starts <= at < self.ends

    def reduce(self, price: Decimal) -> Decimal:
        if self.percent is not None:
            cut = (price * self.percent / 100).quantize(CENT, ROUND_HALF_UP)
            return max(price - cut, Decimal("0.00"))
        return max(price - (self.amount or Decimal(0)), Decimal("0.00"))


def _moment(text: str | None, zone: tzinfo | None = None) -> datetime | None:
    """A published bound; a local one (no offset) read in `zone` (a store's), else in HQ's
    zone, as the admin shows it."""
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        return timezone.make_aware(moment, zone or timezone.get_default_timezone())
    return moment


def _zone(store: Store) -> tzinfo:
    return ZoneInfo(store.time_zone) if store.time_zone else timezone.get_default_timezone()


@dataclass(frozen=True)
class Reduction:
    store: str
    sku: str
    reference: str
    starts: datetime
    ends: datetime | None
    reduced_price: Decimal | None
    prior_price: Decimal | None  # None: HQ knows no price of it before the reduction
    flag: str


class _Prices:
    """What one product cost at one store over time."""

    def __init__(self, history: Sequence[_Pricing], reducing: Sequence[_Reducing]) -> None:
        self.history = sorted(history, key=lambda p: p.since)
        self.reducing = reducing

    def regular(self, store: Store, at: datetime) -> Decimal | None:
        """The store's price in force at `at` (None: not yet published then)."""
        pricing = None
        for candidate in self.history:
            if candidate.since > at:
                break
            pricing = candidate
        if pricing is None:
            return None
        return price_in_force(base=pricing.base, entries=pricing.entries,  # type: ignore[arg-type]
                              store=store.code, region=store.region, at=at)  # fmt: skip

    def lowest(self, store: Store, before: datetime, *, leaving_out: str = "") -> _Lowest:
        """The lowest price charged at the store in the 30 days before `before`."""
        start = before - WINDOW
        moments = {start}
        for pricing in self.history:
            moments.add(pricing.since)
            for entry in pricing.entries:
                moments.update(m for m in (entry.starts, entry.ends) if m is not None)
        reducing = [r for r in self.reducing if r.code != leaving_out]
        for promotion in reducing:
            moments.update((promotion.starts, promotion.ends))
        lowest: Decimal | None = None
        for moment in sorted(m for m in moments if start <= m < before):
            price = self.regular(store, moment)
            if price is None:
                continue
            offered = [r.reduce(price) for r in reducing if r.applies(store.code, moment)]
            price = min([price, *offered])
            lowest = price if lowest is None else min(lowest, price)
        known_from = self.history[0].since if self.history else before
        return _Lowest(lowest, known_from <= start, known_from)


@dataclass(frozen=True)
class _Lowest:
    price: Decimal | None
    complete: bool  # HQ's history covers the whole 30 days
    known_from: datetime


def reductions_of(
    *,
    now: datetime,
    bases: Mapping[str, str],
    prices: Mapping[str, list[dict[str, Any]]],
    promotions: Iterable[dict[str, Any]],
    stores: Sequence[Store],
) -> list[Reduction]:
    """Every reduction the published master data announces to each store, with its prior
    price; `promotions` are the published ones (groups resolved)."""
    announced = [p for p in promotions if _reducing(p)]
    category_skus = _category_skus({c for p in announced for c in p.get("categories", [])})
    targets: dict[str, set[str]] = defaultdict(set)  # sku → codes of announced promotions
    for promotion in announced:
        covered = set(promotion.get("skus", []))
        for category in promotion.get("categories", []):
            covered.update(category_skus.get(category, ()))
        for sku in covered & bases.keys():
            targets[sku].add(promotion["code"])
    booked = {sku for sku, entries in prices.items() if any(e.get("starts") for e in entries)}
    skus = sorted((targets.keys() | booked) & bases.keys())
    if not skus:
        return []
    by_code = {p["code"]: p for p in announced}
    reductions: list[Reduction] = []
    for start in range(0, len(skus), BATCH):
        chunk = skus[start : start + BATCH]
        histories = _histories(chunk)
        reducing = _reducing_by_sku(chunk, now)
        for sku in chunk:
            product = _Prices(histories.get(sku, []), reducing.get(sku, []))
            current = [_Entry.of(e) for e in prices.get(sku, [])]
            for store in stores:
                reductions += _book_reductions(product, sku, store, Decimal(bases[sku]),
                                               current, now)  # fmt: skip
                for code in sorted(targets.get(sku, ())):
                    reductions += _promotion_reductions(product, sku, store, by_code[code], now)
    return reductions


def _reducing(promotion: dict[str, Any]) -> bool:
    return (promotion["kind"] in REDUCING_KINDS and not promotion.get("members_only")
            and not promotion.get("coupon"))  # fmt: skip


def _category_skus(categories: set[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    if categories:
        for sku, category in Product.objects.filter(category__code__in=categories).values_list(
            "sku", "category__code"
        ):
            found[category].append(sku)
    return found


def _histories(skus: list[str]) -> dict[str, list[_Pricing]]:
    histories: dict[str, list[_Pricing]] = defaultdict(list)
    rows = PriceHistory.objects.filter(sku__in=skus).values_list(
        "sku", "published_at", "price", "entries"
    )
    for sku, since, base, entries in rows:
        histories[sku].append(_Pricing(since, base, tuple(_Entry.of(e) for e in entries)))
    return histories


def _reducing_by_sku(skus: list[str], now: datetime) -> dict[str, list[_Reducing]]:
    """The percent and amount promotions everyone got that touched these products in the
    30 days before now or later (withdrawn ones too: they were given while they ran)."""
    wanted = set(skus)
    categories = dict(Product.objects.filter(sku__in=skus).values_list("sku", "category__code"))
    found: dict[str, list[_Reducing]] = defaultdict(list)
    horizon = now - WINDOW - timedelta(days=2)  # a local window's bound, read anywhere
    for promotion in Promotion.objects.filter(kind__in=REDUCING_KINDS, ends__gt=horizon):
        definition = promotion.definition
        if not _reducing(definition):
            continue
        skus_of = wanted & set(definition.get("skus", []))
        cats = set(definition.get("categories", []))
        skus_of |= {s for s in wanted if categories.get(s) and categories[s] in cats}
        skus_of |= _group_skus(definition.get("groups", []), wanted, categories)
        rule = _Reducing(
            code=promotion.code,
            starts=_moment(definition["starts"]) or promotion.starts,
            ends=_moment(definition["ends"]) or promotion.ends,
            stores=frozenset(definition.get("stores", [])),
            percent=Decimal(definition["percent"]) if definition.get("percent") else None,
            amount=Decimal(definition["amount"]) if definition.get("amount") else None,
        )
        for sku in skus_of:
            found[sku].append(rule)
    return found


def _group_skus(codes: list[str], wanted: set[str], categories: dict[str, Any]) -> set[str]:
    from cloud_hq.catalog.models import ProductGroup

    skus: set[str] = set()
    pending, seen = list(codes), set()
    while pending:
        code = pending.pop()
        if code in seen:
            continue
        seen.add(code)
        group = ProductGroup.objects.filter(code=code).first()
        if group is None:
            continue
        skus |= wanted & set(group.skus)
        skus |= {s for s in wanted if categories.get(s) in set(group.categories)}
        pending.extend(group.groups)
    return skus


def _book_reductions(  # noqa: PLR0913 - a product's prices, then and now, at one store
    product: _Prices, sku: str, store: Store, base: Decimal, current: list[_Entry],
    now: datetime,
) -> list[Reduction]:  # fmt: skip
    found = []
    for entry in current:
        if entry.starts is None or (entry.ends is not None and entry.ends <= now):
            continue
        if not book_applies(scope=entry.book.scope, region=entry.book.region,
                            store=entry.book.store, to_store=store.code,
                            to_region=store.region):  # fmt: skip
            continue
        just_before = entry.starts - timedelta(microseconds=1)
        before = product.regular(store, just_before)
        if before is None:  # HQ published nothing before it: what this version says then
            others = [e for e in current if e is not entry]
            before = price_in_force(base=base, entries=others,  # type: ignore[arg-type]
                                    store=store.code, region=store.region,
                                    at=just_before)  # fmt: skip
        if entry.price >= before:
            continue  # not lower than the price before it: no reduction
        in_force = price_in_force(base=base, entries=current,  # type: ignore[arg-type]
                                  store=store.code, region=store.region,
                                  at=max(entry.starts, now))  # fmt: skip
        if in_force != entry.price:
            continue  # a more specific book's price is the store's then
        lowest = product.lowest(store, entry.starts)
        found.append(_reduction(store, sku, "price", entry.starts, entry.ends, entry.price,
                                lowest, fallback=before))  # fmt: skip
    return found


def _promotion_reductions(
    product: _Prices, sku: str, store: Store, promotion: dict[str, Any], now: datetime
) -> list[Reduction]:
    stores = promotion.get("stores", [])
    if stores and store.code not in stores:
        return []
    zone = _zone(store)  # a local window ends at the store's own midnight
    starts, ends = _moment(promotion["starts"], zone), _moment(promotion["ends"], zone)
    if starts is None:  # every published promotion has its window: never here
        return []
    rule = next((r for r in product.reducing if r.code == promotion["code"]), None)
    regular = product.regular(store, max(starts, now))
    reduced = rule.reduce(regular) if rule is not None and regular is not None else None
    lowest = product.lowest(store, starts, leaving_out=promotion["code"])
    return [_reduction(store, sku, promotion["code"], starts, ends, reduced, lowest,
                       fallback=regular)]  # fmt: skip


def _reduction(
    store: Store,
    sku: str,
    reference: str,
    starts: datetime,
    ends: datetime | None,
    reduced: Decimal | None,
    lowest: _Lowest,
    *,
    fallback: Decimal | None,
) -> Reduction:
    prior = lowest.price if lowest.price is not None else fallback
    flags = []
    if not lowest.complete:
        known = timezone.localtime(lowest.known_from).date().isoformat()
        flags.append(f"HQ's prices of it go back to {known} only: less than 30 days")
    if prior is None:
        flags.append("no price of it is known before the reduction: none is sent")
    elif reduced is not None and reduced >= prior:
        flags.append(f"{reduced} is not below the lowest price of the 30 days before ({prior})")
    return Reduction(store=store.code, sku=sku, reference=reference, starts=starts, ends=ends,
                     reduced_price=reduced, prior_price=prior, flag="; ".join(flags))  # fmt: skip


def prior_prices_record(*, config: ConfigVersion, reductions: Iterable[Reduction]) -> int:
    rows = [
        PriorPrice(config=config, store_id=r.store, sku=r.sku, reference=r.reference,
                   starts=r.starts, ends=r.ends, reduced_price=r.reduced_price,
                   prior_price=r.prior_price, flag=r.flag)
        for r in reductions
    ]  # fmt: skip
    PriorPrice.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def prior_prices_wire(*, config: ConfigVersion, store: Store) -> list[dict[str, Any]]:
    """The store's reductions in this version with their prior prices (protocol 2)."""
    rows = PriorPrice.objects.filter(
        config=config, store=store, prior_price__isnull=False
    ).order_by("sku", "reference", "starts")
    return [
        {"sku": r.sku, "reference": r.reference, "starts": r.starts.isoformat(),
         "ends": r.ends.isoformat() if r.ends else None, "price": str(r.prior_price)}
        for r in rows
    ]  # fmt: skip


def prior_prices_for_store(*, store: Store) -> int:
    """Give a store registered after the newest publish its reductions in that version (the
    publish worked them out for the stores it knew), from the version's own prices."""
    config = ConfigVersion.objects.order_by("-version").first()
    if config is None or PriorPrice.objects.filter(config=config, store=store).exists():
        return 0
    bases: dict[str, str] = {}
    prices: dict[str, list[dict[str, Any]]] = {}
    for page in config.pages.order_by("number").iterator(chunk_size=4):
        for wire in page.products:
            bases[wire["sku"]] = wire["price"]
            if wire["prices"]:
                prices[wire["sku"]] = wire["prices"]
    found = reductions_of(now=config.published_at, bases=bases, prices=prices,
                          promotions=config.promotions, stores=[store])  # fmt: skip
    return prior_prices_record(config=config, reductions=found)
