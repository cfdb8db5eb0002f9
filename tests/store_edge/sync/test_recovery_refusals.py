"""Recovery from HQ takes nothing unless HQ's pages continue this ledger and read right:
gaps, repeated seqs, unknown keys, entry kinds this store does not know, unreadable sale
documents and garbage are refused whole."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from store_edge.ledger.models import LedgerEntry
from store_edge.sales.models import Sale
from store_edge.sync.client import HQRefused
from store_edge.sync.recovery import RecoveryRefused, ledger_recover
from tests.store_edge.sync.test_push_resilience import client_for


def entry(seq: int, **changes: Any) -> dict[str, Any]:
    return {"seq": seq, "uuid": str(uuid.uuid4()), "kind": "delivery", "sku": "100001",
            "quantity": "5.000", "document_type": "delivery", "document_id": str(uuid.uuid4()),
            "payload": {}, "user": "m", "created_at": "2026-11-20T09:00:00+00:00",
            "config_version": 1, **changes}  # fmt: skip


def answering(page: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda request: httpx.Response(200, json=page)


@pytest.mark.parametrize(
    ("page", "refusal"),
    [
        ({"high_water_mark": 3, "entries": [entry(1), entry(3)]}, RecoveryRefused),
        ({"high_water_mark": 2, "entries": [entry(2), entry(2)]}, RecoveryRefused),
        ({"high_water_mark": 1, "entries": [entry(1, colour="red")]}, HQRefused),
        ({"high_water_mark": 1, "entries": [entry(1, quantity="1e9999")]}, HQRefused),
        (
            {
                "high_water_mark": 1,
                "entries": [
                    entry(1, kind="sale_completed", sku="", quantity=None, payload={"number": "x"})
                ],
            },
            RecoveryRefused,
        ),
        (
            {"high_water_mark": 2, "entries": [entry(1), entry(2, kind="gift_card_sold")]},
            RecoveryRefused,
        ),
        ({"high_water_mark": "lots", "entries": []}, HQRefused),
        (["not", "a", "page"], HQRefused),
    ],
)
@pytest.mark.django_db
def test_a_page_that_does_not_continue_the_ledger_is_refused_whole(
    page: Any, refusal: type[Exception]
) -> None:
    with pytest.raises(refusal), client_for(answering(page)) as client:
        ledger_recover(client=client)
    assert not LedgerEntry.objects.exists() and not Sale.objects.exists()


@pytest.mark.django_db
def test_nothing_to_recover_when_hq_holds_nothing_more() -> None:
    with client_for(answering({"high_water_mark": 0, "entries": []})) as client:
        result = ledger_recover(client=client)
    assert (result.recovered, result.last_seq) == (0, 0)
