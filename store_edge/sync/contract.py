"""What the store expects HQ to answer: validated before anything is applied."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TaxClassWire(_Strict):
    code: str = Field(min_length=1, max_length=16)
    rate: Decimal = Field(ge=0, lt=1, max_digits=6, decimal_places=4)
    inclusive: bool


class StoreProfileWire(_Strict):
    name: str = Field(max_length=200)
    currency: str = Field(min_length=3, max_length=3)


class ConfigManifestWire(_Strict):
    version: int = Field(ge=1)
    published_at: datetime
    store: StoreProfileWire
    tax_classes: list[TaxClassWire]
    product_pages: int = Field(ge=0)
    products_total: int = Field(ge=0)


class ProductWire(_Strict):
    sku: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200)
    barcodes: list[str] = Field(max_length=50)
    plu: str = Field(default="", max_length=5)
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    tax_class: str = Field(min_length=1, max_length=16)
    unit: Literal["each", "kg"]
    category: str = Field(default="", max_length=64)


class ProductsPageWire(_Strict):
    version: int = Field(ge=1)
    page: int = Field(ge=1)
    products: list[ProductWire]


class PushAnswerWire(_Strict):
    high_water_mark: int = Field(ge=0)
    accepted: int = Field(ge=0)
    duplicates: int = Field(ge=0)
