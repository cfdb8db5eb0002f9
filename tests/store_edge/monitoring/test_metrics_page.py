"""/metrics on the store: Prometheus' text format, figures equal to the database's, request
latencies by route pattern, and only for the monitoring network."""

from __future__ import annotations

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from store_edge.ledger.models import LedgerEntry
from tests.store_edge.conftest import WATER, LaneClient


def scrape(client: Client, address: str = "127.0.0.1") -> dict[str, float]:
    answer = client.get("/metrics", REMOTE_ADDR=address)
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(answer.content.decode()):
        for sample in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def test_the_figures_are_the_databases(lane_api: LaneClient, relay: None, client: Client) -> None:
    lane_api.ring([{"code": WATER}])
    lane_api.ring([{"code": WATER}, {"code": WATER}])
    samples = scrape(client)
    assert samples["edge_sales_total"] == 2
    assert samples["edge_buffer_size"] == LedgerEntry.objects.count()
    assert 0 < samples["edge_disk_usage_percent"] <= 100
    assert "edge_sync_lag_seconds" not in samples  # never pushed: no value, not a zero
    assert samples["edge_active_alerts{severity=critical}"] == 0
    completes = [value for name, value in samples.items()
                 if name.startswith("edge_http_request_duration_seconds_count{")
                 and "route=api/v1/baskets/<basket_id>/complete" in name]  # fmt: skip
    assert sum(completes) >= 2  # by route pattern: no basket ids in the labels


@pytest.mark.parametrize("address", ["10.20.30.40", "", "not-an-address", "::ffff:10.0.0.1"])
@pytest.mark.django_db
def test_only_the_monitoring_network_may_scrape(client: Client, address: str) -> None:
    answer = client.get("/metrics", REMOTE_ADDR=address)
    assert answer.status_code == 403
    assert b"monitoring network" in answer.content


@pytest.mark.django_db
def test_a_named_network_may_scrape(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.METRICS_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    assert client.post("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 405
