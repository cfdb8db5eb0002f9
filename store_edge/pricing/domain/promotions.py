"""Promotions as the engine reads them: their kinds, when they run, what they apply to, and
the book of the promotions in force, indexed for a basket's SKUs and categories."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, tzinfo
from decimal import Decimal
from enum import StrEnum

from store_edge.pricing.domain.money import HUNDRED


class Kind(StrEnum):
    PERCENT_OFF = "percent_off"
    AMOUNT_OFF = "amount_off"
    MEMBER_PRICE = "member_price"
    MULTI_BUY = "multi_buy"
    BUY_X_GET_Y = "buy_x_get_y"
    MIX_AND_MATCH = "mix_and_match"
    BASKET_THRESHOLD = "basket_threshold"


ITEM_KINDS = frozenset(Kind) - {Kind.BASKET_THRESHOLD}
# Kinds that take units in groups (3 for 2, buy 2 get 1, any 3 of a group).
GROUP_KINDS = frozenset({Kind.MULTI_BUY, Kind.MIX_AND_MATCH, Kind.BUY_X_GET_Y})


@dataclass(frozen=True, slots=True)
class Window:
    """When a promotion is live: [starts, ends), optionally on some weekdays and hours.

    `starts` and `ends` with a UTC offset are instants, the same for every store; without
    one they are local times, read in each store's own time zone ("until Sunday midnight"
    at every store). Weekdays and daily hours are always the store's local ones. A local
    time that a daylight-saving change skips or repeats is read as the clock first shows
    it (fold 0): 02:30 on a spring-forward night is 03:30, the earlier 02:30 of an autumn
    night.
    """

    starts: datetime
    ends: datetime
    weekdays: frozenset[int] = frozenset()  # 0 = Monday; empty = every day
    opens: time | None = None  # daily hours [opens, closes), the store's local time
    closes: time | None = None

    def contains(self, at: datetime, zone: tzinfo = UTC) -> bool:
        instant = at.astimezone(UTC)
        if not _instant(self.starts, zone) <= instant < _instant(self.ends, zone):
            return False
        if not self.weekdays and self.opens is None:
            return True
        local = instant.astimezone(zone)
        if self.weekdays and local.weekday() not in self.weekdays:
            return False
        if self.opens is not None and self.closes is not None:
            return self.opens <= local.time() < self.closes
        return True

    def opened(self, at: datetime, zone: tzinfo = UTC) -> datetime:
        """When the window last opened before `at` (in it): its start, or the start of
        today's hours or day when it has hours or weekdays, whichever is later."""
        started = _instant(self.starts, zone)
        if not self.weekdays and self.opens is None:
            return started
        local = at.astimezone(zone)
        today = datetime.combine(local.date(), self.opens or time(0))  # fold 0, as above
        return max(started, today.replace(tzinfo=zone).astimezone(UTC))


def _instant(moment: datetime, zone: tzinfo) -> datetime:
    """A window's bound as an instant: as it is with an offset, else in the store's zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone).astimezone(UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Promotion:
    """A promotion as HQ authored it. Which fields matter depends on `kind`:

    percent_off: percent · amount_off: amount (per unit) · member_price: price (per unit)
    multi_buy, mix_and_match: quantity units for price · buy_x_get_y: quantity bought,
    get_quantity rewarded at get_percent off (100 = free) · basket_threshold: threshold
    spend, then amount or percent off.
    """

    code: str
    name: str
    kind: Kind
    window: Window
    skus: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    stores: frozenset[str] = frozenset()  # empty = every store
    priority: int = 0
    stackable: bool = False
    members_only: bool = False
    coupon: str = ""
    percent: Decimal | None = None
    amount: Decimal | None = None
    price: Decimal | None = None
    quantity: int = 0
    get_quantity: int = 0
    get_percent: Decimal = HUNDRED
    threshold: Decimal | None = None
    added: datetime | None = None  # when HQ created or re-activated it (an instant)

    def went_live(self, at: datetime, zone: tzinfo = UTC) -> datetime:
        """When this live promotion last became live: created, started, or its hours
        opened, whichever came last (the order in which competing promotions beyond the
        search's limit are added, see the engine)."""
        opened = self.window.opened(at, zone)
        return opened if self.added is None else max(opened, self.added.astimezone(UTC))

    def targets(self, sku: str, category: str) -> bool:
        return sku in self.skus or (bool(category) and category in self.categories)

    def live(
        self,
        *,
        at: datetime,
        store: str,
        member: bool,
        coupons: frozenset[str],
        zone: tzinfo = UTC,
    ) -> bool:
        return (
            self.window.contains(at, zone)
            and (not self.stores or store in self.stores)
            and (member or not self.members_only)
            and (not self.coupon or self.coupon in coupons)
        )


@dataclass(frozen=True)
class PromotionBook:
    """The promotions of a config, indexed by what they target (built once per config)."""

    promotions: tuple[Promotion, ...]
    by_sku: Mapping[str, tuple[Promotion, ...]] = field(default_factory=dict)
    by_category: Mapping[str, tuple[Promotion, ...]] = field(default_factory=dict)
    basket_level: tuple[Promotion, ...] = ()

    @classmethod
    def of(cls, promotions: Iterable[Promotion]) -> PromotionBook:
        ordered = tuple(sorted(promotions, key=lambda p: p.code))
        by_sku: dict[str, list[Promotion]] = defaultdict(list)
        by_category: dict[str, list[Promotion]] = defaultdict(list)
        for promotion in ordered:
            if promotion.kind is Kind.BASKET_THRESHOLD:
                continue
            for sku in promotion.skus:
                by_sku[sku].append(promotion)
            for category in promotion.categories:
                by_category[category].append(promotion)
        return cls(
            promotions=ordered,
            by_sku={k: tuple(v) for k, v in by_sku.items()},
            by_category={k: tuple(v) for k, v in by_category.items()},
            basket_level=tuple(p for p in ordered if p.kind is Kind.BASKET_THRESHOLD),
        )

    def candidates(self, sku: str, category: str) -> tuple[Promotion, ...]:
        found = self.by_sku.get(sku, ())
        by_category = self.by_category.get(category, ()) if category else ()
        if by_category:
            found = tuple(dict.fromkeys(found + by_category))  # a promotion may target both
        return found


EMPTY_BOOK = PromotionBook.of(())


@dataclass(frozen=True, slots=True)
class Context:
    """When and where a basket is priced, and what the customer brought."""

    at: datetime
    store: str = ""
    member: bool = False
    coupons: frozenset[str] = frozenset()
    zone: tzinfo = UTC  # the store's time zone: promotions' local times are read in it
