"""Stock operations at the store: each one a document posted to the ledger in one
transaction, stock on hand the projection of the ledger."""

import gzip
import random
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from store_edge.baskets.services import basket_add_item, basket_add_payment, basket_open
from store_edge.catalog.models import KnownStore
from store_edge.inventory.models import DocumentStatus, StockDocument, StockLevel
from store_edge.inventory.selectors import (
    stock_differences,
    stock_levels,
    stock_on_hand,
    stock_recomputed,
)
from store_edge.inventory.stock_operations import (
    ExpectedDelivery,
    StockError,
    StockLine,
    count_variances,
    deliveries_expect,
    stock_document_post,
    stock_operation,
)
from store_edge.lanes.models import Lane
from store_edge.ledger.compaction import ledger_compact, ledger_verify
from store_edge.ledger.models import LedgerCheckpoint, LedgerEntry
from store_edge.ledger.selectors import ledger_totals
from store_edge.sales.services import sale_complete
from tests.store_edge.conftest import BREAD

WATER_SKU, BREAD_SKU, BANANAS_SKU = "100001", "200036", "4011"


def on_hand(sku: str) -> Decimal:
    return stock_on_hand(sku=sku)[0]


def operate(kind: str, *lines: tuple[str, str], **fields: str) -> StockDocument:
    return stock_operation(
        kind=kind, lines=[StockLine(sku, Decimal(q)) for sku, q in lines], user="manager", **fields
    )


@pytest.fixture
def stores(catalog: None) -> None:
    KnownStore.objects.bulk_create([KnownStore("S0001", "Here"), KnownStore("S0002", "Hamburg")])


def sell(sku_code: str, quantity: int = 1) -> None:
    lane, _ = Lane.objects.get_or_create(number=1)
    basket = basket_open(lane=lane)
    basket_add_item(basket_id=basket.id, lane=lane, code=sku_code, quantity=quantity)
    basket_add_payment(basket_id=basket.id, lane=lane, method="cash", amount=Decimal("100"))
    sale_complete(basket_id=basket.id, lane=lane, user="cashier")


