"""Announce deliveries to stores: validated whole, published with the store's config."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cloud_hq.catalog.catalog_file import AmountString, CatalogFileError, Moment, error_path
from cloud_hq.catalog.models import Product
from cloud_hq.stores.models import AnnouncedDelivery, Store


class _DeliveryLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    sku: str = Field(pattern=r"^[A-Za-z0-9._-]{1,32}$")
    quantity: AmountString = Field(gt=0, max_digits=12, decimal_places=3)


class _Delivery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    store: str = Field(min_length=1, max_length=16)
    reference: str = Field(pattern=r"^[A-Za-z0-9._/-]{1,64}$")
    supplier: str = Field(default="", max_length=200)
    expected_at: Moment | None = None
    lines: list[_DeliveryLine] = Field(min_length=1, max_length=5000)


def delivery_announce(*, document: Any) -> AnnouncedDelivery:
    """Announce a delivery to a store, or raise CatalogFileError naming every problem."""
    try:
        delivery = _Delivery.model_validate(document)
    except ValidationError as exc:
        raise CatalogFileError(
            [f"{error_path(e['loc'])}: {e['msg']}" for e in exc.errors(include_url=False)]
        ) from exc
    problems = []
    store = Store.objects.filter(code=delivery.store).first()
    if store is None:
        problems.append(f"store: unknown store {delivery.store}")
    skus = [line.sku for line in delivery.lines]
    known = set(Product.objects.filter(sku__in=skus).values_list("sku", flat=True))
    problems += [f"lines: unknown SKU {sku}" for sku in sorted(set(skus) - known)]
    if len(set(skus)) != len(skus):
        problems.append("lines: a SKU is listed more than once")
    if store and AnnouncedDelivery.objects.filter(store=store, reference=delivery.reference):
        problems.append(f"reference: {delivery.reference} is already announced to {store.code}")
    if problems:
        raise CatalogFileError(problems)
    assert store is not None  # noqa: S101 - checked above
    with transaction.atomic():
        return AnnouncedDelivery.objects.create(
            store=store,
            reference=delivery.reference,
            supplier=delivery.supplier,
            expected_at=delivery.expected_at,
            lines=[{"sku": line.sku, "quantity": str(line.quantity)} for line in delivery.lines],
        )


def deliveries_wire(*, store: Store) -> list[dict[str, Any]]:
    """The deliveries announced to a store (it ignores references it already has)."""
    return [
        {
            "reference": d.reference,
            "supplier": d.supplier,
            "expected_at": d.expected_at.isoformat() if d.expected_at else None,
            "lines": d.lines,
        }
        for d in AnnouncedDelivery.objects.filter(store=store).order_by("announced_at")[:200]
    ]


def deliveries_stamp(*, store: Store) -> int:
    """A number that changes when a delivery is announced to the store (for the ETag)."""
    latest = AnnouncedDelivery.objects.filter(store=store).order_by("-id").first()
    return latest.id if latest else 0
