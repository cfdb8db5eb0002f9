"""Fleet health: every store's last heartbeat against the edge metrics' thresholds
(docs/architecture.md, "Edge metrics")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from cloud_hq.publishing.models import ConfigVersion
from cloud_hq.reporting.models import HeartbeatSample
from cloud_hq.stores.models import Store

SYNC_LAG_SECONDS = 300
BUFFER_SIZE = 10_000
DISK_PERCENT = 85
HEARTBEAT_SECONDS = 60
DEVICE_DEVIATION = 0.2


@dataclass
class StoreHealth:
    code: str
    name: str
    region: str
    heard_at: datetime | None
    heard_seconds: float | None
    sync_lag_seconds: float | None
    buffer_size: int | None
    disk_percent: float | None
    devices: int | None
    devices_expected: int | None
    config_version: int | None
    config_checked_at: datetime | None
    alerts: list[dict[str, Any]]
    breaches: set[str]

    @property
    def healthy(self) -> bool:
        return not self.breaches and not self.alerts


def fleet_health(
    *, now: datetime | None = None, region: str = "", code: str = ""
) -> list[StoreHealth]:
    """Each store's health (of a region, or one store), the unhealthy first."""
    now = now or timezone.now()
    stores = Store.objects.select_related("heartbeat").order_by("code")
    if region:
        stores = stores.filter(region=region)
    if code:
        stores = stores.filter(code=code)
    found = []
    for store in stores:
        beat = getattr(store, "heartbeat", None)
        metrics = beat.metrics if beat else {}
        heard = (now - beat.received_at).total_seconds() if beat else None
        health = StoreHealth(
            code=store.code, name=store.name, region=store.region,
            heard_at=beat.received_at if beat else None, heard_seconds=heard,
            sync_lag_seconds=metrics.get("edge_sync_lag_seconds"),
            buffer_size=metrics.get("edge_buffer_size"),
            disk_percent=metrics.get("edge_disk_usage_percent"),
            devices=metrics.get("edge_device_count"),
            devices_expected=metrics.get("edge_devices_expected"),
            config_version=beat.config_version if beat else None,
            config_checked_at=store.config_checked_at,
            alerts=list(beat.alerts) if beat else [], breaches=set(),
        )  # fmt: skip
        health.breaches = breaches(health)
        found.append(health)
    return sorted(found, key=lambda h: (h.healthy, h.code))


def breaches(h: StoreHealth) -> set[str]:
    out = set()
    if h.heard_seconds is None or h.heard_seconds > HEARTBEAT_SECONDS:
        out.add("heartbeat")
    if h.sync_lag_seconds is not None and h.sync_lag_seconds > SYNC_LAG_SECONDS:
        out.add("sync_lag")
    if h.buffer_size is not None and h.buffer_size > BUFFER_SIZE:
        out.add("buffer")
    if h.disk_percent is not None and h.disk_percent > DISK_PERCENT:
        out.add("disk")
    if (
        h.devices_expected
        and h.devices is not None
        and (abs(h.devices - h.devices_expected) / h.devices_expected > DEVICE_DEVIATION)
    ):
        out.add("devices")
    return out


def newest_version() -> int | None:
    return ConfigVersion.objects.order_by("-version").values_list("version", flat=True).first()


def store_history(store: Store, *, hours: int = 24) -> list[HeartbeatSample]:
    since = timezone.now() - timedelta(hours=hours)
    return list(HeartbeatSample.objects.filter(store=store, received_at__gte=since)
                .order_by("received_at"))  # fmt: skip
