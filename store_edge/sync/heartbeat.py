"""The heartbeat: every HEARTBEAT_SECONDS the store tells HQ its edge metrics and alerts.

It is also how the store learns soonest that HQ is away (or back): the lane page's banner
follows it."""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone

from store_edge.catalog.selectors import config_stamp
from store_edge.monitoring.metrics import edge_metrics
from store_edge.sync.client import HQClient, HQRefused, HQUnreachable
from store_edge.sync.selectors import sync_state
from store_edge.sync.services import sync_failure_record, sync_state_record


def heartbeat_payload() -> dict[str, Any]:
    metrics = edge_metrics()
    return {
        "sent_at": timezone.now().isoformat(),
        "config_version": config_stamp()[0],
        "acked_seq": sync_state().acked_seq,
        "metrics": {
            "edge_sync_lag_seconds": metrics.sync_lag_seconds,
            "edge_buffer_size": metrics.buffer_size,
            "edge_disk_usage_percent": metrics.disk_usage_percent,
            "edge_device_count": metrics.device_count,
            "edge_devices_expected": metrics.devices_expected,
        },
        "alerts": _alerts(metrics.alerts()),
    }


def _alerts(thresholds: list[dict[str, object]]) -> list[dict[str, object]]:
    """The edge metrics' thresholds crossed now, and the local engine's active alerts (names as
    HQ takes them: lowercase letters and underscores), at most HQ's 50."""
    from store_edge.monitoring.alerts import active_alerts

    found = {str(a["name"]): a for a in thresholds}
    for alert in active_alerts():
        name = re.sub(r"[^a-z_]", "_", str(alert["name"]).lower())[:64]
        found.setdefault(name, {"name": name, "value": round(float(alert["value"]), 2),
                                "threshold": float(alert["threshold"])})  # fmt: skip
    return list(found.values())[:50]


def heartbeat_send(*, client: HQClient) -> None:
    """Send one heartbeat; record that HQ answered (or not)."""
    try:
        client.request("POST", client.store_path("heartbeat"), payload=heartbeat_payload())
    except (HQUnreachable, HQRefused) as exc:
        sync_failure_record(exc, client)
        raise
    now = timezone.now()
    sync_state_record(last_contact_at=now, offline_since=None, failures=0, next_attempt_at=None,
            clock_offset_seconds=client.clock_offset)  # fmt: skip
