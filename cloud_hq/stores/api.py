"""Store-facing heartbeat: POST /api/v1/stores/{store_id}/heartbeat every 30 s."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router
from pydantic import Field

from cloud_hq.ingest.contract import INT32_MAX, StorableDatetime, Strict
from cloud_hq.reporting.services import heartbeat_sample
from cloud_hq.stores.auth import StoreSignatureAuth, request_store
from cloud_hq.stores.models import StoreHeartbeat

router = Router(auth=StoreSignatureAuth(), tags=["fleet"])

INT64_MAX = 2**63 - 1  # StoreHeartbeat.acked_seq holds no more


class EdgeMetricsIn(Strict):
    edge_sync_lag_seconds: float | None = Field(ge=0, le=10**9)
    edge_buffer_size: int = Field(ge=0, le=INT32_MAX)
    edge_disk_usage_percent: float = Field(ge=0, le=100)
    edge_device_count: int = Field(ge=0, le=10_000)
    edge_devices_expected: int = Field(ge=0, le=10_000)


class AlertIn(Strict):
    name: str = Field(pattern=r"^[a-z_]{1,64}$")
    value: float
    threshold: float


class HeartbeatIn(Strict):
    sent_at: StorableDatetime
    config_version: int = Field(ge=0, le=INT32_MAX)
    acked_seq: int = Field(ge=0, le=INT64_MAX)
    metrics: EdgeMetricsIn
    alerts: list[AlertIn] = Field(max_length=50)


class HeartbeatOut(Strict):
    received_at: datetime


@router.post("/stores/{store_id}/heartbeat", response={200: HeartbeatOut})
def heartbeat(request: HttpRequest, store_id: str, body: HeartbeatIn) -> HeartbeatOut:
    now = timezone.now()
    StoreHeartbeat.objects.update_or_create(
        store=request_store(request),
        defaults={
            "received_at": now, "sent_at": body.sent_at, "config_version": body.config_version,
            "acked_seq": body.acked_seq, "metrics": body.metrics.model_dump(mode="json"),
            "alerts": [alert.model_dump(mode="json") for alert in body.alerts],
        },
    )  # fmt: skip
    heartbeat_sample(store=request_store(request), metrics=body.metrics.model_dump(),
                     alerts=len(body.alerts))  # fmt: skip
    return HeartbeatOut(received_at=now)
