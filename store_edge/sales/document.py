"""The sale document: the one description of a completed sale or return at the store.

Completion and returns build it, the ledger entry carries it (it is what HQ receives),
recovery from HQ reads it back, and one writer (`records.sale_record`) turns it into the
sale's rows. Amounts are Decimal, written to JSON as strings ("12.34"); times keep their
UTC offset ("…+00:00"). HQ holds its own strict model of the same document
(cloud_hq.ingest.contract.SaleDoc); the contract tests hold the two together.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, PlainSerializer

from store_edge.baskets.models import TenderMethod

Moment = Annotated[AwareDatetime, PlainSerializer(datetime.isoformat, when_used="json")]
SALE_NUMBER_PATTERN = r"^\d{2,3}-\d{1,10}$"


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AdjustmentDoc(_Document):
    """What a promotion, an override or a discount took off a line, and why."""

    promotion: str = Field(min_length=1, max_length=32)
    amount: Decimal
    reason: str = Field(max_length=300)


class SaleLineDoc(_Document):
    id: UUID
    position: int = Field(ge=1)
    sku: str = Field(min_length=1, max_length=32)
    name: str = Field(max_length=200)
    quantity: Decimal  # pieces; 1 for a weighed line (negative on a return)
    weight_kg: Decimal | None = None
    unit_price: Decimal
    # Sales made before lines kept their amount before promotions have none: their amount.
    base_amount: Decimal | None = None
    amount: Decimal
    tax_class: str = Field(max_length=16)
    adjustments: list[AdjustmentDoc] = Field(default_factory=list)
    returns_line: UUID | None = None  # on a return: the sold line it takes back
    # Where its price was reduced: the lowest price of the 30 days before, as shown
    # (EU Omnibus); kept so that a reprint says what the sale said.
    prior_price: Decimal | None = None

    @property
    def amount_before_adjustments(self) -> Decimal:
        return self.amount if self.base_amount is None else self.base_amount


class TenderDoc(_Document):
    id: UUID
    method: TenderMethod
    amount: Decimal
    terminal_reference: str = ""
    card_last4: str = ""


class TaxDoc(_Document):
    tax_class: str = Field(max_length=16)
    rate: Decimal
    inclusive: bool
    net: Decimal
    tax: Decimal
    gross: Decimal


class SaleDocument(_Document):
    """A completed sale (positive amounts) or return (negative ones, `returns` naming the
    sale it takes back, when it has a receipt)."""

    number: str = Field(pattern=SALE_NUMBER_PATTERN)
    lane: int = Field(ge=1, le=999)
    completed_at: Moment
    config_version: int = Field(ge=0)
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    amount_paid: Decimal
    change: Decimal
    cash_rounding: Decimal = Decimal("0.00")  # cash due minus total
    member_card: str = ""
    coupons: list[str] = Field(default_factory=list)
    cashier: str = ""
    returns: str = ""  # a return: the number of the sale it takes back
    approved_by: str = ""  # a return without receipt: the supervisor who approved it
    lines: list[SaleLineDoc] = Field(min_length=1)
    tenders: list[TenderDoc]
    taxes: list[TaxDoc]

    @property
    def sequence_number(self) -> int:
        """The store-wide counter's number in the sale number ("01-0000042" → 42)."""
        return int(self.number.split("-", 1)[1])
