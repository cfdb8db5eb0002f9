"""Many lanes completing sales at once: one sale each, one seq each, no gap."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from store_edge.baskets.services import basket_add_item, basket_add_payment, basket_open
from store_edge.inventory.models import StockLevel
from store_edge.inventory.selectors import stock_differences
from store_edge.lanes.models import Lane
from store_edge.ledger.models import LedgerEntry
from store_edge.sales.models import Sale
from store_edge.sales.services import sale_complete
from tests.store_edge.conftest import BREAD, PRODUCTS, snapshot

LANES = 6
SALES_PER_LANE = 8


def sell_on(lane_number: int, errors: list[BaseException]) -> None:
    try:
        lane = Lane.objects.get_or_create(number=lane_number)[0]
        for _ in range(SALES_PER_LANE):
            basket = basket_open(lane=lane)
            basket_add_item(basket_id=basket.id, lane=lane, code=BREAD, quantity=2)
            basket_add_payment(basket_id=basket.id, lane=lane, method="cash", amount=Decimal("5"))
            sale_complete(basket_id=basket.id, lane=lane, user=f"lane:{lane_number}")
    except BaseException as exc:  # noqa: BLE001 - reported to the test thread
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_lanes_each_get_their_own_gapless_numbers() -> None:
    from store_edge.catalog.services import catalog_apply

    catalog_apply(snapshot=snapshot(), products=PRODUCTS)
    for number in range(1, LANES + 1):
        Lane.objects.create(number=number)
    errors: list[BaseException] = []
    threads = [threading.Thread(target=sell_on, args=(n, errors)) for n in range(1, LANES + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    sales = LANES * SALES_PER_LANE
    assert Sale.objects.count() == sales
    assert len(set(Sale.objects.values_list("number", flat=True))) == sales
    seqs = list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 2 * sales + 1))
    assert sum(LedgerEntry.objects.filter(sku="200036").values_list("quantity", flat=True)) == (
        Decimal(-2 * sales)
    )
    # and the stock projection, kept by every one of those transactions, agrees
    assert StockLevel.objects.get(sku="200036").quantity == Decimal(-2 * sales)
    assert stock_differences() == []


@pytest.mark.django_db(transaction=True)
def test_a_basket_edit_leaves_the_connection_fully_durable_again() -> None:
    # Given a lane outside any test transaction (autocommit, as under gunicorn)
    from store_edge.catalog.services import catalog_apply

    catalog_apply(snapshot=snapshot(), products=PRODUCTS)
    lane = Lane.objects.create(number=1)
    basket = basket_open(lane=lane)
    # When an item is scanned (an edit committed with synchronous=NORMAL)
    basket_add_item(basket_id=basket.id, lane=lane, code=BREAD)
    # Then the connection is back to synchronous=FULL for whatever comes next
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 2
