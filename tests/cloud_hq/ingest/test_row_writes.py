"""Ingest's fast paths (COPY and ANY arrays on PostgreSQL, executemany elsewhere) read and
write what the ORM does, on whichever database HQ runs."""

import uuid
from decimal import Decimal

import pytest

from cloud_hq.ingest.models import LedgerEntry
from cloud_hq.ingest.record import stock_levels_add
from cloud_hq.ingest.row_writes import rows_copy
from cloud_hq.reconciliation.models import StockLevel
from tests.cloud_hq.conftest import StoreClient, Till


def test_anyof_matches_what_in_matches(hq: StoreClient, till: Till) -> None:
    entries = [*till.sale(("100001", "1", "0.79")), *till.sale(("200036", "2", "1.00"))]
    assert hq.push(entries).status_code == 200
    held = list(LedgerEntry.objects.order_by("seq").values_list("uuid", flat=True))
    for wanted in ([], [held[0]], held, [str(held[1]), uuid.uuid4()], [None, held[2]]):
        by_any = set(LedgerEntry.objects.filter(uuid__anyof=wanted).values_list("seq", flat=True))
        by_in = set(LedgerEntry.objects.filter(uuid__in=wanted).values_list("seq", flat=True))
        assert by_any == by_in
    assert LedgerEntry.objects.filter(seq__anyof=[1, 3]).count() == 2
    assert LedgerEntry.objects.filter(kind__anyof=["sale", "nothing"]).count() == 2


@pytest.mark.django_db
def test_rows_insert_writes_uuids_decimals_and_json_as_the_orm_reads_them(
    hq: StoreClient,
) -> None:
    entry_id, document_id = uuid.uuid4(), uuid.uuid4()
    row = {
        "store_id": hq.credentials.store_id, "seq": 1, "uuid": entry_id, "kind": "delivery",
        "sku": "100001", "quantity": Decimal("2.500"), "document_type": "delivery",
        "document_id": str(document_id), "payload": '{"note":"x\\u00e9"}', "user": "m",
        "created_at": "2026-11-20T09:00:00+00:00", "config_version": 1, "content_hash": "h",
        "received_at": "2026-11-20T09:00:01+00:00", "quarantine_reason": "",
    }  # fmt: skip
    assert rows_copy(LedgerEntry, tuple(row), [tuple(row.values())]) == 1
    held = LedgerEntry.objects.get(uuid=entry_id)
    assert held.document_id == document_id
    assert held.quantity == Decimal("2.500")
    assert held.payload == {"note": "xé"}
    assert rows_copy(LedgerEntry, tuple(row), []) == 0


@pytest.mark.django_db
def test_stock_add_adds_to_held_levels_and_keeps_the_highest_seq(hq: StoreClient) -> None:
    code = hq.credentials.store_id
    stock_levels_add(store_code=code, deltas={"100001": (Decimal("5.000"), 4)})
    stock_levels_add(store_code=code, deltas={"100001": (Decimal("-1.250"), 2),
                                       "200036": (Decimal("1.000"), 9)})  # fmt: skip
    assert dict(StockLevel.objects.values_list("sku", "quantity")) == {
        "100001": Decimal("3.750"), "200036": Decimal("1.000"),
    }  # fmt: skip
    assert StockLevel.objects.get(sku="100001").last_seq == 4
    stock_levels_add(store_code=code, deltas={})
    assert StockLevel.objects.count() == 2
