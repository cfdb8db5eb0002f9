"""Fleet health: each store's last heartbeat against the thresholds, highlighted, and its
history; samples older than the window are pruned."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from cloud_hq.reporting.models import HeartbeatSample
from cloud_hq.reporting.services import heartbeat_samples_prune
from cloud_hq.stores.models import StoreHeartbeat
from tests.cloud_hq.conftest import StoreClient, StoreCredentials, register_store


def beat(**metrics: Any) -> dict[str, Any]:
    values = {"edge_sync_lag_seconds": 12.0, "edge_buffer_size": 30,
              "edge_disk_usage_percent": 40.0, "edge_device_count": 2,
              "edge_devices_expected": 2, **metrics}  # fmt: skip
    alerts = [{"name": "edge_disk_usage_percent", "value": values["edge_disk_usage_percent"],
               "threshold": 85.0}] if values["edge_disk_usage_percent"] > 85 else []  # fmt: skip
    return {"sent_at": timezone.now().isoformat(), "config_version": 1, "acked_seq": 10,
            "metrics": values, "alerts": alerts}  # fmt: skip


@pytest.fixture
def support(client: Client, db: None) -> Client:
    user = User.objects.create_user("sam", password="x" * 12)
    user.groups.add(Group.objects.get(name="Support"))
    client.force_login(user)
    return client


def send(client: Client, credentials: StoreCredentials, document: dict[str, Any]) -> None:
    hq = StoreClient(client, credentials)
    answer = hq.send_json("POST", hq.store_path("heartbeat"), document)
    assert answer.status_code == 200, answer.content


def test_the_fleet_page_highlights_each_breached_threshold(
    client: Client, store: StoreCredentials, other_store: StoreCredentials, support: Client
) -> None:
    third = register_store(name="Never heard", code="S0003")
    assert third.store_id == "S0003"
    send(client, store, beat())
    send(client, other_store, beat(edge_sync_lag_seconds=900.0, edge_buffer_size=25_000,
                                   edge_disk_usage_percent=91.5, edge_device_count=1))  # fmt: skip
    answer = support.get("/fleet/")
    assert answer.status_code == 200
    health = {s.code: s for s in answer.context["stores"]}
    assert health["S0001"].breaches == set() and health["S0001"].healthy
    assert health["S0002"].breaches == {"sync_lag", "buffer", "disk", "devices"}
    assert health["S0003"].breaches == {"heartbeat"}  # never heard
    assert [s.code for s in answer.context["stores"]][-1] == "S0001"  # the healthy last
    assert answer.context["unhealthy"] == 2
    html = answer.content.decode()
    assert html.count('class="attention"') == 2
    assert "edge_disk_usage_percent 92 &gt; 85" in html


def test_a_silent_store_breaches_the_heartbeat_threshold(
    client: Client, store: StoreCredentials, support: Client
) -> None:
    send(client, store, beat())
    StoreHeartbeat.objects.update(received_at=timezone.now() - timedelta(seconds=61))
    (health,) = support.get("/fleet/").context["stores"]
    assert health.breaches == {"heartbeat"}


def test_a_stores_history_and_its_pruning(
    client: Client, store: StoreCredentials, support: Client, settings: Any
) -> None:
    for lag in (5.0, 50.0, 500.0):
        send(client, store, beat(edge_sync_lag_seconds=lag))
    answer = support.get("/fleet/S0001/")
    assert answer.status_code == 200
    assert [s.sync_lag_seconds for s in answer.context["samples"]] == [500.0, 50.0, 5.0]
    lag_chart = answer.context["charts"][0]
    assert lag_chart["last"] == 500.0
    assert len(lag_chart["points"].split()) == 3
    assert b"<polyline" in answer.content
    assert support.get("/fleet/S9999/").status_code == 404
    settings.FLEET_HISTORY_DAYS = 1
    HeartbeatSample.objects.filter(sync_lag_seconds=5.0).update(
        received_at=timezone.now() - timedelta(days=2)
    )
    assert heartbeat_samples_prune() == 1
    assert HeartbeatSample.objects.count() == 2


def test_a_refused_heartbeat_keeps_no_sample(client: Client, store: StoreCredentials) -> None:
    hq = StoreClient(client, store)
    answer = hq.send_json("POST", hq.store_path("heartbeat"),
                          beat(edge_disk_usage_percent=140.0))  # fmt: skip
    assert answer.status_code == 422
    assert not HeartbeatSample.objects.exists()
