"""Ring up a basket and complete it as a sale: every write is one short transaction."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from devices.barcodes import parse_code
from store_edge.catalog.models import Unit
from store_edge.catalog.selectors import config_state, product_for_code
from store_edge.inventory.models import EntryKind
from store_edge.inventory.services import NewEntry, counter_take, ledger_append
from store_edge.pricing.domain import PricedBasket
from store_edge.sales.errors import (
    BasketClosed,
    BasketEmpty,
    BasketNotFound,
    BasketUnpaid,
    InvalidItem,
)
from store_edge.sales.models import (
    Basket,
    BasketLine,
    BasketPayment,
    BasketStatus,
    Lane,
    Sale,
    SaleLine,
    SaleTax,
    SaleTender,
    TenderMethod,
)
from store_edge.sales.pricing import basket_price

SALE_NUMBER = "sale_number"
MAX_QUANTITY = 9999
MAX_WEIGHT_KG = Decimal("999.999")
MAX_TENDER = Decimal("1000000.00")
GRAM = Decimal("0.001")


def basket_open(*, lane: Lane) -> Basket:
    """Open a new, empty basket on a lane."""
    with transaction.atomic():
        return Basket.objects.create(lane=lane)


def _open_basket(*, basket_id: uuid.UUID, lane: Lane) -> Basket:
    basket = Basket.objects.filter(id=basket_id, lane=lane).first()
    if basket is None:
        raise BasketNotFound(f"No basket {basket_id} on {lane}")
    if basket.status != BasketStatus.OPEN:
        raise BasketClosed(f"Basket {basket_id} is already {basket.status}")
    return basket


def basket_add_item(
    *,
    basket_id: uuid.UUID,
    lane: Lane,
    code: str,
    quantity: int | None = None,
    weight_kg: Decimal | None = None,
) -> BasketLine:
    """Add the product a code designates to an open basket at its list price."""
    product = product_for_code(scanned=parse_code(code))
    if product.unit == Unit.KG:
        if quantity not in (None, 1):
            raise InvalidItem(f"{product.name} is sold by weight: give a weight, not a quantity")
        if weight_kg is None:
            raise InvalidItem(f"{product.name} is sold by weight: weigh it first")
        if not Decimal("0.001") <= weight_kg <= MAX_WEIGHT_KG or weight_kg != weight_kg.quantize(
            GRAM
        ):
            raise InvalidItem(f"weight must be between 0.001 and {MAX_WEIGHT_KG} kg, in grams")
        quantity = 1
    else:
        if weight_kg is not None:
            raise InvalidItem(f"{product.name} is sold by the piece: give a quantity, not a weight")
        quantity = 1 if quantity is None else quantity
        if not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidItem(f"quantity must be between 1 and {MAX_QUANTITY}")
    with transaction.atomic():
        basket = _open_basket(basket_id=basket_id, lane=lane)
        last = basket.lines.aggregate(last=Max("position"))["last"] or 0
        return BasketLine.objects.create(
            basket=basket,
            position=last + 1,
            sku=product.sku,
            name=product.name,
            code=code.strip(),
            quantity=Decimal(quantity).quantize(GRAM),
            weight_kg=weight_kg,
            unit_price=product.price,
            tax_class=product.tax_class.code,
            tax_rate=product.tax_class.rate,
            tax_inclusive=product.tax_class.inclusive,
        )


def basket_remove_line(*, basket_id: uuid.UUID, lane: Lane, line_id: uuid.UUID) -> None:
    """Remove a line from an open basket."""
    with transaction.atomic():
        basket = _open_basket(basket_id=basket_id, lane=lane)
        deleted, _ = basket.lines.filter(id=line_id).delete()
        if not deleted:
            raise BasketNotFound(f"No line {line_id} in basket {basket_id}")


def basket_add_payment(
    *, basket_id: uuid.UUID, lane: Lane, method: str, amount: Decimal
) -> BasketPayment:
    """Record a tender against an open basket."""
    if method not in TenderMethod.values:
        raise InvalidItem(f"unknown payment method {method!r}")
    if not Decimal("0.01") <= amount <= MAX_TENDER or amount != amount.quantize(Decimal("0.01")):
        raise InvalidItem(f"amount must be between 0.01 and {MAX_TENDER}, in cents")
    with transaction.atomic():
        basket = _open_basket(basket_id=basket_id, lane=lane)
        return BasketPayment.objects.create(basket=basket, method=method, amount=amount)


def sale_complete(*, basket_id: uuid.UUID, lane: Lane, user: str) -> tuple[Sale, bool]:
    """Complete a fully paid basket as a sale, with its ledger entries, in one transaction.

    Completing a basket that is already completed returns its sale (a double click on
    "Pay" makes one sale). Returns the sale and whether this call created it.
    """
    version = config_state().version
    with transaction.atomic():
        basket = Basket.objects.filter(id=basket_id, lane=lane).select_related("sale").first()
        if basket is None:
            raise BasketNotFound(f"No basket {basket_id} on {lane}")
        if basket.sale is not None:
            return basket.sale, False
        lines = list(basket.lines.all())
        if not lines:
            raise BasketEmpty("The basket is empty: nothing to sell")
        priced = basket_price(lines=lines)
        payments = list(basket.payments.all())
        paid = sum((p.amount for p in payments), Decimal("0.00"))
        if paid < priced.total:
            raise BasketUnpaid(
                f"{priced.total - paid} still due: total {priced.total}, paid {paid}"
            )
        now = timezone.now()
        number = f"{lane.number:02d}-{counter_take(name=SALE_NUMBER):07d}"
        sale = Sale.objects.create(
            number=number,
            lane=lane,
            completed_at=now,
            config_version=version,
            subtotal=priced.subtotal,
            discount_total=priced.discount_total,
            tax_total=priced.tax_total,
            total=priced.total,
            amount_paid=paid,
            change=paid - priced.total,
        )
        sale_lines = _sale_lines(sale=sale, lines=lines, priced=priced)
        tenders = SaleTender.objects.bulk_create(
            SaleTender(sale=sale, method=p.method, amount=p.amount) for p in payments
        )
        taxes = SaleTax.objects.bulk_create(
            SaleTax(
                sale=sale,
                tax_class=t.code,
                rate=t.rate,
                inclusive=t.inclusive,
                net=t.net,
                tax=t.tax,
                gross=t.gross,
            )
            for t in priced.taxes
        )
        ledger_append(
            entries=[
                NewEntry(
                    kind=EntryKind.SALE_COMPLETED,
                    document_type="sale",
                    document_id=sale.id,
                    payload=sale_document(
                        sale=sale, lines=sale_lines, tenders=tenders, taxes=taxes
                    ),
                ),
                *(
                    NewEntry(
                        kind=EntryKind.SALE,
                        document_type="sale",
                        document_id=sale.id,
                        sku=line.sku,
                        quantity=-(line.weight_kg if line.weight_kg is not None else line.quantity),
                    )
                    for line in sale_lines
                ),
            ],
            user=user,
            at=now,
            config_version=version,
        )
        basket.status = BasketStatus.COMPLETED
        basket.sale = sale
        basket.save(update_fields=["status", "sale"])
    return sale, True


def _sale_lines(*, sale: Sale, lines: list[BasketLine], priced: PricedBasket) -> list[SaleLine]:
    amounts = {p.line_id: p.amount for p in priced.lines}
    return SaleLine.objects.bulk_create(
        SaleLine(
            sale=sale,
            position=index,
            sku=line.sku,
            name=line.name,
            quantity=line.quantity,
            weight_kg=line.weight_kg,
            unit_price=line.unit_price,
            amount=amounts[str(line.id)],
            tax_class=line.tax_class,
        )
        for index, line in enumerate(lines, start=1)
    )


def sale_document(
    *, sale: Sale, lines: list[SaleLine], tenders: list[SaleTender], taxes: list[SaleTax]
) -> dict[str, Any]:
    """Return the sale as HQ receives it: amounts as strings, nothing left out."""
    return {
        "number": sale.number,
        "lane": sale.lane.number,
        "completed_at": sale.completed_at.isoformat(),
        "config_version": sale.config_version,
        "subtotal": str(sale.subtotal),
        "discount_total": str(sale.discount_total),
        "tax_total": str(sale.tax_total),
        "total": str(sale.total),
        "amount_paid": str(sale.amount_paid),
        "change": str(sale.change),
        "lines": [
            {
                "id": str(line.id),
                "position": line.position,
                "sku": line.sku,
                "name": line.name,
                "quantity": str(line.quantity),
                "weight_kg": None if line.weight_kg is None else str(line.weight_kg),
                "unit_price": str(line.unit_price),
                "amount": str(line.amount),
                "tax_class": line.tax_class,
            }
            for line in lines
        ],
        "tenders": [
            {"id": str(t.id), "method": t.method, "amount": str(t.amount)} for t in tenders
        ],
        "taxes": [
            {
                "tax_class": t.tax_class,
                "rate": str(t.rate),
                "inclusive": t.inclusive,
                "net": str(t.net),
                "tax": str(t.tax),
                "gross": str(t.gross),
            }
            for t in taxes
        ],
    }
