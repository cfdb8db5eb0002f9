"""Duplicate sync workers pushing the same entries at the same moment: applied once."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.http import HttpResponse
from django.test import Client

from cloud_hq.ingest.models import LedgerEntry, Sale
from tests.cloud_hq.conftest import (
    StoreClient,
    StoreCredentials,
    Till,
    encode,
    holdings,
    register_store,
    signature_headers,
)

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the SQLite test database is one shared in-memory cache: writers fail, not wait",
)

WORKERS = 4


def at_once(requests: list[Callable[[], HttpResponse]]) -> list[HttpResponse]:
    """Send the requests from one thread each, released together; return the answers."""
    barrier = threading.Barrier(len(requests))
    answers: list[Any] = [None] * len(requests)

    def work(index: int) -> None:
        try:
            barrier.wait()
            answers[index] = requests[index]()
        except BaseException as exc:  # reported by the assertions on the answers
            answers[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.fixture
def racing_store(transactional_db: None) -> StoreCredentials:
    return register_store(name="Berlin Mitte", code="S0001")


def statuses(answers: list[Any]) -> list[Any]:
    return [getattr(answer, "status_code", answer) for answer in answers]


def test_first_batch_pushed_by_duplicate_workers_is_applied_once(
    racing_store: StoreCredentials,
) -> None:
    # Given a store's first batch, and four workers that push it at the same moment
    batch = Till().sale(("100001", "2", "0.79"), ("200036", "1", "2.49"))
    workers = [StoreClient(Client(), racing_store) for _ in range(WORKERS)]

    # When they push
    answers = at_once([lambda hq=hq: hq.push(batch) for hq in workers])

    # Then every worker hears mark 3, exactly one applied the batch, and HQ holds it once
    assert statuses(answers) == [200] * WORKERS
    bodies = [answer.json() for answer in answers]
    assert {body["high_water_mark"] for body in bodies} == {3}
    assert sorted(body["accepted"] for body in bodies) == [0] * (WORKERS - 1) + [3]
    assert LedgerEntry.objects.count() == 3
    assert Sale.objects.count() == 1
    assert holdings(racing_store.store_id)["stock"] == [
        ("100001", -2, 2),
        ("200036", -1, 3),
    ]


def test_later_batch_pushed_by_duplicate_workers_is_applied_once(
    racing_store: StoreCredentials,
) -> None:
    # Given HQ holds the store's first sale
    till = Till()
    first = StoreClient(Client(), racing_store).push(till.sale(("100001", "1", "0.79")))
    assert first.status_code == 200
    batch = till.sale(("100001", "2", "0.79"))
    workers = [StoreClient(Client(), racing_store) for _ in range(WORKERS)]

    # When four workers push the next sale at the same moment
    answers = at_once([lambda hq=hq: hq.push(batch) for hq in workers])

    # Then it is applied once
    assert statuses(answers) == [200] * WORKERS
    assert sorted(answer.json()["accepted"] for answer in answers) == [0] * (WORKERS - 1) + [2]
    assert LedgerEntry.objects.count() == 4
    assert holdings(racing_store.store_id)["stock"] == [("100001", -3, 4)]


def test_one_signed_request_sent_twice_at_once_is_accepted_once(
    racing_store: StoreCredentials,
) -> None:
    # Given one signed request (one nonce), sent twice concurrently
    body = encode({"entries": Till().sale(("100001", "1", "0.79"))})
    path = f"/api/v1/stores/{racing_store.store_id}/events"
    headers = signature_headers(racing_store, method="POST", path=path, body=body)

    def send() -> HttpResponse:
        return Client().post(path, body, content_type="application/json", headers=headers)

    # When both copies arrive together
    answers = at_once([send, send])

    # Then one is accepted and the other refused as a replay
    assert sorted(statuses(answers)) == [200, 401]
