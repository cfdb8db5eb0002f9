"""HQ's authoritative picture: unknown SKUs, sales made while a key was revoked, transfers
whose halves disagree and single-use coupons used twice go to the conflict queue; a sale
priced with an older config is kept as transacted with its price variance; HQ staff resolve
each conflict with an action and a note (a quarantined entry can be re-applied)."""

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cloud_hq.ingest import receive as ingest
from cloud_hq.ingest.models import LedgerEntry, Sale
from cloud_hq.reconciliation.models import Conflict, PriceVariance, Resolution, StockLevel
from cloud_hq.stores.models import StoreKey
from tests.cloud_hq.catalog.test_import_catalog import Import
from tests.cloud_hq.conftest import (
    StoreClient,
    StoreCredentials,
    Till,
    catalog_document,
    run_command,
)

WATER, BREAD = "100001", "200036"


@pytest.fixture
def catalogue(import_catalog: Import) -> None:
    import_catalog(catalog_document(), "--publish")


def conflicts(store: StoreCredentials | None = None) -> list[tuple[str, str]]:
    found = Conflict.objects.order_by("kind", "reference")
    if store is not None:
        found = found.filter(store_id=store.store_id)
    return list(found.values_list("kind", "reference"))


def test_unknown_skus_are_queued_once_and_stock_still_moves(
    hq: StoreClient, till: Till, catalogue: None
) -> None:
    batch = [*till.sale(("999999", "1", "1.00")), till.movement("888888", "-2.000")]
    assert hq.push(batch).status_code == 200
    assert hq.push([till.movement("999999", "-1.000")]).status_code == 200
    assert conflicts() == [("unknown_sku", "888888"), ("unknown_sku", "999999")]
    assert StockLevel.objects.get(sku="999999").quantity == Decimal("-2.000")
    assert Conflict.objects.get(reference="999999").detail == {"first_seq": 1}


def test_a_sale_priced_with_an_older_config_keeps_its_price_and_records_the_variance(
    hq: StoreClient, till: Till, import_catalog: Import
) -> None:
    import_catalog(catalog_document(), "--publish")  # v1: water 0.79
    document = catalog_document()
    document["products"][0]["price"] = "0.89"
    import_catalog(document, "--publish")  # v2: water 0.89
    till.config_version = 1
    assert hq.push(till.sale((WATER, "3", "0.79"), (BREAD, "1", "2.49"))).status_code == 200
    sale = Sale.objects.get()
    assert sale.total == Decimal("4.86")  # as transacted
    variance = PriceVariance.objects.get()
    assert (variance.sku, variance.charged, variance.in_force, variance.quantity) == (
        WATER, Decimal("0.79"), Decimal("0.89"), Decimal("3.000"))  # fmt: skip
    assert (variance.difference, variance.config_version, variance.version_in_force) == (
        Decimal("-0.30"), 1, 2)  # fmt: skip
    till.config_version = 2
    assert hq.push(till.sale((WATER, "1", "0.89"))).status_code == 200
    assert PriceVariance.objects.count() == 1  # priced with the version in force: none


def transfer(till: Till, kind: str, sku: str, quantity: str, other: str, reference: str) -> dict:
    entry = till._entry(kind, uuid.uuid4(), sku=sku, quantity=quantity)
    entry.update(document_type="stock", payload={"reference": reference, "other_store": other})
    return entry


def test_transfer_halves_that_disagree_are_queued_at_both_stores(
    client: Client, hq: StoreClient, store: StoreCredentials, other_store: StoreCredentials,
    catalogue: None,
) -> None:  # fmt: skip
    sender, receiver = Till(), Till()
    receiving = StoreClient(client, other_store)
    to, back = other_store.store_id, store.store_id
    sent = [transfer(sender, "transfer_out", WATER, "-10.000", to, "T-1"),
            transfer(sender, "transfer_out", BREAD, "-4.000", to, "T-1"),
            transfer(sender, "transfer_out", WATER, "-6.000", to, "T-2")]  # fmt: skip
    assert hq.push(sent).status_code == 200
    assert conflicts() == []  # in transit: the receiver has not reported yet
    received = [transfer(receiver, "transfer_in", WATER, "8.000", back, "T-1"),
                transfer(receiver, "transfer_in", BREAD, "4.000", back, "T-1"),
                transfer(receiver, "transfer_in", WATER, "6.000", back, "T-2")]  # fmt: skip
    assert receiving.push(received).status_code == 200
    assert conflicts(store) == conflicts(other_store) == [("transfer_mismatch", "T-1")]
    detail = Conflict.objects.filter(store_id=store.store_id).get().detail
    assert detail["skus"] == {WATER: {"sent": "10.000", "received": "8.000"}}


