"""The catalogue file (the README's "The catalogue file"): its schema, and its errors named
by their path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from devices.barcodes import BarcodeError, normalize_gtin, parse_code


class CatalogFileError(ValueError):
    """The file cannot be imported; `problems` lists each one as `path: message`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:20]))
        self.problems = problems


CONTROL_CHARACTERS = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}


def refuse_control_characters(value: Any) -> Any:
    """Refuse NUL and other control characters anywhere in a value (PostgreSQL stores no NUL)."""
    if isinstance(value, str):
        if not CONTROL_CHARACTERS.isdisjoint(value):
            raise ValueError("control characters (such as NUL) are not allowed")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_control_characters(key)
            refuse_control_characters(item)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_control_characters(item)
    return value


def _amount_string(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError('amounts are strings, like "0.79"')
    return value


AmountString = Annotated[Decimal, BeforeValidator(_amount_string)]

# A day inside Python's calendar: every time zone can show these instants.
EARLIEST = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
LATEST = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)


def _in_utc(value: datetime) -> datetime:
    out_of_range = "out of range: too close to the years 1 or 9999"
    try:
        instant = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError(out_of_range) from exc
    if not EARLIEST <= instant <= LATEST:
        raise ValueError(out_of_range)
    return instant


# An instant, held in UTC: the database keeps no UTC offset (PostgreSQL none beyond 16 h).
Moment = Annotated[AwareDatetime, AfterValidator(_in_utc)]


def _window_bound(value: datetime) -> datetime:
    if value.tzinfo is not None:
        return _in_utc(value)
    if not EARLIEST.replace(tzinfo=None) <= value <= LATEST.replace(tzinfo=None):
        raise ValueError("out of range: too close to the years 1 or 9999")
    return value


