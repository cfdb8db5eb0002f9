"""Keep the summary tables: ingest calls `sales_summarize` with the sales it records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from cloud_hq.catalog.models import Product
from cloud_hq.ingest.contract import EntryIn, EntryKind, SaleDoc
from cloud_hq.ingest.row_writes import rows_accumulate
from cloud_hq.reporting.models import (
    ChainDirtyDay,
    HeartbeatSample,
    ProductDay,
    ProductDayChain,
    PromotionDay,
    SalesHour,
    ShrinkDay,
    TaxDay,
    TenderDay,
)
from cloud_hq.stores.models import Store

ZERO = Decimal(0)


def _local(at: datetime) -> tuple[date, int]:
    local = timezone.localtime(at)
    return local.date(), local.hour


def sales_summarize(*, store: Store, sales: Sequence[tuple[EntryIn, SaleDoc]]) -> None:
    """Add a batch of recorded sales and returns to the hourly, product, tender and promotion
    summaries: a few upserts however large the batch."""
    if not sales:
        return
    hours: dict[tuple[date, int], list[Any]] = defaultdict(
        lambda: [0, 0, ZERO, 0, ZERO, ZERO, ZERO]
    )
    products: dict[tuple[date, str], list[Decimal]] = defaultdict(lambda: [ZERO] * 4)
    tenders: dict[tuple[date, str], list[Any]] = defaultdict(lambda: [0, ZERO])
    promotions: dict[tuple[date, str], list[Any]] = defaultdict(lambda: [0, ZERO, ZERO])
    taxes: dict[tuple[date, str, Decimal, bool], list[Any]] = defaultdict(
        lambda: [0, ZERO, ZERO, ZERO]
    )
    for entry, doc in sales:
        day, hour = _local(doc.completed_at)
        row = hours[(day, hour)]
        is_return = entry.kind == EntryKind.RETURN_COMPLETED
        row[1 if is_return else 0] += 1
        row[5 if is_return else 4] += doc.total
        row[6] += doc.discount_total
        if not is_return:
            row[3] += len(doc.lines)
        for line in doc.lines:
            if not is_return:
                row[2] += line.quantity if line.weight_kg is None else 1
            product = products[(day, line.sku)]
            product[0] += line.quantity
            product[1] += line.amount
            product[2] += line.amount - (line.base_amount if line.base_amount is not None
                                         else line.amount)  # fmt: skip
            if is_return:
                product[3] -= line.quantity
            for adjustment in line.adjustments:
                promotion = promotions[(day, adjustment.promotion)]
                promotion[0] += 1
                promotion[1] += adjustment.amount
                promotion[2] += line.amount
        for line_tax in doc.taxes:
            tax = taxes[(day, line_tax.tax_class, line_tax.rate, line_tax.inclusive)]
            tax[0] += 1
            tax[1] += line_tax.net
            tax[2] += line_tax.tax
            tax[3] += line_tax.gross
        change = doc.change  # given back in cash: the drawer keeps the tender less change
        for tender in doc.tenders:
            paid = tenders[(day, tender.method)]
            paid[0] += 1
            paid[1] += tender.amount
            if tender.method == "cash" and change:
                paid[1] -= change
                change = ZERO
    code = store.code
    rows_accumulate(
        SalesHour, ("store_id", "day", "hour"),
        [(code, day, hour, *values) for (day, hour), values in hours.items()],
        add=("sales", "returns", "items", "lines", "sales_total", "returns_total",
             "discount_total"),
    )  # fmt: skip
    categories = dict(
        Product.objects.filter(sku__anyof=list({sku for _, sku in products}))
        .exclude(category=None)
        .values_list("sku", "category__code")
    )
    rows_accumulate(
        ProductDay, ("store_id", "day", "sku"),
        [(code, day, sku, *values, categories.get(sku, ""))
         for (day, sku), values in products.items()],
        add=("quantity", "amount", "discount", "returned"), greatest=("category",),
    )  # fmt: skip
    rows_accumulate(ChainDirtyDay, ("day",), sorted({(day,) for day, _ in products}))
    rows_accumulate(
        TenderDay, ("store_id", "day", "method"),
        [(code, day, method, *values) for (day, method), values in tenders.items()],
        add=("count", "amount"),
    )  # fmt: skip
    rows_accumulate(
        PromotionDay, ("store_id", "day", "promotion"),
        [(code, day, promotion, *values) for (day, promotion), values in promotions.items()],
        add=("lines", "amount", "sales_amount"),
    )  # fmt: skip
    rows_accumulate(
        TaxDay, ("store_id", "day", "tax_class", "rate", "inclusive"),
        [(code, *key, *values) for key, values in taxes.items()],
        add=("receipts", "net", "tax", "gross"),
    )  # fmt: skip


def shrink_summarize(*, store: Store, losses: Sequence[tuple[str, datetime, str, Decimal]]) -> None:
    """Add stock lost or found — (reason, when, sku, quantity) — to the daily shrink."""
    totals: dict[tuple[date, str, str], list[Any]] = defaultdict(lambda: [ZERO, 0])
    for reason, at, sku, quantity in losses:
        row = totals[(_local(at)[0], sku, reason)]
        row[0] += quantity
        row[1] += 1
    rows_accumulate(
        ShrinkDay, ("store_id", "day", "sku", "reason"),
        [(store.code, *key, *values) for key, values in totals.items()],
        add=("quantity", "entries"),
    )  # fmt: skip


def heartbeat_sample(*, store: Store, metrics: dict[str, Any], alerts: int) -> None:
    """Keep a heartbeat for the store's history; older samples than the window go."""
    now = timezone.now()
    HeartbeatSample.objects.create(
        store=store, received_at=now, sync_lag_seconds=metrics.get("edge_sync_lag_seconds"),
        buffer_size=metrics["edge_buffer_size"],
        disk_usage_percent=metrics["edge_disk_usage_percent"],
        device_count=metrics["edge_device_count"], alerts=alerts,
    )  # fmt: skip


def heartbeat_samples_prune() -> int:
    horizon = timezone.now() - timedelta(days=settings.FLEET_HISTORY_DAYS)
    deleted, _ = HeartbeatSample.objects.filter(received_at__lt=horizon).delete()
    return deleted


def chain_refresh() -> list[date]:
    """Recompute the chain-wide product summary of the days pushes marked (the beat does it
    every minute, and a chain-wide product report first). Answers the days refreshed."""
    with transaction.atomic():
        marks = list(ChainDirtyDay.objects.select_for_update(skip_locked=True).order_by("day"))
        if not marks:
            return []
        days = [mark.day for mark in marks]
        ChainDirtyDay.objects.filter(id__in=[mark.id for mark in marks]).delete()
        ProductDayChain.objects.filter(day__in=days).delete()
        totals = (
            ProductDay.objects.filter(day__in=days)
            .values("day", "sku")
            .annotate(category_max=Max("category"), quantity_sum=Sum("quantity"),
                      amount_sum=Sum("amount"), discount_sum=Sum("discount"),
                      returned_sum=Sum("returned"))
            .order_by()
        )  # fmt: skip
        ProductDayChain.objects.bulk_create(
            (ProductDayChain(day=t["day"], sku=t["sku"], category=t["category_max"],
                             quantity=t["quantity_sum"], amount=t["amount_sum"],
                             discount=t["discount_sum"], returned=t["returned_sum"])
             for t in totals.iterator(chunk_size=5000)),
            batch_size=5000,
        )  # fmt: skip
    return days
