"""The wire contract of a store of sync protocol 1, as it was released (frozen: HQ serves
protocol 1 until every store speaks 2, and tests its answers against this). Do not edit."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaxClassWire(_Strict):
    code: str = Field(min_length=1, max_length=16)
    rate: Decimal = Field(ge=0, lt=1, max_digits=8, decimal_places=6)
    inclusive: bool


class StoreProfileWire(_Strict):
    name: str = Field(max_length=200)
    currency: str = Field(min_length=3, max_length=3)
    region: str = Field(default="", max_length=32)
    cash_rounding: Decimal | None = Field(default=None, gt=0, le=1, decimal_places=2)


class PromotionWire(_Strict):
    """A promotion as HQ publishes it (its groups already resolved into SKUs/categories)."""

    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    kind: Literal[
        "percent_off", "amount_off", "member_price", "multi_buy", "buy_x_get_y",
        "mix_and_match", "basket_threshold",
    ]  # fmt: skip
    starts: datetime
    ends: datetime
    weekdays: list[int] = Field(default_factory=list, max_length=7)
    hours: tuple[time, time] | None = None
    skus: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    stores: list[str] = Field(default_factory=list)
    priority: int = Field(default=0, ge=0)
    stackable: bool = False
    members_only: bool = False
    coupon: str = Field(default="", max_length=32)
    single_use: bool = False
    percent: Decimal | None = Field(default=None, gt=0, le=100)
    amount: Decimal | None = Field(default=None, gt=0)
    price: Decimal | None = Field(default=None, ge=0)
    quantity: int | None = Field(default=None, ge=1)
    get_quantity: int | None = Field(default=None, ge=1)
    get_percent: Decimal | None = Field(default=None, gt=0, le=100)
    threshold: Decimal | None = Field(default=None, gt=0)


class PriceWire(_Strict):
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    scope: Literal["chain", "region", "store"]
    region: str = ""
    store: str = ""
    starts: datetime | None = None
    ends: datetime | None = None


class KnownStoreWire(_Strict):
    code: str = Field(min_length=1, max_length=16)
    name: str = Field(max_length=200)


class DeliveryLineWire(_Strict):
    sku: str = Field(min_length=1, max_length=32)
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)


class DeliveryWire(_Strict):
    reference: str = Field(min_length=1, max_length=64)
    supplier: str = Field(default="", max_length=200)
    expected_at: datetime | None = None
    lines: list[DeliveryLineWire] = Field(min_length=1, max_length=5000)


class ConfigManifestWire(_Strict):
    version: int = Field(ge=1)
    published_at: datetime
    store: StoreProfileWire
    tax_classes: list[TaxClassWire]
    promotions: list[PromotionWire] = Field(default_factory=list)
    stores: list[KnownStoreWire] = Field(default_factory=list, max_length=100_000)
    deliveries: list[DeliveryWire] = Field(default_factory=list, max_length=1000)
    product_pages: int = Field(ge=0)
    products_total: int = Field(ge=0)
    delta_from: int | None = Field(default=None, ge=1)
    removed: list[str] = Field(default_factory=list, max_length=1_000_000)
    catalogue_total: int | None = Field(default=None, ge=0)


class ProductWire(_Strict):
    sku: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    barcodes: list[str] = Field(max_length=50)
    plu: str = Field(default="", max_length=5)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    tax_class: str = Field(min_length=1, max_length=16)
    unit: Literal["each", "kg"]
    category: str = Field(default="", max_length=64)
    prices: list[PriceWire] = Field(default_factory=list, max_length=100)


class ProductsPageWire(_Strict):
    version: int = Field(ge=1)
    page: int = Field(ge=1)
    products: list[ProductWire]


class QuarantinedWire(_Strict):
    seq: int = Field(ge=1)
    reason: str = Field(max_length=4000)


class PushAnswerWire(_Strict):
    high_water_mark: int = Field(ge=0)
    accepted: int = Field(ge=0)
    duplicates: int = Field(ge=0)
    quarantined: list[QuarantinedWire] = Field(default_factory=list, max_length=20000)


class ConflictAnswerWire(_Strict):
    detail: str = Field(max_length=4000)
    high_water_mark: int = Field(ge=0)
    conflicts: list[int] = Field(max_length=20000)


class EntryWire(BaseModel):
    """An entry of HQ's ledger page: what the store pushed, as HQ holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    seq: int = Field(ge=1, le=2**62)
    uuid: UUID
    kind: str = Field(min_length=1, max_length=32)
    sku: str = Field(default="", max_length=32)
    quantity: Decimal | None = Field(default=None, max_digits=14, decimal_places=3)
    document_type: str = Field(max_length=32)
    document_id: UUID
    payload: dict[str, Any] = Field(default_factory=dict)
    user: str = Field(default="", max_length=150)
    created_at: AwareDatetime
    config_version: int = Field(ge=0)


class LedgerPageWire(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    high_water_mark: int = Field(ge=0)
    entries: list[EntryWire] = Field(max_length=5000)
