"""POST /api/v1/stores/{id}/events: each (store, seq) applied exactly once, in seq order."""

import random
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from cloud_hq.ingest.models import LedgerEntry, PushConflict, Sale, SaleLine, SaleTax, SaleTender
from cloud_hq.reconciliation.models import StockLevel
from tests.cloud_hq.conftest import (
    NOTHING_HELD,
    StoreClient,
    StoreCredentials,
    Till,
    encode,
    holdings,
    seqs,
)

WATER, BREAD, COLA = "100001", "200036", "100002"


def pushed(hq: StoreClient, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Push entries that HQ must accept, and return its answer."""
    answer = hq.push(entries)
    assert answer.status_code == 200, answer.content
    return answer.json()


def stock(store: StoreCredentials) -> dict[str, tuple[Decimal, int]]:
    levels = StockLevel.objects.filter(store_id=store.store_id)
    return {sku: (quantity, last) for sku, quantity, last in levels.values_list(
        "sku", "quantity", "last_seq")}  # fmt: skip


def test_pushed_sale_is_recorded_with_lines_tenders_taxes_and_stock(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given a sale of 2 water at 0.79 and 1 bread at 2.49, paid 5.00 cash
    entries = till.sale((WATER, "2", "0.79"), (BREAD, "1", "2.49"))

    # When the store pushes its three ledger entries
    answer = pushed(hq, entries)

    # Then HQ holds all three, the sale as transacted, and stock moved by the lines
    assert answer == {"high_water_mark": 3, "accepted": 3, "duplicates": 0, "quarantined": []}
    sale = Sale.objects.get(store_id=store.store_id)
    document = entries[0]["payload"]
    assert str(sale.id) == entries[0]["document_id"]
    assert (sale.number, sale.lane, sale.seq, sale.config_version) == ("01-000001", 1, 1, 1)
    assert (sale.subtotal, sale.discount_total, sale.total) == (
        Decimal("4.07"), Decimal("0.00"), Decimal("4.07"))  # fmt: skip
    assert (sale.amount_paid, sale.change) == (Decimal("5.00"), Decimal("0.93"))
    assert sale.tax_total == Decimal(document["tax_total"])
    assert list(
        SaleLine.objects.filter(sale=sale)
        .order_by("position")
        .values_list("position", "sku", "quantity", "unit_price", "amount")
    ) == [
        (1, WATER, Decimal("2.000"), Decimal("0.79"), Decimal("1.58")),
        (2, BREAD, Decimal("1.000"), Decimal("2.49"), Decimal("2.49")),
    ]
    assert list(SaleTender.objects.filter(sale=sale).values_list("method", "amount")) == [
        ("cash", Decimal("5.00"))
    ]
    assert list(SaleTax.objects.filter(sale=sale).values_list("tax_class", "gross")) == [
        ("STD", Decimal("4.07"))
    ]
    assert stock(store) == {WATER: (Decimal("-2.000"), 2), BREAD: (Decimal("-1.000"), 3)}
    assert sorted(LedgerEntry.objects.values_list("seq", "kind", "sku", "quantity")) == [
        (1, "sale_completed", "", None),
        (2, "sale", WATER, Decimal("-2.000")),
        (3, "sale", BREAD, Decimal("-1.000")),
    ]


def test_stock_is_the_sum_of_every_pushed_movement(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given a first sale pushed
    pushed(hq, till.sale((WATER, "2", "0.79"), (BREAD, "1", "2.49")))

    # When a second sale and a return of one bread are pushed
    answer = pushed(hq, [*till.sale((WATER, "3", "0.79")), till.movement(BREAD, "1.000")])

    # Then HQ's stock is the sum of all movements, with the seq of the last one per SKU
    assert answer == {"high_water_mark": 6, "accepted": 3, "duplicates": 0, "quarantined": []}
    assert stock(store) == {WATER: (Decimal("-5.000"), 5), BREAD: (Decimal("0.000"), 6)}
    assert Sale.objects.filter(store_id=store.store_id).count() == 2


def test_replayed_batch_is_applied_once(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given a batch HQ applied (the store did not get the answer)
    batch = till.sale((WATER, "2", "0.79"), (BREAD, "1", "2.49"))
    first = pushed(hq, batch)
    held = holdings(store.store_id)

    # When the store sends the same batch again
    again = pushed(hq, batch)

    # Then HQ answers with the same high-water mark, counts the entries as duplicates,
    # and creates nothing new
    assert again["high_water_mark"] == first["high_water_mark"] == 3
    assert again == {"high_water_mark": 3, "accepted": 0, "duplicates": 3, "quarantined": []}
    assert holdings(store.store_id) == held
    assert SaleLine.objects.count() == 2
    assert SaleTender.objects.count() == 1


def test_replay_reformatted_by_the_store_is_still_a_replay(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given a batch HQ applied
    batch = till.sale((WATER, "2", "0.79"))
    pushed(hq, batch)
    held = holdings(store.store_id)

    # When the same entries come back with their keys in another order and other spacing
    reordered = [dict(reversed(entry.items())) for entry in batch]
    body = b'{ "entries" : ' + encode(reordered).replace(b",", b", ") + b" }"
    answer = hq.push_body(body)

    # Then HQ recognises them as duplicates
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "high_water_mark": 2,
        "accepted": 0,
        "duplicates": 2,
        "quarantined": [],
    }
    assert holdings(store.store_id) == held


def test_batch_overlapping_what_hq_holds_applies_only_the_new_entries(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given HQ holds the first sale
    first = till.sale((WATER, "2", "0.79"))
    pushed(hq, first)

    # When the store resends it together with a second sale
    answer = pushed(hq, [*first, *till.sale((WATER, "1", "0.79"))])

    # Then only the second sale is applied
    assert answer == {"high_water_mark": 4, "accepted": 2, "duplicates": 2, "quarantined": []}
    assert stock(store) == {WATER: (Decimal("-3.000"), 4)}
    assert Sale.objects.count() == 2


def test_batch_reusing_a_seq_with_different_content_is_refused_and_recorded(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given HQ holds a sale at seqs 1-3
    original = till.sale((WATER, "2", "0.79"), (BREAD, "1", "2.49"))
    pushed(hq, original)
    held = holdings(store.store_id)

    # When a batch carries seq 2 with another quantity, plus a new sale at seqs 4-5
    rewritten = {**original[1], "quantity": "-7.000"}
    answer = hq.push([original[0], rewritten, original[2], *till.sale((COLA, "1", "1.29"))])

    # Then HQ refuses the whole batch with 409, naming the seq, and applies none of it
    assert answer.status_code == 409
    body = answer.json()
    assert (body["high_water_mark"], body["conflicts"]) == (3, [2])
    assert "seq 2" in body["detail"]
    assert holdings(store.store_id) == held
    # And keeps the conflict for review, with what was received
    conflict = PushConflict.objects.get(store_id=store.store_id)
    assert conflict.seq == 2
    assert conflict.held_hash == LedgerEntry.objects.get(seq=2).content_hash
    assert conflict.received_hash != conflict.held_hash
    assert conflict.received["quantity"] == "-7.000"


def test_batch_carrying_one_seq_twice_with_different_content_is_refused(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given a batch in which seq 2 appears twice, with different quantities
    batch = till.sale((WATER, "2", "0.79"))
    batch.append({**batch[1], "uuid": str(uuid.uuid4()), "quantity": "-9.000"})

    # When it is pushed
    answer = hq.push(batch)

    # Then HQ refuses it whole, and records the conflict
    assert answer.status_code == 409
    assert answer.json()["conflicts"] == [2]
    assert holdings(store.store_id) == NOTHING_HELD
    assert PushConflict.objects.filter(store_id=store.store_id, seq=2).count() == 1


def test_batch_with_a_gap_is_applied_up_to_the_gap_then_completed(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given a sale of three lines: seqs 1-4
    entries = till.sale((WATER, "1", "0.79"), (BREAD, "1", "2.49"), (COLA, "2", "1.29"))

    # When seqs 1, 2 and 4 arrive (3 got lost)
    answer = pushed(hq, [entries[0], entries[1], entries[3]])

    # Then HQ applies 1 and 2 only and answers with mark 2, so the store resends from 3
    assert answer == {"high_water_mark": 2, "accepted": 2, "duplicates": 0, "quarantined": []}
    assert sorted(LedgerEntry.objects.values_list("seq", flat=True)) == [1, 2]
    assert stock(store) == {WATER: (Decimal("-1.000"), 2)}

    # When the store resends 3 and 4
    answer = pushed(hq, entries[2:])

    # Then HQ holds everything
    assert answer == {"high_water_mark": 4, "accepted": 2, "duplicates": 0, "quarantined": []}
    assert sorted(LedgerEntry.objects.values_list("seq", flat=True)) == [1, 2, 3, 4]
    assert stock(store) == {
        WATER: (Decimal("-1.000"), 2),
        BREAD: (Decimal("-1.000"), 3),
        COLA: (Decimal("-2.000"), 4),
    }


def test_batch_starting_beyond_the_mark_applies_nothing(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given a batch that starts at seq 3 while HQ holds nothing
    entries = till.sale((WATER, "1", "0.79"), (BREAD, "1", "2.49"), (COLA, "1", "1.29"))

    # When it is pushed
    answer = pushed(hq, entries[2:])

    # Then HQ applies nothing and answers mark 0
    assert answer == {"high_water_mark": 0, "accepted": 0, "duplicates": 0, "quarantined": []}
    assert holdings(store.store_id) == NOTHING_HELD


def test_shuffled_batch_is_applied_in_seq_order(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given three sales (seqs 1-9) sent in a shuffled order
    entries = [
        *till.sale((WATER, "1", "0.79"), (BREAD, "1", "2.49")),
        *till.sale((WATER, "2", "0.79")),
        *till.sale((BREAD, "1", "2.49"), (WATER, "1", "0.79"), (COLA, "1", "1.29")),
    ]
    shuffled = entries[:]
    random.Random(7).shuffle(shuffled)
    assert seqs(shuffled) != seqs(entries)

    # When they are pushed
    answer = pushed(hq, shuffled)

    # Then HQ applies all of them, in seq order
    assert answer == {"high_water_mark": 9, "accepted": 9, "duplicates": 0, "quarantined": []}
    assert list(LedgerEntry.objects.order_by("pk").values_list("seq", flat=True)) == list(
        range(1, 10)
    )
    assert list(Sale.objects.order_by("seq").values_list("number", "seq")) == [
        ("01-000001", 1),
        ("01-000002", 4),
        ("01-000003", 6),
    ]
    assert stock(store) == {
        WATER: (Decimal("-4.000"), 8),
        BREAD: (Decimal("-2.000"), 7),
        COLA: (Decimal("-1.000"), 9),
    }


def _without_lines(document: dict[str, Any]) -> None:
    del document["lines"]


def _no_lines(document: dict[str, Any]) -> None:
    document["lines"] = []


def _total_not_a_number(document: dict[str, Any]) -> None:
    document["total"] = "four"


def _naive_completion_time(document: dict[str, Any]) -> None:
    document["completed_at"] = "2026-11-20T09:00:00"


def _unknown_key(document: dict[str, Any]) -> None:
    document["loyalty_card"] = "123"


def _line_without_sku(document: dict[str, Any]) -> None:
    document["lines"][1]["sku"] = ""


def quarantined(store: StoreCredentials) -> dict[int, str]:
    return dict(
        LedgerEntry.objects.filter(store_id=store.store_id)
        .exclude(quarantine_reason="")
        .values_list("seq", "quarantine_reason")
    )


@pytest.mark.parametrize(
    ("defect", "path"),
    [
        (_without_lines, "payload.lines"),
        (_no_lines, "payload.lines"),
        (_total_not_a_number, "payload.total"),
        (_naive_completion_time, "payload.completed_at"),
        (_unknown_key, "payload.loyalty_card"),
        (_line_without_sku, "payload.lines[1].sku"),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
def test_malformed_sale_document_is_quarantined_and_the_rest_of_the_batch_applied(
    hq: StoreClient, store: StoreCredentials, till: Till, defect: Any, path: str
) -> None:
    # Given a good sale followed by a sale whose document is malformed
    good = till.sale((WATER, "1", "0.79"))
    bad = till.sale((WATER, "1", "0.79"), (BREAD, "1", "2.49"))
    defect(bad[0]["payload"])

    # When both are pushed in one batch
    answer = pushed(hq, [*good, *bad])

    # Then HQ holds every entry, quarantines the bad document naming the entry and the path,
    # records the good sale, and applies the stock movements (what the store sold)
    assert answer["high_water_mark"] == 5
    [held] = answer["quarantined"]
    assert held["seq"] == 3 and held["reason"].startswith(f"entry #3: {path}")
    assert quarantined(store) == {3: held["reason"]}
    assert list(Sale.objects.values_list("number", flat=True)) == ["01-000001"]
    assert stock(store) == {WATER: (Decimal("-2.000"), 4), BREAD: (Decimal("-1.000"), 5)}

    # And a replay of the batch is answered the same, quarantine included, applying nothing
    again = pushed(hq, [*good, *bad])
    assert (again["duplicates"], again["quarantined"]) == (5, answer["quarantined"])
    assert Sale.objects.count() == 1


def test_sale_number_reported_twice_is_quarantined(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given HQ holds sale 01-000001
    pushed(hq, till.sale((WATER, "1", "0.79")))

    # When a later entry reports another sale under the same number
    till.sales = 0
    answer = pushed(hq, till.sale((BREAD, "1", "2.49")))

    # Then HQ quarantines it with the reason and keeps one sale under that number
    assert answer["quarantined"] == [
        {"seq": 3, "reason": "entry #3: sale number 01-000001 already held (#1)"}
    ]
    assert Sale.objects.count() == 1
    assert answer["high_water_mark"] == 4


def test_a_sale_number_twice_in_one_batch_quarantines_the_second(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    first = till.sale((WATER, "1", "0.79"))
    till.sales = 0
    answer = pushed(hq, [*first, *till.sale((BREAD, "1", "2.49"))])
    assert [q["seq"] for q in answer["quarantined"]] == [3]
    assert Sale.objects.get().seq == 1


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "price_change"},
        {"quantity": "0"},
        {"quantity": None},
        {"sku": ""},
        {"quantity": "-1.0001"},
        {"created_at": "2026-11-20T09:00:00"},
        {"uuid": "not-a-uuid"},
        {"colour": "red"},
        {"user": "cashier\x00"},
    ],
    ids=lambda change: "-".join(f"{k}={v!r}" for k, v in change.items()),
)
def test_malformed_entry_is_quarantined_and_does_not_block_the_entries_behind_it(
    hq: StoreClient, store: StoreCredentials, till: Till, change: dict[str, Any]
) -> None:
    # Given a sale whose second movement entry is malformed, and a sale behind it
    batch = till.sale((WATER, "1", "0.79"), (BREAD, "1", "2.49"))
    batch[2].update(change)
    behind = till.sale((WATER, "2", "0.79"))

    # When they are pushed
    answer = pushed(hq, [*batch, *behind])

    # Then HQ holds all five, quarantines #3 with its reason, and applies the rest
    assert answer["high_water_mark"] == 5
    assert [q["seq"] for q in answer["quarantined"]] == [3]
    assert answer["quarantined"][0]["reason"].startswith("entry #3: ")
    assert stock(store) == {WATER: (Decimal("-3.000"), 5)}
    assert Sale.objects.count() == 2


def test_an_entry_without_a_usable_seq_refuses_the_batch(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    batch = till.sale((WATER, "1", "0.79"), (BREAD, "1", "2.49"))
    batch[2]["seq"] = 0
    answer = hq.push(batch)
    assert answer.status_code == 422
    assert holdings(store.store_id) == NOTHING_HELD


def test_document_entry_carrying_a_quantity_is_quarantined(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    batch = till.sale((WATER, "1", "0.79"))
    batch[0].update(sku=WATER, quantity="-1.000")

    answer = pushed(hq, batch)

    assert [q["seq"] for q in answer["quarantined"]] == [1]
    assert "carries no sku or quantity" in answer["quarantined"][0]["reason"]
    assert Sale.objects.count() == 0
    assert stock(store) == {WATER: (Decimal("-1.000"), 2)}


@pytest.mark.parametrize(
    "body",
    [b'{"entries": [', b"", b"\xff\xfe not utf-8", b'["entries"]', b'{"entries": {}}'],
    ids=["truncated", "empty", "not-utf8", "list", "entries-not-a-list"],
)
def test_body_that_is_not_an_events_document_is_refused(
    hq: StoreClient, store: StoreCredentials, body: bytes
) -> None:
    # When a signed push carries something that is not a JSON events document
    answer = hq.push_body(body)

    # Then HQ answers with a client error, never a 500, and applies nothing
    assert 400 <= answer.status_code < 500
    assert holdings(store.store_id) == NOTHING_HELD


def test_push_of_more_than_5000_entries_is_refused(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given 5001 movement entries
    entries = [till.movement(WATER, "-1.000") for _ in range(5001)]

    # When they are pushed in one batch
    answer = hq.push(entries)

    # Then HQ answers 422 and applies none of them
    assert answer.status_code == 422
    assert holdings(store.store_id) == NOTHING_HELD


def test_push_of_exactly_5000_entries_is_applied(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    entries = [till.movement(WATER, "-1.000") for _ in range(5000)]

    answer = pushed(hq, entries)

    assert answer == {"high_water_mark": 5000, "accepted": 5000, "duplicates": 0, "quarantined": []}
    assert stock(store) == {WATER: (Decimal("-5000.000"), 5000)}


def test_push_over_the_configured_entry_limit_is_refused(
    hq: StoreClient, store: StoreCredentials, till: Till, settings
) -> None:
    # Given HQ is configured to take at most 10 entries per push (INGEST_MAX_ENTRIES)
    settings.INGEST_MAX_ENTRIES = 10

    # When a store pushes 11
    answer = hq.push([till.movement(WATER, "-1.000") for _ in range(11)])

    # Then HQ refuses the batch and applies nothing
    assert answer.status_code == 422
    assert holdings(store.store_id) == NOTHING_HELD


def test_pushes_of_two_stores_are_kept_apart(
    client: Client, hq: StoreClient, store: StoreCredentials, other_store: StoreCredentials
) -> None:
    # Given both stores ring their first sale: the same seqs and sale number
    other = StoreClient(client, other_store)
    pushed(hq, Till().sale((WATER, "1", "0.79")))

    # When the other store pushes its own seq 1-2
    answer = pushed(other, Till().sale((BREAD, "3", "2.49")))

    # Then each store has its own ledger, sales and stock
    assert answer == {"high_water_mark": 2, "accepted": 2, "duplicates": 0, "quarantined": []}
    assert stock(store) == {WATER: (Decimal("-1.000"), 2)}
    assert stock(other_store) == {BREAD: (Decimal("-3.000"), 2)}
    assert Sale.objects.filter(number="01-000001").count() == 2


@pytest.mark.parametrize("where", ["line name", "user"])
def test_nul_character_in_an_entry_never_causes_a_server_error(
    store: StoreCredentials, till: Till, where: str
) -> None:
    # Given a sale carrying a NUL character in a line name (or in the cashier's name)
    hq = StoreClient(Client(raise_request_exception=False), store)
    batch = till.sale((WATER, "1", "0.79"))
    if where == "user":
        batch[1]["user"] = "cashier\x00"
    else:
        batch[0]["payload"]["lines"][0]["name"] = "Water\x00"

    # When it is pushed
    answer = hq.push(batch)

    # Then HQ answers without a server error (a 5xx makes the store retry the same entry
    # forever): it holds the entry, quarantined, and applies the rest
    assert answer.status_code == 200, answer.content
    assert holdings(store.store_id)["high_water_mark"] == 2
    assert "control characters" in answer.json()["quarantined"][0]["reason"]
    assert "\x00" not in str(LedgerEntry.objects.values_list("payload", flat=True))


def test_a_sale_taxed_on_top_at_five_decimals_is_kept_exactly(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # 3 water at 0.79 under New York City's 8.875 % on top: net 2.37, tax 0.21, paid 2.58
    entries = till.sale((WATER, "3", "0.79"))
    document = entries[0]["payload"]
    document["taxes"] = [{"tax_class": "NY", "rate": "0.08875", "inclusive": False,
                          "net": "2.37", "tax": "0.21", "gross": "2.58"}]  # fmt: skip
    document.update(tax_total="0.21", total="2.58", amount_paid="3.00", change="0.42")
    for line in document["lines"]:
        line["tax_class"] = "NY"
    assert pushed(hq, entries)["quarantined"] == []
    sale = Sale.objects.get(store_id=store.store_id)
    assert (sale.subtotal, sale.tax_total, sale.total) == (
        Decimal("2.37"), Decimal("0.21"), Decimal("2.58"))  # fmt: skip
    assert list(SaleTax.objects.filter(sale=sale).values_list(
        "tax_class", "rate", "inclusive", "net", "tax", "gross")) == [
        ("NY", Decimal("0.08875"), False, Decimal("2.37"), Decimal("0.21"), Decimal("2.58"))
    ]  # fmt: skip
