"""What a store may push: ledger entries, and the documents some of them carry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from cloud_hq.catalog.catalog_file import refuse_control_characters

MAX_ENTRIES_PER_PUSH = 20000  # a hard cap; INGEST_MAX_ENTRIES sets the working limit


class EntryKind(StrEnum):
    """What a store's ledger entry records (the store's own ledger.models.EntryKind: the
    contract tests hold the two lists together)."""

    SALE_COMPLETED = "sale_completed"
    SALE = "sale"
    RETURN = "return"
    VOID = "void"
    DELIVERY = "delivery"
    COUNT = "count"
    ADJUSTMENT = "adjustment"
    WASTE = "waste"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    RETURN_COMPLETED = "return_completed"
    SHIFT_CLOSED = "shift_closed"
    DRAWER_OPENED = "drawer_opened"


# Entries that move stock by their quantity (a count sets it), and those carrying a document.
MOVEMENT_KINDS = frozenset({
    EntryKind.SALE, EntryKind.RETURN, EntryKind.VOID, EntryKind.DELIVERY, EntryKind.ADJUSTMENT,
    EntryKind.WASTE, EntryKind.TRANSFER_OUT, EntryKind.TRANSFER_IN,
})  # fmt: skip
STOCK_KINDS = MOVEMENT_KINDS | {EntryKind.COUNT}
SALE_KINDS = frozenset({EntryKind.SALE_COMPLETED, EntryKind.RETURN_COMPLETED})
DOCUMENT_KINDS = SALE_KINDS | {EntryKind.SHIFT_CLOSED, EntryKind.DRAWER_OPENED}
SHRINK_KINDS = frozenset({EntryKind.ADJUSTMENT, EntryKind.WASTE})
TRANSFER_KINDS = frozenset({EntryKind.TRANSFER_OUT, EntryKind.TRANSFER_IN})
INT32_MAX = 2**31 - 1  # an integer column (config versions, counts) holds no more


def _storable(value: datetime) -> datetime:
    # PostgreSQL holds UTC offsets up to ±15:59 (ISO 8601 allows ±23:59) and gives back no
    # year outside 1-9999 in UTC. The value is kept as sent: entry digests are over it.
    offset = value.utcoffset()
    if offset is not None and abs(offset) >= timedelta(hours=16):
        raise ValueError("the UTC offset must be less than 16 hours")
    try:
        value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the time is out of range once in UTC") from exc
    return value


StorableDatetime = Annotated[AwareDatetime, AfterValidator(_storable)]
"""An aware datetime that any timestamp column holds and gives back."""


class Exact(BaseModel):
    """No unknown keys. Ledger entries are checked for control characters as a whole, on
    their canonical JSON (ingest.receive.received): cheaper than field by field."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Strict(Exact):
    """No unknown keys, and no control characters (such as NUL) in any field."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return refuse_control_characters(value)


class EntryIn(Exact):
    seq: int = Field(ge=1, le=2**62)
    uuid: UUID
    kind: EntryKind
    sku: str = Field(default="", max_length=32)
    quantity: Decimal | None = Field(default=None, max_digits=14, decimal_places=3)
    document_type: str = Field(min_length=1, max_length=32)
    document_id: UUID
    payload: dict[str, Any] = Field(default_factory=dict)
    user: str = Field(default="", max_length=150)
    created_at: StorableDatetime
    config_version: int = Field(ge=0, le=INT32_MAX)

    @model_validator(mode="after")
    def _movement_has_sku_and_quantity(self) -> EntryIn:
        if self.kind in MOVEMENT_KINDS and (not self.sku or not self.quantity):
            raise ValueError(f"a {self.kind} entry needs a sku and a non-zero quantity")
        if self.kind == EntryKind.COUNT and (
            not self.sku or self.quantity is None or self.quantity < 0
        ):
            raise ValueError("a count entry needs a sku and the quantity counted (0 or more)")
        if self.kind in DOCUMENT_KINDS and (self.sku or self.quantity is not None):
            raise ValueError(f"a {self.kind} entry carries no sku or quantity")
        return self


class RawEntry(BaseModel):
    """An entry HQ cannot read as an EntryIn (a kind it does not know yet, a bad field): it
    is held at its seq and quarantined with the reason, so the entries behind it go on."""

    model_config = ConfigDict(extra="allow", frozen=True)
    seq: int = Field(ge=1, le=2**62)


class EventsIn(Exact):
    entries: list[EntryIn | RawEntry] = Field(max_length=MAX_ENTRIES_PER_PUSH)


class QuarantinedOut(Exact):
    seq: int
    reason: str


class EventsOut(Exact):
    high_water_mark: int
    accepted: int
    duplicates: int
    quarantined: list[QuarantinedOut] = Field(
        default_factory=list, description="entries of this batch held but not applied, and why"
    )


class DetailOut(Exact):
    detail: Any


class ConflictOut(Exact):
    detail: str
    high_water_mark: int
    conflicts: list[int]


class AdjustmentDoc(Exact):
    promotion: str = Field(min_length=1, max_length=32)
    amount: Decimal = Field(max_digits=12, decimal_places=2)
    reason: str = Field(max_length=300)


class SaleLineDoc(Exact):
    id: UUID
    position: int = Field(ge=1)
    sku: str = Field(min_length=1, max_length=32)
    name: str = Field(max_length=200)
    quantity: Decimal = Field(max_digits=12, decimal_places=3)
    weight_kg: Decimal | None = Field(default=None, max_digits=9, decimal_places=3)
    unit_price: Decimal = Field(max_digits=12, decimal_places=2)
    base_amount: Decimal | None = Field(default=None, max_digits=12, decimal_places=2)
    amount: Decimal = Field(max_digits=12, decimal_places=2)
    tax_class: str = Field(max_length=16)
    adjustments: list[AdjustmentDoc] = Field(default_factory=list, max_length=50)
    returns_line: UUID | None = Field(default=None, description="on a return: the line sold")
    prior_price: Decimal | None = Field(
        default=None,
        max_digits=12,
        decimal_places=2,
        ge=0,
        description="the lowest 30-day price the receipt showed beside the line's reduction",
    )


class TenderDoc(Exact):
    id: UUID
    method: str = Field(max_length=16)
    amount: Decimal = Field(max_digits=12, decimal_places=2)
    terminal_reference: str = Field(default="", pattern=r"^[A-Za-z0-9-]{0,32}$")
    card_last4: str = Field(default="", pattern=r"^([0-9]{4})?$")


class TaxDoc(Exact):
    tax_class: str = Field(max_length=16)
    rate: Decimal = Field(max_digits=8, decimal_places=6)
    inclusive: bool
    net: Decimal = Field(max_digits=12, decimal_places=2)
    tax: Decimal = Field(max_digits=12, decimal_places=2)
    gross: Decimal = Field(max_digits=12, decimal_places=2)


class SaleDoc(Exact):
    number: str = Field(min_length=1, max_length=32)
    lane: int = Field(ge=1, le=999)
    completed_at: StorableDatetime
    config_version: int = Field(ge=0, le=INT32_MAX)
    subtotal: Decimal = Field(max_digits=12, decimal_places=2)
    discount_total: Decimal = Field(max_digits=12, decimal_places=2)
    tax_total: Decimal = Field(max_digits=12, decimal_places=2)
    total: Decimal = Field(max_digits=12, decimal_places=2)
    amount_paid: Decimal = Field(max_digits=12, decimal_places=2)
    change: Decimal = Field(max_digits=12, decimal_places=2)
    cash_rounding: Decimal = Field(default=Decimal("0.00"), max_digits=6, decimal_places=2)
    member_card: str = Field(default="", max_length=32)
    cashier: str = Field(default="", max_length=16)
    returns: str = Field(default="", max_length=32, description="on a return: the sale number")
    approved_by: str = Field(default="", max_length=16, description="who approved a return")
    coupons: list[str] = Field(default_factory=list, max_length=10)
    lines: list[SaleLineDoc] = Field(min_length=1, max_length=1000)
    tenders: list[TenderDoc] = Field(max_length=50)
    taxes: list[TaxDoc] = Field(max_length=50)


class UnresolvedCardDoc(Exact):
    """A card payment whose outcome the terminal never gave (released by a supervisor, or
    still being checked when the shift closed)."""

    id: UUID
    amount: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    at: StorableDatetime
    released_by: str = Field(default="", max_length=16)


class CardTerminalDoc(Exact):
    """The lane terminal's end of day at the close, against the shift's card tenders."""

    state: Literal["done", "not done"]
    message: str = Field(default="", max_length=200)
    terminal_total: Decimal | None = Field(default=None, max_digits=14, decimal_places=2)
    card_tenders: Decimal = Field(max_digits=14, decimal_places=2)
    difference: Decimal | None = Field(default=None, max_digits=14, decimal_places=2)
    unresolved: list[UnresolvedCardDoc] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def _difference_adds_up(self) -> CardTerminalDoc:
        if self.terminal_total is None or self.state != "done":
            if self.difference is not None or self.terminal_total is not None:
                raise ValueError("an end of day not done has no total and no difference")
        elif self.difference != self.terminal_total - self.card_tenders:
            raise ValueError("difference must be terminal_total - card_tenders")
        return self


class DrawerDoc(Exact):
    """The cash drawer opened with no sale: the lane, the shift, who, when and why."""

    lane: int = Field(ge=1, le=999)
    shift_id: UUID
    reason: str = Field(min_length=3, max_length=200)
    by: str = Field(default="", max_length=16)
    at: StorableDatetime


class ShiftDoc(Exact):
    """A shift's Z report: what it sold and what the drawer held against what it should."""

    shift_id: UUID
    lane: int = Field(ge=1, le=999)
    cashier: str = Field(default="", max_length=16)
    opened_at: StorableDatetime
    closed_at: StorableDatetime
    sales: int = Field(ge=0, le=INT32_MAX)
    returns: int = Field(ge=0, le=INT32_MAX)
    sales_total: Decimal = Field(max_digits=14, decimal_places=2)
    returns_total: Decimal = Field(max_digits=14, decimal_places=2)
    tenders: dict[str, Decimal] = Field(max_length=10)
    opening_float: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    paid_in: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    paid_out: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    expected_cash: Decimal = Field(max_digits=14, decimal_places=2)
    counted_cash: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    variance: Decimal = Field(max_digits=14, decimal_places=2)
    # Stores before the drawer and the card terminal were reported send none of these.
    drawer_openings: int = Field(default=0, ge=0, le=INT32_MAX)
    no_sales: int = Field(default=0, ge=0, le=INT32_MAX)
    card_terminal: CardTerminalDoc | None = None

    @model_validator(mode="after")
    def _variance_adds_up(self) -> ShiftDoc:
        if self.variance != self.counted_cash - self.expected_cash:
            raise ValueError("variance must be counted_cash - expected_cash")
        if self.closed_at < self.opened_at:
            raise ValueError("a shift closes after it opens")
        return self