# A promotion's window bound: with an offset one instant for all (held in UTC); without,
# each store's own clock (a window that ends at each store's midnight). Both bounds of a
# window are of one kind.
WindowBound = Annotated[datetime, AfterValidator(_window_bound)]
SKU = r"^[A-Za-z0-9._-]{1,32}$"
Sku = Annotated[str, Field(pattern=SKU)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return refuse_control_characters(value)


class TaxClassIn(_Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")
    rate: AmountString = Field(ge=0, lt=1, max_digits=8, decimal_places=6)
    inclusive: bool


class ProductIn(_Strict):
    sku: str = Field(pattern=SKU)
    name: str = Field(min_length=1, max_length=200)
    barcodes: list[Annotated[str, Field(max_length=14)]] = Field(
        default_factory=list, max_length=50
    )
    plu: str = Field(default="", max_length=5)
    price: AmountString = Field(ge=0, max_digits=12, decimal_places=2)
    tax_class: str = Field(min_length=1, max_length=16)
    unit: Literal["each", "kg"]
    category: str = Field(default="", max_length=64)

    @field_validator("barcodes")
    @classmethod
    def _barcodes_are_gtins(cls, codes: list[str]) -> list[str]:
        for index, code in enumerate(codes):
            try:
                normalize_gtin(code)
            except BarcodeError as exc:
                raise ValueError(f"barcodes[{index}]: {exc}") from exc
        return codes

    @field_validator("plu")
    @classmethod
    def _plu_is_plu(cls, plu: str) -> str:
        if plu:
            scanned = parse_code(plu) if plu.isdigit() and len(plu) in (4, 5) else None
            if scanned is None or scanned.plu is None:
                raise ValueError(f"{plu!r} is not a PLU (4 or 5 digits)")
        return plu


CODE = r"^[A-Za-z0-9._-]{1,32}$"
Code = Annotated[str, Field(pattern=CODE)]
CategoryCode = Annotated[str, Field(min_length=1, max_length=64)]
StoreCode = Annotated[str, Field(min_length=1, max_length=16)]
# The fields each kind needs, and the ones it may have on top.
KIND_FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "percent_off": (frozenset({"percent"}), frozenset()),
    "amount_off": (frozenset({"amount"}), frozenset()),
    "member_price": (frozenset({"price"}), frozenset()),
    "multi_buy": (frozenset({"quantity", "price"}), frozenset()),
    "mix_and_match": (frozenset({"quantity", "price"}), frozenset()),
    "buy_x_get_y": (frozenset({"quantity", "get_quantity"}), frozenset({"get_percent"})),
    "basket_threshold": (frozenset({"threshold"}), frozenset({"amount", "percent"})),
}
PARAMETERS = frozenset({"percent", "amount", "price", "quantity", "get_quantity", "get_percent",
                        "threshold"})  # fmt: skip


class GroupIn(_Strict):
    """A named set of products for promotions: SKUs, categories and other groups."""

    code: str = Field(pattern=CODE)
    skus: list[Sku] = Field(default_factory=list, max_length=10_000)
    categories: list[CategoryCode] = Field(default_factory=list, max_length=1000)
    groups: list[Code] = Field(default_factory=list, max_length=100)


class PromotionIn(_Strict):
    code: str = Field(pattern=CODE)
    name: str = Field(min_length=1, max_length=200)
    kind: Literal[
        "percent_off", "amount_off", "member_price", "multi_buy", "buy_x_get_y",
        "mix_and_match", "basket_threshold",
    ]  # fmt: skip
    starts: WindowBound
    ends: WindowBound
    weekdays: list[int] = Field(default_factory=list, max_length=7)
    hours: tuple[time, time] | None = None
    skus: list[Sku] = Field(default_factory=list, max_length=10_000)
    categories: list[CategoryCode] = Field(default_factory=list, max_length=1000)
    groups: list[Code] = Field(default_factory=list, max_length=100)
    stores: list[StoreCode] = Field(default_factory=list, max_length=10_000)
    priority: int = Field(default=0, ge=0, le=1000)
    stackable: bool = False
    members_only: bool = False
    coupon: str = Field(default="", pattern=r"^[A-Za-z0-9_-]{0,32}$")
    single_use: bool = False
    percent: AmountString | None = Field(default=None, gt=0, le=100, decimal_places=2)
    amount: AmountString | None = Field(default=None, gt=0, max_digits=12, decimal_places=2)
    price: AmountString | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    quantity: int | None = Field(default=None, ge=1, le=100)
    get_quantity: int | None = Field(default=None, ge=1, le=100)
    get_percent: AmountString | None = Field(default=None, gt=0, le=100, decimal_places=2)
    threshold: AmountString | None = Field(default=None, gt=0, max_digits=12, decimal_places=2)
    # false: the promotion is withdrawn; HQ keeps it, publishes it no more, and the stores
    # drop it with the next config (an explicit removal, whatever its window).
    active: bool = True

    @property
    def local_window(self) -> bool:
        """Whether the window is each store's local time (its bounds have no offset)."""
        return self.starts.tzinfo is None

    @field_validator("weekdays")
    @classmethod
    def _weekdays(cls, days: list[int]) -> list[int]:
        if any(not 0 <= day <= 6 for day in days):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        return days

    @field_validator("hours")
    @classmethod
    def _local_hours(cls, hours: tuple[time, time] | None) -> tuple[time, time] | None:
        # Hours are each store's local time: an offset would mean another hour in each store.
        if hours is not None and any(hour.tzinfo is not None for hour in hours):
            raise ValueError("hours are local times, without a UTC offset")
        return hours

    @model_validator(mode="after")
    def _consistent(self) -> PromotionIn:
        if (self.starts.tzinfo is None) != (self.ends.tzinfo is None):
            raise ValueError(
                "starts and ends are both local times (no offset: each store's own clock) or "
                "both instants (with an offset: one moment for every store)"
            )
        if self.ends <= self.starts:
            raise ValueError("empty validity window: ends must be after starts")
        if self.hours is not None and self.hours[1] <= self.hours[0]:
            raise ValueError("hours: the closing time must be after the opening time")
        needed, optional = KIND_FIELDS[self.kind]
        given = {name for name in PARAMETERS if getattr(self, name) is not None}
        if missing := needed - given:
            raise ValueError(f"a {self.kind} promotion needs {', '.join(sorted(missing))}")
        if extra := given - needed - optional:
            raise ValueError(f"{', '.join(sorted(extra))} does not apply to {self.kind}")
        if self.kind == "basket_threshold":
            if (self.amount is None) == (self.percent is None):
                raise ValueError("a basket_threshold promotion gives an amount or a percent")
            if self.skus or self.categories or self.groups:
                raise ValueError("a basket_threshold promotion targets the whole basket")
        elif not (self.skus or self.categories or self.groups):
            raise ValueError(f"a {self.kind} promotion needs skus, categories or groups")
        if self.kind in ("multi_buy", "mix_and_match") and (self.quantity or 0) < 2:
            raise ValueError(f"a {self.kind} promotion groups at least 2 items")
        if self.single_use and not self.coupon:
            raise ValueError("single_use applies to a coupon promotion")
        return self


class PriceIn(_Strict):
    sku: str = Field(pattern=SKU)
    price: AmountString = Field(ge=0, max_digits=12, decimal_places=2)
    starts: Moment | None = None
    ends: Moment | None = None

    @model_validator(mode="after")
    def _window(self) -> PriceIn:
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            raise ValueError("empty validity window: ends must be after starts")
        return self


class PriceBookIn(_Strict):
    """Prices that override the products' list prices: chain-wide, for a region or a store."""

    code: str = Field(pattern=CODE)
    scope: Literal["chain", "region", "store"]
    region: str = Field(default="", max_length=32)
    store: str = Field(default="", max_length=16)
    prices: list[PriceIn] = Field(default_factory=list, max_length=500_000)

    @model_validator(mode="after")
    def _scope(self) -> PriceBookIn:
        if (self.scope == "region") != bool(self.region):
            raise ValueError("a region book names its region, and only a region book does")
        if (self.scope == "store") != bool(self.store):
            raise ValueError("a store book names its store, and only a store book does")
        return self


class CatalogFile(_Strict):
    tax_classes: list[TaxClassIn] = Field(default_factory=list)
    products: list[ProductIn] = Field(default_factory=list)
    groups: list[GroupIn] = Field(default_factory=list)
    promotions: list[PromotionIn] = Field(default_factory=list, max_length=100_000)
    price_books: list[PriceBookIn] = Field(default_factory=list, max_length=10_000)


def error_path(location: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as `products[3].price`."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            name = part if part.isprintable() and len(part) <= 40 else repr(part[:40])
            path += f".{name}" if path else name
    return path or "(file)"


def catalog_file_parse(document: Any) -> CatalogFile:
    """Validate a decoded catalogue file, or raise CatalogFileError naming every problem."""
    if not isinstance(document, dict):
        raise CatalogFileError(["(file): the catalogue must be a JSON object"])
    try:
        parsed = CatalogFile.model_validate(document)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message = "unknown key"
            problems.append(f"{error_path(error['loc'])}: {message}")
        raise CatalogFileError(problems) from exc
    _check_references(parsed)
    return parsed


def _check_references(catalog: CatalogFile) -> None:
    problems: list[str] = []
    seen_tax: set[str] = set()
    for index, tax in enumerate(catalog.tax_classes):
        if tax.code in seen_tax:
            problems.append(f"tax_classes[{index}].code: {tax.code} is listed twice")
        seen_tax.add(tax.code)
    skus: set[str] = set()
    gtins: dict[str, str] = {}
    plus: dict[str, str] = {}
    for index, product in enumerate(catalog.products):
        where = f"products[{index}]"
        if product.sku in skus:
            problems.append(f"{where}.sku: {product.sku} is listed twice")
        skus.add(product.sku)
        for b_index, code in enumerate(product.barcodes):
            gtin = normalize_gtin(code)
            if gtin in gtins:
                problems.append(f"{where}.barcodes[{b_index}]: {code} is also on {gtins[gtin]}")
            gtins[gtin] = product.sku
        if product.plu:
            if product.plu in plus:
                problems.append(f"{where}.plu: {product.plu} is also on {plus[product.plu]}")
            plus[product.plu] = product.sku
    problems += _check_promotions(catalog)
    problems += _check_price_books(catalog)
    if problems:
        raise CatalogFileError(problems)


def _check_price_books(catalog: CatalogFile) -> list[str]:
    """A SKU priced twice from the same start in one book has no price the store can tell."""
    problems: list[str] = []
    for b_index, book in enumerate(catalog.price_books):
        first: dict[tuple[str, datetime | None], int] = {}
        for index, price in enumerate(book.prices):
            seen = first.setdefault((price.sku, price.starts), index)
            if seen != index:
                problems.append(
                    f"price_books[{b_index}].prices[{index}]: {price.sku} is already priced "
                    f"from the same start at prices[{seen}]"
                )
    return problems


def _check_promotions(catalog: CatalogFile) -> list[str]:
    """Codes listed once, and groups that do not contain themselves, however deep."""
    problems: list[str] = []
    listed: list[tuple[str, list[str]]] = [
        ("groups", [g.code for g in catalog.groups]),
        ("promotions", [p.code for p in catalog.promotions]),
        ("price_books", [b.code for b in catalog.price_books]),
    ]
    for name, codes in listed:
        seen: set[str] = set()
        for index, code in enumerate(codes):
            if code in seen:
                problems.append(f"{name}[{index}].code: {code} is listed twice")
            seen.add(code)
    members = {group.code: group.groups for group in catalog.groups}
    return problems + group_loop_problems(catalog, members)


def group_loop_problems(catalog: CatalogFile, members: Mapping[str, list[str]]) -> list[str]:
    """Name one loop of groups for each set of groups that contain one another."""
    loops = group_loops(members, order=[group.code for group in catalog.groups])
    return [
        f"groups[{index}].groups: a loop of groups: {_shown_loop(loops[group.code])}"
        for index, group in enumerate(catalog.groups)
        if group.code in loops
    ]


def _shown_loop(loop: list[str]) -> str:
    if len(loop) > 10:
        loop = [*loop[:8], f"… ({len(loop) - 9} more)", loop[-1]]
    return " → ".join(loop)


def group_loops(members: Mapping[str, list[str]], order: Iterable[str]) -> dict[str, list[str]]:
    """Return a loop (a path from a group back to itself) for each set of groups that contain
    one another, however deep, keyed by its group that comes first in `order`.

    Linear in groups and memberships (Tarjan's strongly connected components), so that a
    file of ten thousand groups in a ring is checked as fast as one of two.
    """
    rank = {code: index for index, code in enumerate(order)}
    loops: dict[str, list[str]] = {}
    for component in _strongly_connected(members):
        start = min(component, key=lambda code: (rank.get(code, len(rank)), code))
        if len(component) > 1 or start in members.get(start, []):
            loops[start] = _loop_through(start, members, component)
    return loops


def _strongly_connected(members: Mapping[str, list[str]]) -> list[set[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    for root in members:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(members.get(root, [])))]
        while work:
            code, edges = work[-1]
            for member in edges:
                if member not in index:
                    index[member] = low[member] = len(index)
                    stack.append(member)
                    on_stack.add(member)
                    work.append((member, iter(members.get(member, []))))
                    break
                if member in on_stack:
                    low[code] = min(low[code], index[member])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[code])
                if low[code] == index[code]:
                    component: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == code:
                            break
                    components.append(component)
    return components


def _loop_through(start: str, members: Mapping[str, list[str]], within: set[str]) -> list[str]:
    """Return the shortest path from `start` back to itself, through groups of `within`."""
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for code in frontier:
            for member in members.get(code, []):
                if member == start:
                    path = [code]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if member in within and member not in came_from:
                    came_from[member] = code
                    following.append(member)
        frontier = following
    return []
