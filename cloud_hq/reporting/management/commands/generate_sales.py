"""Load a chain's worth of sales straight into PostgreSQL, for the report pages at scale.

Deterministic (the same options give the same data), written by the database itself in
chunks; then the report summaries of the generated stores are rebuilt."""

from __future__ import annotations

import time
from datetime import datetime
from datetime import time as day_time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from cloud_hq.catalog.models import Product
from cloud_hq.reporting.rebuild import summaries_rebuild
from cloud_hq.stores.models import Store

CHUNK_SALES = 100_000

PRODUCTS = """
CREATE TEMP TABLE IF NOT EXISTS generated_products ON COMMIT PRESERVE ROWS AS
SELECT (row_number() OVER (ORDER BY p.sku) - 1)::int AS n, p.sku, p.name, p.price,
       t.code AS tax_class
FROM hq_catalog_product p JOIN hq_catalog_taxclass t ON t.id = p.tax_class_id
WHERE p.unit = 'each';
CREATE UNIQUE INDEX IF NOT EXISTS generated_products_n ON generated_products (n);
ANALYZE generated_products
"""

# One sale per g: its store, time (between 08:00 and 20:00 on one of the days) and lines
# (product and quantity picked by arithmetic on g and the position k).
SALES = """
INSERT INTO hq_ingest_sale (id, store_id, number, lane, completed_at, config_version,
  subtotal, discount_total, tax_total, total, amount_paid, change, cash_rounding, member_card,
  coupons, cashier, returns, approved_by, seq)
SELECT md5(%(tag)s || 's' || g)::uuid, %(prefix)s || lpad((g %% %(stores)s + 1)::text, 4, '0'),
       'G-' || g, 1 + g %% 6,
       %(end)s::timestamptz - ((g * 7919) %% %(days)s) * interval '1 day'
         + (8 * 3600 + (g * 104729) %% (12 * 3600)) * interval '1 second',
       1, t.total, 0, round(t.total - t.total / 1.19, 2), t.total, t.total, 0, 0, '',
       '[]', '', '', '', g
FROM generate_series(%(first)s::bigint, %(last)s::bigint) g
CROSS JOIN LATERAL (
  SELECT sum(p.price * (1 + (g + k) %% 3)) AS total FROM generate_series(1, %(lines)s) k
  JOIN generated_products p ON p.n = (g * 31 + k * 977) %% %(products)s) t
"""

LINES = """
INSERT INTO hq_ingest_saleline (id, sale_id, position, sku, name, quantity, weight_kg,
  unit_price, base_amount, amount, tax_class, adjustments, returns_line)
SELECT md5(%(tag)s || 'l' || g || '-' || k)::uuid, md5(%(tag)s || 's' || g)::uuid, k, p.sku,
       p.name, 1 + (g + k) %% 3, NULL, p.price, p.price * (1 + (g + k) %% 3),
       p.price * (1 + (g + k) %% 3), p.tax_class, '[]', NULL
FROM generate_series(%(first)s::bigint, %(last)s::bigint) g
CROSS JOIN generate_series(1, %(lines)s) k
JOIN generated_products p ON p.n = (g * 31 + k * 977) %% %(products)s
"""

TENDERS = """
INSERT INTO hq_ingest_saletender (id, sale_id, method, amount, terminal_reference, card_last4)
SELECT md5(%(tag)s || 't' || g)::uuid, s.id, CASE WHEN g %% 3 = 0 THEN 'cash' ELSE 'card' END,
       s.total, CASE WHEN g %% 3 = 0 THEN '' ELSE 'T' || g END, ''
FROM generate_series(%(first)s::bigint, %(last)s::bigint) g
JOIN hq_ingest_sale s ON s.id = md5(%(tag)s || 's' || g)::uuid
"""

# Stock for the first SKUs at every generated store, some of it negative.
STOCK = """
INSERT INTO hq_reconciliation_stocklevel (store_id, sku, quantity, last_seq)
SELECT st.code, p.sku, ((p.n * 37 + length(st.code) * 11 + ascii(right(st.code, 1))) %% 60) - 5, 0
FROM hq_stores_store st CROSS JOIN generated_products p
WHERE st.code LIKE %(prefix)s || '%%' AND p.n < %(skus)s
ON CONFLICT (store_id, sku) DO NOTHING
"""


class Command(BaseCommand):
    help = "Generate stores and sales in bulk (PostgreSQL) for the report pages at scale."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--stores", type=int, default=500)
        parser.add_argument("--lines", type=int, default=10_000_000, help="sale lines in all")
        parser.add_argument("--lines-per-sale", type=int, default=5)
        parser.add_argument("--days", type=int, default=90, help="spread over the last N days")
        parser.add_argument("--regions", type=int, default=8)
        parser.add_argument("--stock-skus", type=int, default=1000, help="stock rows per store")
        parser.add_argument("--prefix", default="G", help="generated store codes: G0001, …")

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("generate_sales writes with PostgreSQL's own SQL")
        stores, lines, per_sale = options["stores"], options["lines"], options["lines_per_sale"]
        days, prefix = options["days"], options["prefix"]
        if not (1 <= stores <= 9999 and 1 <= per_sale <= 100 and 1 <= days <= 3660
                and 0 < lines <= 10**9 and 1 <= options["regions"] <= 100):  # fmt: skip
            raise CommandError("stores 1–9999, lines-per-sale 1–100, days 1–3660, lines > 0")
        if not prefix.isalpha() or len(prefix) > 4:
            raise CommandError("--prefix is up to four letters")
        products = Product.objects.filter(unit="each").count()
        if products == 0:
            raise CommandError("import a catalogue first (import_catalog)")
        codes = [f"{prefix}{n:04d}" for n in range(1, stores + 1)]
        Store.objects.bulk_create(
            [Store(code=code, name=f"Generated {code}", currency="EUR",
                   region=f"region-{n % options['regions'] + 1}")
             for n, code in enumerate(codes)],
            ignore_conflicts=True,
        )  # fmt: skip
        sales = lines // per_sale
        end = timezone.make_aware(datetime.combine(timezone.localdate(), day_time(0)))
        first = 1 + self._already(prefix)
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(PRODUCTS)
            for low in range(first, first + sales, CHUNK_SALES):
                high = min(low + CHUNK_SALES - 1, first + sales - 1)
                params = {"tag": prefix, "prefix": prefix, "stores": stores, "end": end,
                          "days": days, "first": low, "last": high, "lines": per_sale,
                          "products": products}  # fmt: skip
                with transaction.atomic():
                    for statement in (SALES, LINES, TENDERS):
                        cursor.execute(statement, params)
                self.stdout.write(f"sales {high - first + 1}/{sales} "
                                  f"({time.monotonic() - started:.0f} s)")  # fmt: skip
            cursor.execute(STOCK, {"prefix": prefix, "skus": options["stock_skus"]})
        written = summaries_rebuild(stores=codes)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(f"{stores} stores, {sales} sales, {sales * per_sale} lines over "
                          f"{days} days in {time.monotonic() - started:.0f} s; summaries: "
                          + ", ".join(f"{k} {v}" for k, v in written.items()))  # fmt: skip

    def _already(self, prefix: str) -> int:
        """Sales generated before under this prefix: a second run adds after them."""
        from cloud_hq.ingest.models import Sale

        return Sale.objects.filter(number__startswith="G-", store__code__startswith=prefix).count()
