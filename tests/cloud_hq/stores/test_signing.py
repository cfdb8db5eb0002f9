"""Signed store requests: only a fresh, unreplayed request signed by a live key of that store."""

import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cloud_hq.stores.models import Store, StoreKey
from cloud_hq.stores.services import store_key_issue
from tests.cloud_hq.conftest import (
    NOTHING_HELD,
    SIGNATURE_HEADERS,
    StoreClient,
    StoreCredentials,
    Till,
    encode,
    holdings,
    signature_headers,
)


@pytest.fixture
def batch(till: Till) -> list[dict[str, Any]]:
    return till.sale(("100001", "2", "0.79"))


def test_correctly_signed_push_is_accepted(hq: StoreClient, batch: list[dict[str, Any]]) -> None:
    # When the store pushes a sale, signed with its key
    answer = hq.push(batch)

    # Then HQ applies it
    assert answer.status_code == 200, answer.content
    assert answer.json()["high_water_mark"] == 2
    assert holdings(hq.credentials.store_id)["high_water_mark"] == 2


def test_body_changed_after_signing_is_refused(
    hq: StoreClient, batch: list[dict[str, Any]]
) -> None:
    # Given a push signed over one body
    signed = encode({"entries": batch})
    batch[1]["quantity"] = "-20.000"

    # When another body is sent under that signature
    answer = hq.push_body(encode({"entries": batch}), signed_body=signed)

    # Then HQ refuses it and applies nothing
    assert answer.status_code == 401
    assert answer.json() == {"detail": "bad signature"}
    assert holdings(hq.credentials.store_id) == NOTHING_HELD


@pytest.mark.parametrize("skew", [-301, 301, -3600])
def test_signature_outside_the_window_is_refused(
    hq: StoreClient, batch: list[dict[str, Any]], skew: int
) -> None:
    # When a push is signed more than 300 s before or after HQ's clock
    answer = hq.push(batch, timestamp=int(time.time()) + skew)

    # Then HQ refuses it, telling the store to check its time, and applies nothing
    assert answer.status_code == 401
    assert "check the time" in answer.json()["detail"]
    assert holdings(hq.credentials.store_id) == NOTHING_HELD


def test_signature_inside_the_window_is_accepted(
    hq: StoreClient, batch: list[dict[str, Any]]
) -> None:
    # When a push is signed 290 s ago (a store clock slightly behind)
    answer = hq.push(batch, timestamp=int(time.time()) - 290)

    # Then HQ accepts it
    assert answer.status_code == 200, answer.content


def test_replayed_request_is_refused(
    client: Client, hq: StoreClient, batch: list[dict[str, Any]]
) -> None:
    # Given a signed push that HQ accepted
    body = encode({"entries": batch})
    path = hq.store_path("events")
    headers = signature_headers(hq.credentials, method="POST", path=path, body=body)
    first = client.post(path, body, content_type="application/json", headers=headers)
    assert first.status_code == 200
    held = holdings(hq.credentials.store_id)

    # When the very same request (same nonce) is sent again
    again = client.post(path, body, content_type="application/json", headers=headers)

    # Then HQ refuses the replay and holds what it held
    assert again.status_code == 401
    assert "nonce already used" in again.json()["detail"]
    assert holdings(hq.credentials.store_id) == held


@pytest.mark.parametrize("missing", SIGNATURE_HEADERS)
def test_request_missing_a_signature_header_is_refused(
    client: Client, hq: StoreClient, batch: list[dict[str, Any]], missing: str
) -> None:
    # Given a signed push with one of the X-Edge-* headers left out
    body = encode({"entries": batch})
    path = hq.store_path("events")
    headers = signature_headers(hq.credentials, method="POST", path=path, body=body)
    del headers[missing]

    # When it is sent
    answer = client.post(path, body, content_type="application/json", headers=headers)

    # Then HQ refuses it and applies nothing
    assert answer.status_code == 401
    assert holdings(hq.credentials.store_id) == NOTHING_HELD


