"""ledger_summary --store ID: what HQ holds of a store, in the store's ledger_summary shape."""

import hashlib
import json
from decimal import Decimal
from typing import Any

from tests.cloud_hq.conftest import (
    StoreClient,
    StoreCredentials,
    Till,
    refused_command,
    run_command,
)


def summary(store: StoreCredentials) -> dict[str, Any]:
    return json.loads(run_command("ledger_summary", store=store.store_id).stdout)


def expected_checksum(levels: dict[str, str]) -> str:
    """Digest `sku:quantity` lines in code-point order of SKU, zero stock left out (as the
    store computes it from its own ledger)."""
    digest = hashlib.sha256()
    for sku in sorted(levels):
        quantity = Decimal(levels[sku]).quantize(Decimal("0.001"))
        if quantity:
            digest.update(f"{sku}:{quantity}\n".encode())
    return digest.hexdigest()


def push(hq: StoreClient, entries: list[dict[str, Any]]) -> None:
    answer = hq.push(entries)
    assert answer.status_code == 200, answer.content


def test_summary_of_a_store_that_pushed_nothing(store: StoreCredentials) -> None:
    assert summary(store) == {
        "store_id": "S0001",
        "last_seq": 0,
        "entries": 0,
        "sales": 0,
        "sales_total": "0.00",
        "stock_checksum": hashlib.sha256(b"").hexdigest(),
    }


def test_summary_agrees_with_what_was_ingested(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given two sales (4.07 and 2.37) and a returned bottle of water pushed to HQ
    push(hq, till.sale(("100001", "2", "0.79"), ("200036", "1", "2.49")))
    push(hq, [*till.sale(("100001", "3", "0.79")), till.movement("100001", "1.000")])

    # When the operator asks HQ for the store's summary
    # Then it counts what the store sent, and digests stock as the store does
    assert summary(store) == {
        "store_id": "S0001",
        "last_seq": 6,
        "entries": 6,
        "sales": 2,
        "sales_total": "6.44",
        "stock_checksum": expected_checksum({"100001": "-4", "200036": "-1"}),
    }


def test_summary_last_seq_is_the_high_water_mark_not_the_largest_seq_sent(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given a push whose seq 3 got lost: HQ holds 1-2 only
    entries = till.sale(("100001", "1", "0.79"), ("200036", "1", "2.49"), ("100002", "1", "1.29"))
    push(hq, [entries[0], entries[1], entries[3]])

    # Then the summary shows HQ's mark, and the stock of what it applied
    result = summary(store)
    assert (result["last_seq"], result["entries"], result["sales"]) == (2, 2, 1)
    assert result["stock_checksum"] == expected_checksum({"100001": "-1"})


def test_stock_checksum_leaves_out_skus_back_at_zero(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given water sold and then returned: its stock is back at zero
    push(hq, [*till.sale(("100001", "1", "0.79"), ("200036", "1", "2.49"))])
    push(hq, [till.movement("100001", "1.000")])

    # Then the checksum digests only the bread
    assert summary(store)["stock_checksum"] == expected_checksum({"200036": "-1"})


def test_stock_checksum_orders_skus_by_code_point_like_the_store(
    hq: StoreClient, store: StoreCredentials, till: Till
) -> None:
    # Given SKUs whose order differs between code points and a language collation
    skus = ["b-2", "B1", "a1", "a-3", "A_4", "10", "9"]
    push(hq, [till.movement(sku, "-1.000") for sku in skus])

    # Then HQ digests them in code-point order, as the store's Python does
    assert summary(store)["stock_checksum"] == expected_checksum(dict.fromkeys(skus, "-1"))


def test_summaries_of_two_stores_are_separate(
    hq: StoreClient, store: StoreCredentials, other_store: StoreCredentials, till: Till
) -> None:
    # Given only S0001 pushed a sale
    push(hq, till.sale(("100001", "1", "0.79")))

    # Then S0002's summary is empty
    result = summary(other_store)
    assert (result["store_id"], result["last_seq"], result["sales"]) == ("S0002", 0, 0)


def test_summary_of_an_unknown_store_is_refused(db: None) -> None:
    refusal = refused_command("ledger_summary", store="S9999")

    assert refusal.message == "no store 'S9999' is registered"
