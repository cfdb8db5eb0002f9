"""The bulk generator for reports at scale: what it writes adds up, in the sales and in the
summaries the reports read; bad options are refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from cloud_hq.ingest.models import Sale, SaleLine, SaleTender
from cloud_hq.reconciliation.models import StockLevel
from cloud_hq.reporting.models import ProductDay, SalesHour, TenderDay
from cloud_hq.stores.models import Store
from tests.cloud_hq.conftest import catalog_document, refused_command, run_command

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the generator writes PostgreSQL's SQL"
)


def test_generated_sales_add_up_in_the_summaries(import_catalog: Any) -> None:
    import_catalog(catalog_document())
    out = run_command("generate_sales", stores=3, lines=600, lines_per_sale=3, days=5,
                      regions=2, stock_skus=2).stdout  # fmt: skip
    assert "3 stores, 200 sales, 600 lines over 5 days" in out
    assert Store.objects.filter(code__startswith="G").count() == 3
    assert set(Store.objects.filter(code__startswith="G").values_list("region", flat=True)) == {
        "region-1",
        "region-2",
    }
    assert Sale.objects.count() == 200 and SaleLine.objects.count() == 600
    assert SaleTender.objects.count() == 200
    total = Sale.objects.aggregate(t=Sum("total"))["t"]
    assert total == SaleLine.objects.aggregate(t=Sum("amount"))["t"] > 0
    assert SalesHour.objects.aggregate(s=Sum("sales"))["s"] == 200
    assert SalesHour.objects.aggregate(t=Sum("sales_total"))["t"] == total
    assert ProductDay.objects.aggregate(t=Sum("amount"))["t"] == total
    assert TenderDay.objects.aggregate(t=Sum("amount"))["t"] == total
    assert StockLevel.objects.count() == 3 * 2
    run_command("generate_sales", stores=3, lines=300, lines_per_sale=3, days=5)
    assert Sale.objects.count() == 300  # a second run adds after the first
    assert SalesHour.objects.aggregate(s=Sum("sales"))["s"] == 300
    assert Sale.objects.aggregate(t=Sum("total"))["t"] == SalesHour.objects.aggregate(
        t=Sum("sales_total"))["t"] + Decimal(0)  # fmt: skip


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"stores": 0}, "stores 1–9999"),
        ({"lines": -5}, "lines > 0"),
        ({"days": 0}, "days 1–3660"),
        ({"prefix": "G'; DROP"}, "--prefix is up to four letters"),
    ],
)
def test_bad_options_are_refused(import_catalog: Any, options: dict, message: str) -> None:
    import_catalog(catalog_document())
    refusal = refused_command("generate_sales", **options)
    assert message in refusal.message
    assert not Sale.objects.exists()


def test_without_a_catalogue_nothing_is_generated(db: None) -> None:
    assert "import a catalogue first" in refused_command("generate_sales", stores=2).message
    assert not Store.objects.exists()
    assert connection.vendor == "postgresql"
