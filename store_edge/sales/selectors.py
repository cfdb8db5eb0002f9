"""Reads of completed sales: by id or receipt number, and what of a sale can still come
back."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce

from store_edge.baskets.scan_rules import GRAM
from store_edge.sales.errors import SaleNotFound
from store_edge.sales.models import Sale, SaleLine


def sale_detail(*, sale_id: uuid.UUID) -> Sale:
    """Return a sale with its lines, tenders and taxes."""
    sale = (
        Sale.objects.select_related("lane")
        .prefetch_related("lines", "tenders", "taxes")
        .filter(id=sale_id)
        .first()
    )
    if sale is None:
        raise SaleNotFound(f"No sale {sale_id}")
    return sale


def sale_by_number(number: str) -> Sale:
    """A sale (not a return) of this store by its receipt number, with its rows."""
    sale = (
        Sale.objects.filter(number=number.strip()[:32], returns_sale=None)
        .prefetch_related("lines", "tenders", "taxes")
        .first()
    )
    if sale is None:
        raise SaleNotFound(f"No sale {number} at this store")
    return sale


def returnable(sale: Sale) -> dict[uuid.UUID, Decimal]:
    """What of each line of a sale can still come back (pieces, or kg for a weighed line)."""
    back = dict(
        SaleLine.objects.filter(returned_line__sale=sale)
        .values("returned_line_id")
        .annotate(back=Sum(Coalesce("weight_kg", "quantity")))
        .values_list("returned_line_id", "back")
    )
    return {
        line.id: (line.weight_kg if line.weight_kg is not None else line.quantity)
        + Decimal(str(back.get(line.id) or 0)).quantize(GRAM)  # returned amounts are negative
        for line in sale.lines.all()
    }
