"""What a scanned code designates in the catalogue in force: the product, its tax, and every
price entry HQ published for it (read in one query, cached per config)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from devices.barcodes import parse_code
from store_edge.catalog.models import Barcode, ConfigState, PriceEntry, Product, TaxClass
from store_edge.catalog.selectors import ProductNotFound, product_for_code
from store_edge.pricing.domain import Scope

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture
def catalogue() -> Product:
    ConfigState.objects.create(id=1, version=3, applied_at=NOON)
    food = TaxClass.objects.create(code="food", rate=Decimal("0.0700"), inclusive=True)
    milk = Product.objects.create(sku="MILK", name="Milk 1 l", price=Decimal("1.19"), unit="each",
                                  tax_class=food, category="dairy", plu="")  # fmt: skip
    Barcode.objects.create(gtin="04006381333931", code="4006381333931", product=milk)
    PriceEntry.objects.create(product=milk, price=Decimal("1.09"), scope=Scope.REGION)
    PriceEntry.objects.create(product=milk, price=Decimal("0.99"), scope=Scope.STORE,
                              starts=NOON, ends=datetime(2026, 6, 2, tzinfo=UTC))  # fmt: skip
    bread = Product.objects.create(sku="BREAD", name="Bread", price=Decimal("2.49"), unit="each",
                                   tax_class=food, plu="4011")  # fmt: skip
    return bread


def test_a_code_gives_its_product_with_every_price_entry_and_the_config_it_came_from(
    catalogue: Product,
) -> None:
    stamp, milk = product_for_code(scanned=parse_code("4006381333931"))
    assert stamp[0] == 3
    assert (milk.sku, milk.name, milk.price, milk.tax_class, milk.tax_rate, milk.category) == (
        "MILK", "Milk 1 l", Decimal("1.19"), "food", Decimal("0.0700"), "dairy"
    )  # fmt: skip
    assert sorted((e.price, e.scope) for e in milk.prices) == [
        (Decimal("0.99"), Scope.STORE),
        (Decimal("1.09"), Scope.REGION),
    ]
    assert milk.price_at(datetime(2026, 6, 1, 11, tzinfo=UTC)) == Decimal("1.09")  # region's
    assert milk.price_at(NOON) == Decimal("0.99")  # the store's, while it runs


def test_a_product_without_price_entries_has_its_list_price(catalogue: Product) -> None:
    _, bread = product_for_code(scanned=parse_code("4011"))
    assert bread.prices == () and bread.price_at(NOON) == Decimal("2.49")


def test_an_unknown_code_is_refused(catalogue: Product) -> None:
    with pytest.raises(ProductNotFound):
        product_for_code(scanned=parse_code("4006381333948"))
