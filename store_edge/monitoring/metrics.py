"""The store's edge metrics (docs/architecture.md, "Edge metrics") and the alerts their
thresholds raise.

Read from SQLite, the disk and the device gateway's health in Redis; never from HQ."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from store_edge.peripherals.models import DeviceKind, LaneDevice, PrintJob, TerminalPayment
from store_edge.peripherals.relay import device_health
from store_edge.sync.selectors import pending_entries, sync_state

SYNC_LAG_ALERT_SECONDS = 300
BUFFER_ALERT_ENTRIES = 10_000
DISK_ALERT_PERCENT = 85.0
DEVICE_DEVIATION_ALERT = 0.20


@dataclass(frozen=True)
class EdgeMetrics:
    sync_lag_seconds: float | None  # since the last successful push (None: never pushed)
    buffer_size: int  # ledger entries HQ does not hold yet
    disk_usage_percent: float
    device_count: int  # devices the gateway reports connected
    devices_expected: int  # active devices set up on the lanes

    def alerts(self) -> list[dict[str, object]]:
        """The thresholds crossed now, as HQ and the admin show them."""
        found: list[dict[str, object]] = []
        if self.sync_lag_seconds is not None and self.sync_lag_seconds > SYNC_LAG_ALERT_SECONDS:
            found.append(_alert("edge_sync_lag_seconds", self.sync_lag_seconds,
                                SYNC_LAG_ALERT_SECONDS))  # fmt: skip
        if self.buffer_size > BUFFER_ALERT_ENTRIES:
            found.append(_alert("edge_buffer_size", self.buffer_size, BUFFER_ALERT_ENTRIES))
        if self.disk_usage_percent > DISK_ALERT_PERCENT:
            found.append(_alert("edge_disk_usage_percent", self.disk_usage_percent,
                                DISK_ALERT_PERCENT))  # fmt: skip
        if self.devices_expected:
            deviation = abs(self.devices_expected - self.device_count) / self.devices_expected
            if deviation > DEVICE_DEVIATION_ALERT:
                found.append(_alert("edge_device_count", self.device_count,
                                    self.devices_expected))  # fmt: skip
        return found


def _alert(name: str, value: float, threshold: float) -> dict[str, object]:
    return {"name": name, "value": round(float(value), 2), "threshold": float(threshold)}


def disk_usage_percent(path: Path | None = None) -> float:
    """How full the disk holding the store's database is."""
    usage = shutil.disk_usage(path or Path(settings.DATABASES["default"]["NAME"]).parent)
    return round(100.0 * usage.used / usage.total, 2) if usage.total else 0.0


def edge_metrics() -> EdgeMetrics:
    state = sync_state()
    lag = None
    if state.last_push_at is not None and (state.acked_seq or state.last_contact_at):
        lag = (timezone.now() - state.last_push_at).total_seconds()
    health = device_health()
    expected = list(LaneDevice.objects.filter(active=True).values_list("id", flat=True))
    connected = sum(1 for device in expected if health.get(device, {}).get("connected"))
    return EdgeMetrics(
        sync_lag_seconds=lag,
        buffer_size=pending_entries(acked_seq=state.acked_seq),
        disk_usage_percent=disk_usage_percent(),
        device_count=connected,
        devices_expected=len(expected),
    )


PRINTER_CONDITIONS = ("online", "cover_open", "paper_out", "paper_near_end", "drawer_pin_high")


@dataclass(frozen=True)
class LaneDeviceFigures:
    """What /metrics says of the lanes' printers and terminals, per lane."""

    printers: dict[int, dict[str, bool]]  # lane → the printer's last status
    receipts_held: dict[int, int]  # lane → receipts its printer could not print yet
    card_payments_doubtful: dict[int, int]  # lane → payments unknown or released unresolved


def lane_device_figures() -> LaneDeviceFigures:
    health = device_health()
    printers = {}
    for device_id, lane in LaneDevice.objects.filter(
        active=True, kind=DeviceKind.PRINTER
    ).values_list("id", "lane__number"):
        status = health.get(device_id, {}).get("printer")
        if isinstance(status, dict):
            printers[lane] = {name: bool(status.get(name)) for name in PRINTER_CONDITIONS}
    held = dict(PrintJob.objects.filter(state=PrintJob.State.HELD).values("lane__number")
                .annotate(n=Count("id")).values_list("lane__number", "n"))  # fmt: skip
    doubtful = dict(
        TerminalPayment.objects.filter(state__in=(TerminalPayment.State.UNKNOWN,
                                                  TerminalPayment.State.UNRESOLVED))
        .values("lane__number").annotate(n=Count("id")).values_list("lane__number", "n")
    )  # fmt: skip
    return LaneDeviceFigures(printers=printers, receipts_held=held,
                             card_payments_doubtful=doubtful)  # fmt: skip
