"""Rebuild the summary tables from what HQ holds, in the database (PostgreSQL): after an
upgrade that added a summary, or after sales were loaded in bulk. Ingest keeps them in step
otherwise; the same rules here as in services.sales_summarize (a test holds them equal)."""

from __future__ import annotations

from django.conf import settings
from django.db import connection, models, transaction

from cloud_hq.reporting.models import (
    ChainDirtyDay,
    ProductDay,
    ProductDayChain,
    PromotionDay,
    SalesHour,
    ShrinkDay,
    TaxDay,
    TenderDay,
)


class RebuildRefused(Exception):
    pass


# Each sale with its day and hour in HQ's time zone, and whether it is a return (its ledger
# entry's kind). %(stores)s is NULL for every store.
SALES = """
SELECT s.*, (s.completed_at AT TIME ZONE %(tz)s)::date AS day,
       extract(hour FROM s.completed_at AT TIME ZONE %(tz)s)::int AS hour,
       coalesce(e.kind = 'return_completed', false) AS is_return
FROM hq_ingest_sale s
LEFT JOIN hq_ingest_ledgerentry e ON e.store_id = s.store_id AND e.seq = s.seq
WHERE %(stores)s::text[] IS NULL OR s.store_id = ANY(%(stores)s::text[])
"""

STATEMENTS = [
    """
INSERT INTO hq_reporting_saleshour (store_id, day, hour, sales, returns, items, lines,
                                    sales_total, returns_total, discount_total)
SELECT s.store_id, s.day, s.hour,
       count(*) FILTER (WHERE NOT s.is_return), count(*) FILTER (WHERE s.is_return),
       coalesce(sum(l.items) FILTER (WHERE NOT s.is_return), 0),
       coalesce(sum(l.lines) FILTER (WHERE NOT s.is_return), 0),
       coalesce(sum(s.total) FILTER (WHERE NOT s.is_return), 0),
       coalesce(sum(s.total) FILTER (WHERE s.is_return), 0), sum(s.discount_total)
FROM (__SALES__) s
LEFT JOIN (SELECT sale_id, count(*) AS lines,
                  sum(CASE WHEN weight_kg IS NULL THEN quantity ELSE 1 END) AS items
           FROM hq_ingest_saleline GROUP BY sale_id) l ON l.sale_id = s.id
GROUP BY 1, 2, 3
""",
    """
INSERT INTO hq_reporting_productday (store_id, day, sku, quantity, amount, discount, returned,
                                     category)
SELECT s.store_id, s.day, l.sku, sum(l.quantity), sum(l.amount),
       sum(l.amount - coalesce(l.base_amount, l.amount)),
       coalesce(sum(-l.quantity) FILTER (WHERE s.is_return), 0),
       coalesce(max(c.code), '')
FROM (__SALES__) s
JOIN hq_ingest_saleline l ON l.sale_id = s.id
LEFT JOIN hq_catalog_product p ON p.sku = l.sku
LEFT JOIN hq_catalog_category c ON c.id = p.category_id
GROUP BY 1, 2, 3
""",
    """
INSERT INTO hq_reporting_tenderday (store_id, day, method, count, amount)
SELECT s.store_id, s.day, t.method, sum(t.n),
       sum(t.amount - CASE WHEN t.method = 'cash' THEN s.change ELSE 0 END)
FROM (__SALES__) s
JOIN (SELECT sale_id, method, count(*) AS n, sum(amount) AS amount
      FROM hq_ingest_saletender GROUP BY 1, 2) t ON t.sale_id = s.id
GROUP BY 1, 2, 3
""",
    """
INSERT INTO hq_reporting_promotionday (store_id, day, promotion, lines, amount, sales_amount)
SELECT s.store_id, s.day, a.value->>'promotion', count(*), sum((a.value->>'amount')::numeric),
       sum(l.amount)
FROM (__SALES__) s
JOIN hq_ingest_saleline l ON l.sale_id = s.id
CROSS JOIN LATERAL jsonb_array_elements(l.adjustments) a
GROUP BY 1, 2, 3
""",
    """
INSERT INTO hq_reporting_taxday (store_id, day, tax_class, rate, inclusive, receipts, net, tax,
                                 gross)
SELECT s.store_id, s.day, t.tax_class, t.rate, t.inclusive, count(*), sum(t.net), sum(t.tax),
       sum(t.gross)
FROM (__SALES__) s
JOIN hq_ingest_saletax t ON t.sale_id = s.id
GROUP BY 1, 2, 3, 4, 5
""",
    """
INSERT INTO hq_reporting_shrinkday (store_id, day, sku, reason, quantity, entries)
SELECT store_id, day, sku, reason, sum(quantity), count(*) FROM (
  SELECT store_id, (created_at AT TIME ZONE %(tz)s)::date AS day, sku, kind AS reason, quantity
  FROM hq_ingest_ledgerentry
  WHERE kind IN ('adjustment', 'waste') AND quarantine_reason = ''
    AND (%(stores)s::text[] IS NULL OR store_id = ANY(%(stores)s::text[]))
  UNION ALL
  SELECT store_id, (counted_at AT TIME ZONE %(tz)s)::date, sku, 'count', delta
  FROM hq_reconciliation_countadjustment
  WHERE delta <> 0 AND (%(stores)s::text[] IS NULL OR store_id = ANY(%(stores)s::text[]))
) losses
GROUP BY 1, 2, 3, 4
""",
]

STATEMENTS = [statement.replace("__SALES__", SALES) for statement in STATEMENTS]

# The chain's product summary, from every store's (whichever stores were rebuilt).
CHAIN = """
INSERT INTO hq_reporting_productdaychain (day, sku, category, quantity, amount, discount,
                                          returned)
SELECT day, sku, max(category), sum(quantity), sum(amount), sum(discount), sum(returned)
FROM hq_reporting_productday GROUP BY 1, 2
"""
SUMMARIES: tuple[type[models.Model], ...] = (
    SalesHour,
    ProductDay,
    TenderDay,
    PromotionDay,
    TaxDay,
    ShrinkDay,
)


def summaries_rebuild(*, stores: list[str] | None = None) -> dict[str, int]:
    """Replace the summaries (of some stores, or all) with ones computed from the sales,
    ledger and counts HQ holds, in one transaction. Answers the rows written per table."""
    if connection.vendor != "postgresql":
        raise RebuildRefused("rebuilding the report summaries runs on PostgreSQL")
    written = {}
    params = {"tz": settings.TIME_ZONE, "stores": stores}
    with transaction.atomic(), connection.cursor() as cursor:
        for model in SUMMARIES:
            rows = model._default_manager.all()
            (rows if stores is None else rows.filter(store_id__in=stores)).delete()
        for summary, statement in zip(SUMMARIES, STATEMENTS, strict=True):
            cursor.execute(statement, params)
            written[summary._meta.model_name or ""] = cursor.rowcount
        ProductDayChain.objects.all().delete()
        ChainDirtyDay.objects.all().delete()
        cursor.execute(CHAIN)
        written["productdaychain"] = cursor.rowcount
    return written
