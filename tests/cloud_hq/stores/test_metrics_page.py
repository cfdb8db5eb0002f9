"""/metrics at HQ: each store's last heartbeat, what ingest holds, the conflict queue."""

from __future__ import annotations

from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from cloud_hq.reconciliation.models import Conflict
from tests.cloud_hq.conftest import StoreClient, Till


def scrape(client: Client) -> dict[str, float]:
    answer = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert answer.status_code == 200, answer.content
    found = {}
    for family in text_string_to_metric_families(answer.content.decode()):
        for sample in family.samples:
            store = sample.labels.get("store")
            found[f"{sample.name}/{store}" if store else sample.name] = sample.value
    return found


def test_hq_metrics(hq: StoreClient, till: Till, client: Client) -> None:
    assert hq.push(till.sale(("999999", "1", "1.00"))).status_code == 200  # an unknown SKU
    beat = {"sent_at": "2026-11-26T10:00:00+00:00", "config_version": 1, "acked_seq": 2,
            "metrics": {"edge_sync_lag_seconds": 1.0, "edge_buffer_size": 0,
                        "edge_disk_usage_percent": 10.0, "edge_device_count": 0,
                        "edge_devices_expected": 0}, "alerts": []}  # fmt: skip
    assert hq.send_json("POST", hq.store_path("heartbeat"), beat).status_code == 200
    found = scrape(client)
    assert found["edge_hq_ledger_entries_total/S0001"] == 2
    assert 0 <= found["edge_last_heartbeat/S0001"] < 5
    assert found["edge_conflict_queue_size"] == Conflict.objects.filter(resolved_at=None).count()
    assert found["edge_conflict_queue_size"] >= 1


def test_hq_metrics_are_for_the_monitoring_network_only(client: Client, db: None) -> None:
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 403
