"""Keys rotate without downtime (old and new both valid for a grace period) and a revoked
key is refused at once; the heartbeat keeps each store's edge metrics and alerts."""

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from cloud_hq.stores.models import StoreHeartbeat, StoreKey
from tests.cloud_hq.conftest import (
    StoreClient,
    StoreCredentials,
    Till,
    refused_command,
    run_command,
)


def rotated(store: StoreCredentials, **options: Any) -> StoreCredentials:
    printed = run_command("rotate_store_key", store=store.store_id, **options).stdout
    key_id, secret = printed.strip().removeprefix("STORE_KEY=").split(".", 1)
    return StoreCredentials(store_id=store.store_id, key_id=key_id, secret=secret)


def test_after_a_rotation_both_keys_work_until_the_grace_period_ends(
    client: Client, store: StoreCredentials, till: Till
) -> None:
    new = rotated(store, grace_hours=24)
    old_client, new_client = StoreClient(client, store), StoreClient(client, new)
    assert old_client.push(till.sale(("100001", "1", "0.79"))).status_code == 200
    assert new_client.push(till.sale(("100001", "1", "0.79"))).status_code == 200
    StoreKey.objects.filter(key_id=store.key_id).update(expires_at=timezone.now())
    refused = old_client.push(till.sale(("100001", "1", "0.79")))
    assert refused.status_code == 401
    assert new_client.push(till.sale(("100001", "1", "0.79"))).status_code == 200


def test_a_revoked_key_is_refused_at_once(
    client: Client, store: StoreCredentials, till: Till
) -> None:
    new = rotated(store, grace_hours=24)
    run_command("revoke_store_key", store=store.store_id, key=store.key_id)
    answer = StoreClient(client, store).push(till.sale(("100001", "1", "0.79")))
    assert (answer.status_code, answer.json()["detail"]) == (
        401, "unknown, revoked or expired store key")  # fmt: skip
    assert StoreClient(client, new).push(till.sale(("100001", "1", "0.79"))).status_code == 200


@pytest.mark.parametrize(
    ("command", "options", "message"),
    [
        ("rotate_store_key", {"store": "NOPE"}, "no store"),
        ("rotate_store_key", {"store": "S0001", "grace_hours": -1}, "grace period"),
        ("rotate_store_key", {"store": "S0001", "grace_hours": 24 * 365}, "grace period"),
        ("revoke_store_key", {"store": "S0001", "key": "nokey"}, "has no key"),
        ("revoke_store_key", {"store": "NOPE", "key": "x"}, "no store"),
    ],
)
def test_bad_key_commands_are_refused_and_change_nothing(
    store: StoreCredentials, command: str, options: dict, message: str
) -> None:
    before = list(StoreKey.objects.values_list("key_id", "expires_at", "revoked_at"))
    assert message in refused_command(command, **options).message
    assert list(StoreKey.objects.values_list("key_id", "expires_at", "revoked_at")) == before


HEARTBEAT = {
    "sent_at": "2026-11-26T10:00:00+00:00", "config_version": 3, "acked_seq": 120,
    "metrics": {"edge_sync_lag_seconds": 412.5, "edge_buffer_size": 37,
                "edge_disk_usage_percent": 41.2, "edge_device_count": 2,
                "edge_devices_expected": 2},
    "alerts": [{"name": "edge_sync_lag_seconds", "value": 412.5, "threshold": 300.0}],
}  # fmt: skip


def test_a_heartbeat_keeps_the_stores_metrics_and_alerts(hq: StoreClient) -> None:
    for _ in range(2):
        answer = hq.send_json("POST", hq.store_path("heartbeat"), HEARTBEAT)
        assert answer.status_code == 200, answer.content
    beat = StoreHeartbeat.objects.get()
    assert (beat.config_version, beat.acked_seq) == (3, 120)
    assert beat.metrics["edge_buffer_size"] == 37
    assert beat.alerts[0]["name"] == "edge_sync_lag_seconds"
    assert timezone.now() - beat.received_at < timedelta(seconds=5)


@pytest.mark.parametrize(
    "change",
    [
        {"metrics": {**HEARTBEAT["metrics"], "edge_disk_usage_percent": 140}},
        {"metrics": {**HEARTBEAT["metrics"], "edge_buffer_size": -1}},
        {"metrics": {**HEARTBEAT["metrics"], "cpu": 3}},
        {"alerts": [{"name": "DROP TABLE", "value": 1, "threshold": 1}]},
        {"alerts": [HEARTBEAT["alerts"][0]] * 51},
        {"sent_at": "2026-11-26T10:00:00"},
        {"acked_seq": "lots"},
    ],
)
def test_a_bad_heartbeat_is_refused_and_keeps_nothing(hq: StoreClient, change: dict) -> None:
    answer = hq.send_json("POST", hq.store_path("heartbeat"), {**HEARTBEAT, **change})
    assert answer.status_code == 422
    assert not StoreHeartbeat.objects.exists()


def test_a_heartbeat_must_be_signed_by_the_stores_own_key(
    client: Client, hq: StoreClient, other_store: StoreCredentials
) -> None:
    other = StoreClient(client, other_store)
    answer = other.send_json("POST", hq.store_path("heartbeat"), HEARTBEAT)
    assert answer.status_code == 403
    assert not StoreHeartbeat.objects.exists()
