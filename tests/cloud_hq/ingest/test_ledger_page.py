"""GET /stores/{id}/ledger: what HQ holds of a store's ledger, a page at a time, to the
store's own key only; bad parameters refused."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from tests.cloud_hq.conftest import StoreClient, StoreCredentials, Till


def test_pages_give_back_what_the_store_pushed(hq: StoreClient, till: Till) -> None:
    pushed = [*till.sale(("100001", "2", "0.79")), till._entry("bogus_kind", uuid.uuid4())]
    assert hq.push(pushed).status_code == 200
    first = hq.get("ledger?after=0&limit=2")
    assert first.status_code == 200
    page = first.json()
    assert page["high_water_mark"] == 3
    assert [e["seq"] for e in page["entries"]] == [1, 2]
    assert page["entries"][0]["payload"]["number"] == pushed[0]["payload"]["number"]
    assert page["entries"][1]["quantity"] == "-2.000"
    assert page["entries"][0]["uuid"] == pushed[0]["uuid"]
    rest = hq.get("ledger?after=2").json()
    assert rest["entries"][0]["kind"] == "bogus_kind"  # quarantined: as received
    assert hq.get("ledger?after=3").json() == {"high_water_mark": 3, "entries": []}


@pytest.mark.parametrize("query", ["after=-1", "limit=0", "limit=100000", "after=x",
                                   "after=99999999999999999999999"])  # fmt: skip
def test_bad_parameters_are_refused(hq: StoreClient, query: str) -> None:
    assert hq.get(f"ledger?{query}").status_code == 422


def test_only_the_stores_own_key_reads_its_ledger(
    client: Client, hq: StoreClient, other_store: StoreCredentials, till: Till
) -> None:
    assert hq.push(till.sale(("100001", "1", "0.79"))).status_code == 200
    other = StoreClient(client, other_store)
    assert other.send("GET", hq.store_path("ledger")).status_code == 403
    assert client.get(hq.store_path("ledger")).status_code == 401
