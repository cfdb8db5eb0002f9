"""The local alert engine: every few seconds read the store's own metrics, keep a bounded
history, and fire or resolve the manager's rules. Active alerts show in the admin, on the
lane's status strip and travel to HQ with the heartbeat."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from store_edge.inventory.models import StockLevel
from store_edge.ledger.models import EntryKind, LedgerEntry
from store_edge.monitoring.metrics import edge_metrics
from store_edge.monitoring.models import Alert, AlertRule, MetricSample
from store_edge.monitoring.rules import evaluate
from store_edge.peripherals.relay import device_health

logger = logging.getLogger(__name__)

SCALE_ERRORS = "scale_errors_total"
RATE_WINDOW = timedelta(seconds=60)


def local_metrics(*, now: datetime) -> dict[str, float | None]:
    """The alert engine's metrics, read from SQLite, the disk and the gateway's health."""
    edge = edge_metrics()
    state_acked = edge_acked_seq()
    scale_errors = sum(
        int(h.get("errors", 0)) for h in device_health().values() if h.get("kind") == "scale"
    )
    return {
        "sync_lag_seconds": edge.sync_lag_seconds,
        "buffer_size": float(edge.buffer_size),
        "disk_usage_percent": edge.disk_usage_percent,
        "devices_disconnected": float(max(edge.devices_expected - edge.device_count, 0)),
        "scale_error_rate": _per_minute(SCALE_ERRORS, float(scale_errors), now=now),
        "unsynced_shifts": float(LedgerEntry.objects.filter(
            kind=EntryKind.SHIFT_CLOSED, seq__gt=state_acked).count()),
        "negative_stock_count": float(StockLevel.objects.filter(quantity_milli__lt=0).count()),
        SCALE_ERRORS: float(scale_errors),
    }  # fmt: skip


def edge_acked_seq() -> int:
    from store_edge.sync.selectors import sync_state

    return sync_state().acked_seq


def _per_minute(name: str, total: float, *, now: datetime) -> float | None:
    """The counter's rise per minute over the last window (None until history covers it)."""
    before = (
        MetricSample.objects.filter(name=name, at__lte=now - RATE_WINDOW).order_by("-at").first()
    )
    if before is None:
        return None
    minutes = (now - before.at).total_seconds() / 60
    return max(total - before.value, 0.0) / minutes if minutes > 0 else None


def alerts_evaluate(
    *, now: datetime | None = None, metrics: dict[str, float | None] | None = None
) -> list[tuple[str, str]]:
    """Evaluate every enabled rule once; answer what changed: [(rule name, fired|resolved)]."""
    now = now or timezone.now()
    metrics = local_metrics(now=now) if metrics is None else metrics
    changes: list[tuple[str, str]] = []
    with transaction.atomic():
        _history_keep(metrics, now=now)
        active = {a.rule_id: a for a in Alert.objects.filter(resolved_at=None)}
        for rule in AlertRule.objects.select_for_update().filter(enabled=True):
            value = metrics.get(rule.metric)
            step = evaluate(
                op=rule.operator, threshold=rule.threshold, value=value, now=now,
                duration_seconds=rule.duration_seconds, holding_since=rule.holding_since,
                firing=rule.id in active,
            )  # fmt: skip
            if step.holding_since != rule.holding_since:
                rule.holding_since = step.holding_since
                rule.save(update_fields=["holding_since"])
            if step.fire and value is not None:
                Alert.objects.create(
                    rule=rule, metric=rule.metric, severity=rule.severity,
                    threshold=rule.threshold, value=value, fired_at=now,
                )  # fmt: skip
                changes.append((rule.name, "fired"))
                logger.warning("alert %s: %s=%s %s %s", rule.name, rule.metric, value,
                               rule.operator, rule.threshold)  # fmt: skip
            elif step.resolve:
                Alert.objects.filter(id=active[rule.id].id).update(resolved_at=now)
                changes.append((rule.name, "resolved"))
                logger.info("alert %s resolved", rule.name)
        # A rule switched off, or deleted, leaves no alert active behind it.
        Alert.objects.filter(resolved_at=None, rule__enabled=False).update(resolved_at=now)
    return changes


def _history_keep(metrics: dict[str, float | None], *, now: datetime) -> None:
    MetricSample.objects.filter(
        at__lt=now - timedelta(seconds=settings.METRIC_HISTORY_SECONDS)
    ).delete()
    disk = metrics.get("disk_usage_percent")
    if disk is not None and disk >= settings.DISK_NEARLY_FULL_PERCENT:
        return  # non-essential writes stop when the disk is nearly full
    MetricSample.objects.bulk_create(
        MetricSample(name=name, value=value, at=now)
        for name, value in metrics.items() if value is not None
    )  # fmt: skip


def active_alerts() -> list[dict[str, Any]]:
    """The alerts firing now, as the lane's status strip and HQ's heartbeat show them."""
    return [
        {"name": a.rule.name, "metric": a.metric, "severity": a.severity, "value": a.value,
         "threshold": a.threshold, "since": a.fired_at.isoformat()}
        for a in Alert.objects.filter(resolved_at=None).select_related("rule").order_by("fired_at")
    ]  # fmt: skip


DEFAULT_RULES = [
    ("sync_lag", "sync_lag_seconds", "gt", 300.0, 60, "warning"),
    ("buffer_large", "buffer_size", "gt", 10_000.0, 60, "warning"),
    ("disk_nearly_full", "disk_usage_percent", "gt", 85.0, 60, "critical"),
    ("device_disconnected", "devices_disconnected", "gte", 1.0, 30, "warning"),
    ("scale_errors", "scale_error_rate", "gt", 5.0, 60, "warning"),
    ("shifts_unsynced", "unsynced_shifts", "gte", 1.0, 3600, "info"),
    ("negative_stock", "negative_stock_count", "gt", 0.0, 0, "info"),
]


def default_rules_ensure(**_: Any) -> None:
    """The default rules, added once (a manager's changes to them are kept)."""
    for name, metric, op, threshold, duration, severity in DEFAULT_RULES:
        AlertRule.objects.get_or_create(name=name, defaults={
            "metric": metric, "operator": op, "threshold": threshold,
            "duration_seconds": duration, "severity": severity})  # fmt: skip