def test_sales_made_while_the_key_was_revoked_are_queued(
    hq: StoreClient, store: StoreCredentials, till: Till, catalogue: None
) -> None:
    revoked_at = timezone.now() - timedelta(hours=2)
    StoreKey.objects.filter(key_id=store.key_id).update(
        created_at=revoked_at - timedelta(days=30))  # fmt: skip
    run_command("revoke_store_key", store=store.store_id, key=store.key_id)
    StoreKey.objects.filter(key_id=store.key_id).update(revoked_at=revoked_at)
    printed = run_command("rotate_store_key", store=store.store_id).stdout
    key_id, secret = printed.strip().removeprefix("STORE_KEY=").split(".", 1)
    renewed = StoreClient(hq.client, StoreCredentials(store.store_id, key_id, secret))
    till.at = revoked_at - timedelta(hours=1)
    before = till.sale((WATER, "1", "0.79"))
    till.at = revoked_at + timedelta(hours=1)
    during = till.sale((WATER, "1", "0.79"))
    assert renewed.push([*before, *during]).status_code == 200
    assert conflicts() == [("revoked_key", during[0]["payload"]["number"])]
    assert Sale.objects.count() == 2  # accepted as transacted, flagged


def test_a_single_use_coupon_used_twice_is_queued(
    hq: StoreClient, till: Till, import_catalog: Import
) -> None:
    document = catalog_document()
    document["promotions"] = [{
        "code": "WELCOME5", "name": "Welcome", "kind": "basket_threshold", "threshold": "1.00",
        "amount": "0.50", "coupon": "WELCOME5", "single_use": True,
        "starts": "2026-01-01T00:00:00+00:00", "ends": "2099-01-01T00:00:00+00:00"}]  # fmt: skip
    import_catalog(document)
    first, second = till.sale((WATER, "2", "0.79")), till.sale((WATER, "2", "0.79"))
    for sale in (first, second):
        sale[0]["payload"]["coupons"] = ["WELCOME5"]
    assert hq.push([*first, *second]).status_code == 200
    assert conflicts() == [("coupon_reused", f"WELCOME5:{second[0]['payload']['number']}")]


@pytest.fixture
def quarantined_sale(
    hq: StoreClient, till: Till, catalogue: None, monkeypatch: pytest.MonkeyPatch
) -> list[dict[str, Any]]:
    """A sale HQ could not read when it arrived (as if HQ lacked something it has now)."""

    def unreadable(entry: Any, known: Any) -> Any:
        raise ingest.Quarantined(f"entry #{entry.seq}: not readable by this HQ")

    monkeypatch.setattr(ingest, "_sale_document", unreadable)
    batch = till.sale((WATER, "2", "0.79"))
    assert hq.push(batch).status_code == 200
    monkeypatch.undo()
    return batch


def test_a_quarantined_entry_is_queued_and_re_applied_by_hq_staff(
    admin_client: Client, hq: StoreClient, quarantined_sale: list[dict[str, Any]]
) -> None:
    conflict = Conflict.objects.get(kind="quarantined")
    assert (conflict.reference, conflict.seq) == ("#1", 1)
    assert Sale.objects.count() == 0
    assert StockLevel.objects.get().quantity == Decimal("-2.000")  # its movement went on
    url = f"/admin/hq_reconciliation/conflict/{conflict.pk}/change/"
    no_note = admin_client.post(url, {"resolution": "reapplied", "note": ""})
    assert b"Say why in the note" in no_note.content
    assert Sale.objects.count() == 0
    done = admin_client.post(url, {"resolution": "reapplied", "note": "HQ upgraded, re-applied"})
    assert done.status_code == 302
    conflict.refresh_from_db()
    assert (conflict.resolution, conflict.resolved_by) == (Resolution.REAPPLIED, "admin")
    assert Sale.objects.get().seq == 1
    assert StockLevel.objects.get().quantity == Decimal("-2.000")  # not moved twice
    assert LedgerEntry.objects.get(seq=1).quarantine_reason == ""
    again = hq.push(quarantined_sale)  # the store resends: still a duplicate
    assert again.json()["duplicates"] == 2 and Sale.objects.count() == 1


def test_an_entry_that_still_cannot_be_applied_is_not_resolved(
    admin_client: Client, hq: StoreClient, till: Till, catalogue: None
) -> None:
    unknown_kind = till._entry("gift_card_sold", uuid.uuid4(), sku=WATER, quantity="-1.000")
    assert hq.push([unknown_kind]).status_code == 200
    conflict = Conflict.objects.get(kind="quarantined")
    url = f"/admin/hq_reconciliation/conflict/{conflict.pk}/change/"
    answer = admin_client.post(url, {"resolution": "reapplied", "note": "try again"})
    assert b"It still cannot be applied: kind" in answer.content
    conflict.refresh_from_db()
    assert conflict.resolved_at is None
    dismissed = admin_client.post(url, {"resolution": "dismissed", "note": "store software bug"})
    assert dismissed.status_code == 302
    conflict.refresh_from_db()
    assert (conflict.resolution, conflict.note) == ("dismissed", "store software bug")
    resolved_again = admin_client.post(url, {"resolution": "accepted", "note": "again"})
    assert b"resolved already" in resolved_again.content