def test_every_movement_kind_moves_stock_and_is_in_the_ledger(stores: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.STORE_ID = "S0001"
    operate("delivery", (WATER_SKU, "24"), (BANANAS_SKU, "12.500"), reference="DN-1")
    sell("4006381333931", 2)
    operate("adjustment", (WATER_SKU, "-1"), reason="damage")
    operate("adjustment", (WATER_SKU, "3"), reason="found")
    operate("waste", (BANANAS_SKU, "0.750"))
    operate("transfer_out", (WATER_SKU, "5"), other_store="S0002")
    operate("transfer_in", (BREAD_SKU, "10"), other_store="S0002", reference="TR-9")
    assert (on_hand(WATER_SKU), on_hand(BANANAS_SKU), on_hand(BREAD_SKU)) == (
        Decimal("19.000"), Decimal("11.750"), Decimal("10.000"),
    )  # fmt: skip
    kinds = list(
        LedgerEntry.objects.exclude(sku="").order_by("seq").values_list("kind", "quantity")
    )
    assert kinds == [
        ("delivery", Decimal("24.000")), ("delivery", Decimal("12.500")),
        ("sale", Decimal("-2.000")),
        ("adjustment", Decimal("-1.000")), ("adjustment", Decimal("3.000")),
        ("waste", Decimal("-0.750")),
        ("transfer_out", Decimal("-5.000")), ("transfer_in", Decimal("10.000")),
    ]  # fmt: skip
    transfer = LedgerEntry.objects.get(kind="transfer_out")
    assert transfer.payload["other_store"] == "S0002"
    assert transfer.user == "manager"
    assert stock_differences() == []


def test_a_count_is_an_absolute_observation_with_its_variance(stores: None) -> None:
    operate("delivery", (WATER_SKU, "24"), (BREAD_SKU, "6"))
    sell("4006381333931", 3)
    variances = count_variances(lines=[StockLine(WATER_SKU, Decimal(20))], full=False)
    assert [(v.sku, v.on_hand, v.counted, v.variance) for v in variances] == [
        (WATER_SKU, Decimal("21.000"), Decimal(20), Decimal("-1.000"))
    ]
    operate("count", (WATER_SKU, "20"), section="aisle 3")
    count = LedgerEntry.objects.get(kind="count")
    assert count.quantity == Decimal("20.000")
    assert (count.payload["on_hand"], count.payload["variance"]) == ("21.000", "-1.000")
    assert (on_hand(WATER_SKU), on_hand(BREAD_SKU)) == (Decimal("20.000"), Decimal("6.000"))


def test_a_full_count_sets_what_was_not_counted_to_zero(stores: None) -> None:
    operate("delivery", (WATER_SKU, "24"), (BREAD_SKU, "6"))
    operate("count", (WATER_SKU, "23"))  # no section: the whole store
    assert (on_hand(WATER_SKU), on_hand(BREAD_SKU)) == (Decimal("23.000"), Decimal("0.000"))
    assert LedgerEntry.objects.filter(kind="count").count() == 2


def test_negative_stock_is_allowed_and_listed(stores: None) -> None:
    sell("4006381333931", 2)  # nothing was ever received: a sale is never refused for stock
    assert on_hand(WATER_SKU) == Decimal("-2.000")
    assert list(StockLevel.objects.filter(quantity_milli__lt=0).values_list("sku", flat=True)) == [
        WATER_SKU
    ]


@pytest.mark.parametrize(
    ("kind", "lines", "fields", "message"),
    [
        ("count", [(WATER_SKU, "-1")], {"section": "a"}, "cannot be negative"),
        ("transfer_out", [(WATER_SKU, "1")], {"other_store": "S9999"}, "unknown store"),
        ("transfer_out", [(WATER_SKU, "1")], {"other_store": "S0001"}, "another store"),
        ("transfer_in", [(WATER_SKU, "1")], {"other_store": "S0002"}, "transfer reference"),
        ("delivery", [("999999", "5")], {}, "unknown SKU 999999"),
        ("delivery", [(WATER_SKU, "0")], {}, "more than zero"),
        ("delivery", [(WATER_SKU, "1.5")], {}, "counted in pieces"),
        ("delivery", [(WATER_SKU, "1"), (WATER_SKU, "2")], {}, "more than once"),
        ("delivery", [(BANANAS_SKU, "1.0001")], {}, "up to 3 decimals"),
        ("delivery", [], {}, "at least one line"),
        ("adjustment", [(WATER_SKU, "0")], {"reason": "found"}, "zero changes nothing"),
        ("adjustment", [(WATER_SKU, "-1")], {}, "needs a reason"),
        ("adjustment", [(WATER_SKU, "2")], {"reason": "theft"}, "takes stock away"),
        ("adjustment", [(WATER_SKU, "-2")], {"reason": "found"}, "adds stock"),
        ("waste", [(WATER_SKU, "-3")], {}, "more than zero"),
        ("inventory", [(WATER_SKU, "1")], {}, "unknown stock operation"),
    ],
)
def test_bad_operations_are_refused_and_write_nothing(
    stores: None,
    settings,
    kind: str,
    lines: list,
    fields: dict,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    settings.STORE_ID = "S0001"
    operate("delivery", (WATER_SKU, "10"))
    before = (LedgerEntry.objects.count(), StockDocument.objects.count(), stock_levels())
    with pytest.raises(StockError, match=message):
        operate(kind, *lines, **fields)
    assert (LedgerEntry.objects.count(), StockDocument.objects.count(), stock_levels()) == before


def test_a_delivery_announced_by_hq_is_received_with_what_arrived(stores: None) -> None:
    announced = ExpectedDelivery("DN-7", "Brunnen GmbH", [(WATER_SKU, Decimal("24"))])
    added = deliveries_expect(deliveries=[announced])
    assert added == 1
    assert deliveries_expect(deliveries=[ExpectedDelivery("DN-7", "", [])]) == 0  # known already
    document = StockDocument.objects.get(reference="DN-7")
    assert document.status == DocumentStatus.EXPECTED
    document.lines.update(quantity=Decimal(22))  # two crates short
    stock_document_post(document_id=document.id, user="manager")
    assert on_hand(WATER_SKU) == Decimal("22.000")
    with pytest.raises(StockError, match="already posted"):
        stock_document_post(document_id=document.id, user="manager")
    assert LedgerEntry.objects.filter(kind="delivery").count() == 1


def test_the_projection_equals_the_ledger_after_thousands_of_random_movements(
    stores: None,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    settings.STORE_ID = "S0001"
    rng = random.Random(4)  # seeded: the same mix every run
    skus = [WATER_SKU, BREAD_SKU]
    codes = {WATER_SKU: "4006381333931", BREAD_SKU: BREAD}
    for _ in range(1500):
        sku = rng.choice(skus)
        action = rng.randrange(7)
        if action == 0:
            sell(codes[sku], rng.randint(1, 5))
        elif action == 1:
            operate("delivery", (sku, str(rng.randint(1, 50))))
        elif action == 2:
            operate("adjustment", (sku, str(-rng.randint(1, 3))), reason="damage")
        elif action == 3:
            operate("waste", (sku, str(rng.randint(1, 2))), (BANANAS_SKU, "0.125"))
        elif action == 4:
            operate("count", (sku, str(rng.randint(0, 40))), section="shelf")
        elif action == 5:
            operate("transfer_out", (sku, "1"), other_store="S0002")
        else:
            operate("transfer_in", (sku, "2"), other_store="S0002", reference=f"T{_}")
    assert LedgerEntry.objects.count() > 1000
    assert stock_differences() == []
    assert stock_levels() == {sku: q for sku, q in stock_recomputed().items()}
    call_command("verify_stock")


def test_verify_stock_finds_a_damaged_projection_and_rebuild_repairs_it(stores: None) -> None:
    operate("delivery", (WATER_SKU, "24"))
    StockLevel.objects.filter(sku=WATER_SKU).update(quantity_milli=1)
    with pytest.raises(CommandError, match="1 SKU"):
        call_command("verify_stock")
    call_command("rebuild_stock")
    call_command("verify_stock")
    assert on_hand(WATER_SKU) == Decimal("24.000")


def test_compaction_archives_acknowledged_old_entries_and_keeps_the_chain(
    stores: None, tmp_path: Path
) -> None:
    for _ in range(5):
        operate("delivery", (WATER_SKU, "10"))
        sell("4006381333931")
    totals, levels = ledger_totals(), stock_levels()
    later = timezone.now() + timedelta(days=100)
    # Only what HQ holds (here up to #6) is archived, however old
    checkpoint = ledger_compact(acked_seq=6, older_than=timedelta(days=90),
                                archive_dir=tmp_path, now=later)  # fmt: skip
    assert checkpoint is not None
    assert (checkpoint.first_seq, checkpoint.last_seq, checkpoint.entries) == (1, 6, 6)
    assert LedgerEntry.objects.order_by("seq").first().seq == 7  # type: ignore[union-attr]
    assert ledger_totals() == totals  # the summary still counts every entry ever written
    assert stock_recomputed() == levels == stock_levels()
    report = ledger_verify()
    assert (report.problems, report.archived, report.live) == ([], 6, totals["entries"] - 6)
    # Nothing newer than the retention is archived
    assert ledger_compact(acked_seq=15, older_than=timedelta(days=90), archive_dir=tmp_path) is None
    # An entry no checkpoint covers still cannot be deleted
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM inventory_ledgerentry WHERE seq = 7")
    # A tampered archive is reported
    archive = Path(checkpoint.archive)
    archive.write_bytes(gzip.compress(gzip.decompress(archive.read_bytes()).replace(b"10", b"99")))
    assert "does not match its digest" in ledger_verify().problems[0]
    archive.write_bytes(b"not the archive")
    assert "unreadable" in ledger_verify().problems[0]
    assert LedgerCheckpoint.objects.count() == 1