@pytest.mark.parametrize(
    ("override", "detail"),
    [
        ({"X-Edge-Timestamp": "2026-11-20T09:00:00Z"}, "X-Edge-Timestamp must be Unix seconds"),
        ({"X-Edge-Nonce": "not-hex-at-all-0000"}, "X-Edge-Nonce must be 16-64 hex characters"),
        ({"X-Edge-Nonce": "abc123"}, "X-Edge-Nonce must be 16-64 hex characters"),
        ({"X-Edge-Key": "000000000000"}, "unknown, revoked or expired store key"),
    ],
)
def test_malformed_signature_headers_are_refused(
    hq: StoreClient, batch: list[dict[str, Any]], override: dict[str, str], detail: str
) -> None:
    # When a push carries a malformed timestamp or nonce, or an unknown key id
    answer = hq.push(batch, headers=override)

    # Then HQ refuses it with the reason and applies nothing
    assert answer.status_code == 401
    assert answer.json() == {"detail": detail}
    assert holdings(hq.credentials.store_id) == NOTHING_HELD


def test_request_signed_with_a_wrong_secret_is_refused(
    client: Client, store: StoreCredentials, batch: list[dict[str, Any]]
) -> None:
    # Given the store's key id with a secret that is not the key's
    forged = StoreCredentials(store.store_id, store.key_id, "not-the-secret")

    # When a push is signed with it
    answer = StoreClient(client, forged).push(batch)

    # Then HQ refuses it
    assert answer.status_code == 401
    assert holdings(store.store_id) == NOTHING_HELD


def test_signature_covers_method_and_query_string(
    client: Client, hq: StoreClient, batch: list[dict[str, Any]]
) -> None:
    # Given a push signed for the bare events path
    body = encode({"entries": batch})
    path = hq.store_path("events")
    headers = signature_headers(hq.credentials, method="POST", path=path, body=body)

    # When it is sent with a query string added
    answer = client.post(f"{path}?replay=1", body, content_type="application/json", headers=headers)

    # Then the signature does not match
    assert answer.status_code == 401
    assert holdings(hq.credentials.store_id) == NOTHING_HELD


@pytest.mark.parametrize("state", ["revoked_at", "expires_at"])
def test_revoked_or_expired_key_is_refused(
    hq: StoreClient, batch: list[dict[str, Any]], state: str
) -> None:
    # Given the store's key was revoked (or expired) a second ago
    StoreKey.objects.filter(key_id=hq.credentials.key_id).update(
        **{state: timezone.now() - timedelta(seconds=1)}
    )

    # When the store pushes with it
    answer = hq.push(batch)

    # Then HQ refuses it and applies nothing
    assert answer.status_code == 401
    assert answer.json() == {"detail": "unknown, revoked or expired store key"}
    assert holdings(hq.credentials.store_id) == NOTHING_HELD


def test_key_rotation_keeps_both_keys_valid(client: Client, hq: StoreClient, till: Till) -> None:
    # Given a second key issued for the store (rotation in progress)
    key_id, secret = store_key_issue(store=Store.objects.get(code="S0001")).split(".", 1)
    new = StoreClient(client, StoreCredentials("S0001", key_id, secret))

    # When the store pushes with the old key, then with the new one
    old_answer = hq.push(till.sale(("100001", "1", "0.79")))
    new_answer = new.push(till.sale(("100001", "1", "0.79")))

    # Then both are accepted
    assert (old_answer.status_code, new_answer.status_code) == (200, 200)
    assert new_answer.json()["high_water_mark"] == 4


def test_key_of_one_store_cannot_write_another_store(
    hq: StoreClient, other_store: StoreCredentials, batch: list[dict[str, Any]]
) -> None:
    # When store S0001 signs a push to store S0002's path with its own key
    answer = hq.push(batch, store_id=other_store.store_id)

    # Then HQ forbids it, and neither store holds anything
    assert answer.status_code == 403
    assert answer.json() == {"detail": "this key belongs to another store"}
    assert holdings(other_store.store_id) == NOTHING_HELD
    assert holdings(hq.credentials.store_id) == NOTHING_HELD


def test_key_of_one_store_cannot_read_another_stores_config(
    hq: StoreClient, other_store: StoreCredentials
) -> None:
    # When store S0001 signs a config pull on store S0002's path
    path = hq.store_path("config", store_id=other_store.store_id)
    answer = hq.send("GET", path)

    # Then HQ forbids it
    assert answer.status_code == 403
