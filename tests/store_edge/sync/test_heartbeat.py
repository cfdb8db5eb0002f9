"""The heartbeat: the store's edge metrics and the alerts their thresholds raise, sent to HQ;
it also tells the store soonest that HQ is away or back."""

import gzip
import json

import httpx
import pytest

from store_edge.lanes.models import Lane
from store_edge.monitoring import metrics
from store_edge.peripherals.models import DeviceKind, LaneDevice
from store_edge.sync.client import HQClient, HQUnreachable
from store_edge.sync.heartbeat import heartbeat_payload, heartbeat_send
from store_edge.sync.models import SyncState
from tests.store_edge.conftest import WATER, LaneClient


def test_the_payload_carries_the_edge_metrics(lane_api: LaneClient, relay: None) -> None:
    lane_api.ring([{"code": WATER}])
    payload = heartbeat_payload()
    assert payload["metrics"]["edge_buffer_size"] == 2
    assert payload["metrics"]["edge_sync_lag_seconds"] is None  # never pushed
    assert 0 < payload["metrics"]["edge_disk_usage_percent"] <= 100
    assert payload["config_version"] == 1 and payload["acked_seq"] == 0
    assert payload["alerts"] == []


def test_thresholds_raise_alerts(lane: Lane, relay: None, monkeypatch: pytest.MonkeyPatch) -> None:
    LaneDevice.objects.create(lane=lane, kind=DeviceKind.SCALE, protocol="sics", port="/dev/x")
    monkeypatch.setattr(metrics, "DISK_ALERT_PERCENT", 0.0)
    monkeypatch.setattr(metrics, "BUFFER_ALERT_ENTRIES", -1)
    names = [alert["name"] for alert in heartbeat_payload()["alerts"]]
    assert names == ["edge_buffer_size", "edge_disk_usage_percent", "edge_device_count"]


def test_a_delivered_heartbeat_marks_hq_reachable_and_a_lost_one_offline(
    lane_api: LaneClient, relay: None
) -> None:
    received: list[dict] = []

    def hq(request: httpx.Request) -> httpx.Response:
        body = request.content
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        received.append(json.loads(body))
        return httpx.Response(200, json={"received_at": "2026-11-26T10:00:00Z"})

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    def client(handler) -> HQClient:  # type: ignore[no-untyped-def]
        return HQClient(base_url="http://hq.invalid", store_id="S0001", store_key="k." + "x" * 40,
                        transport=httpx.MockTransport(handler), retries=0)  # fmt: skip

    with pytest.raises(HQUnreachable):
        heartbeat_send(client=client(down))
    assert SyncState.objects.get().offline_since is not None
    heartbeat_send(client=client(hq))
    state = SyncState.objects.get()
    assert state.offline_since is None and state.hq_reachable
    assert received[0]["metrics"]["edge_device_count"] == 0
    assert lane_api.get("/sync/status")[1]["hq_reachable"] is True
