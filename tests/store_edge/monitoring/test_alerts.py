"""The local alert engine with a controlled clock: a condition that holds for less than
the duration never fires; one that holds fires exactly once and resolves when it stops;
bad rules are refused with a message; history is bounded; alerts reach the lane and HQ."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.test import Client

from store_edge.monitoring.alerts import (
    SCALE_ERRORS,
    active_alerts,
    alerts_evaluate,
    local_metrics,
)
from store_edge.monitoring.models import Alert, AlertRule, MetricSample
from store_edge.monitoring.rules import evaluate
from store_edge.sync.heartbeat import heartbeat_payload
from tests.store_edge.conftest import LaneClient

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_evaluate_fires_once_after_the_whole_duration_and_resolves() -> None:
    rule: dict[str, Any] = {"op": "gt", "threshold": 300.0, "duration_seconds": 60}
    since, firing, fired, resolved = None, False, [], []
    for second, value in [(0, 400), (30, 500), (59, 350), (60, 320), (90, 999), (120, 100),
                          (130, 400)]:  # fmt: skip
        step = evaluate(**rule, value=value, holding_since=since, firing=firing, now=at(second))
        since = step.holding_since
        if step.fire:
            fired.append(second)
            firing = True
        if step.resolve:
            resolved.append(second)
            firing = False
    assert fired == [60] and resolved == [120]
    assert since == at(130)  # holding again, from 130


def test_a_condition_broken_before_the_duration_never_fires() -> None:
    since = None
    for second, value in [(0, 400), (50, 400), (55, 10), (56, 400), (110, 400)]:
        step = evaluate(op="gte", threshold=400, duration_seconds=60, value=value,
                        holding_since=since, firing=False, now=at(second))  # fmt: skip
        assert not step.fire
        since = step.holding_since
    assert since == at(56)


@pytest.mark.parametrize(("op", "value", "holds"), [
    ("gt", 5, False), ("gte", 5, True), ("lt", 4, True), ("lte", 5, True), ("eq", 5, True),
    ("eq", 5.5, False), ("gt", None, False),
])  # fmt: skip
def test_each_operator(op: str, value: float | None, holds: bool) -> None:
    step = evaluate(op=op, threshold=5, duration_seconds=0, value=value, holding_since=None,
                    firing=False, now=T0)  # fmt: skip
    assert step.fire is holds


@pytest.mark.django_db
def test_the_engine_fires_once_and_resolves_with_the_rules_state_in_sqlite() -> None:
    AlertRule.objects.all().delete()
    AlertRule.objects.create(name="lag", metric="sync_lag_seconds", operator="gt",
                             threshold=300, duration_seconds=60, severity="critical")  # fmt: skip
    seen = []
    for second, lag in [(0, 400.0), (30, 400.0), (60, 401.0), (65, 402.0), (90, 10.0),
                        (95, 10.0)]:  # fmt: skip
        seen += alerts_evaluate(now=at(second), metrics={"sync_lag_seconds": lag})
    assert seen == [("lag", "fired"), ("lag", "resolved")]
    (alert,) = Alert.objects.all()
    assert (alert.fired_at, alert.resolved_at, alert.value) == (at(60), at(90), 401.0)
    assert active_alerts() == []


@pytest.mark.django_db
def test_active_alerts_reach_the_lane_and_hq(lane_api: LaneClient, relay: None) -> None:
    AlertRule.objects.all().delete()
    AlertRule.objects.create(name="no-negative", metric="negative_stock_count", operator="gt",
                             threshold=0, duration_seconds=0, severity="info")  # fmt: skip
    alerts_evaluate(metrics={"negative_stock_count": 3.0})
    code, status = lane_api.get("/sync/status")
    assert code == 200
    (shown,) = status["alerts"]
    assert (shown["name"], shown["severity"], shown["value"]) == ("no-negative", "info", 3.0)
    names = [a["name"] for a in heartbeat_payload()["alerts"]]
    assert "no_negative" in names  # HQ takes lowercase letters and underscores


@pytest.mark.django_db
def test_disabling_a_rule_resolves_its_alert() -> None:
    AlertRule.objects.all().delete()
    rule = AlertRule.objects.create(name="disk", metric="disk_usage_percent", operator="gt",
                                    threshold=50, duration_seconds=0)  # fmt: skip
    alerts_evaluate(now=at(0), metrics={"disk_usage_percent": 60.0})
    AlertRule.objects.filter(id=rule.id).update(enabled=False)
    alerts_evaluate(now=at(5), metrics={"disk_usage_percent": 60.0})
    assert Alert.objects.get().resolved_at == at(5)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"metric": "cpu_temperature"}, "unknown metric 'cpu_temperature'"),
        ({"operator": "ne"}, "unknown operator 'ne'"),
        ({"duration_seconds": -5}, "the duration is whole seconds"),
        ({"threshold": float("nan")}, "the threshold must be a number"),
    ],
)
@pytest.mark.django_db
def test_a_bad_rule_is_refused_with_a_message(fields: dict[str, Any], message: str) -> None:
    rule = AlertRule(name="bad", metric="buffer_size", operator="gt", threshold=1,
                     duration_seconds=0)  # fmt: skip
    for name, value in fields.items():
        setattr(rule, name, value)
    with pytest.raises(ValidationError) as refused:
        rule.full_clean()
    assert message in str(refused.value)
    assert not AlertRule.objects.filter(name="bad").exists()


@pytest.mark.django_db
def test_a_manager_edits_rules_in_the_admin_and_a_bad_one_is_refused(client: Client) -> None:
    client.force_login(User.objects.create_superuser("boss", password="x" * 12))
    form = {"name": "lag-long", "metric": "sync_lag_seconds", "operator": "gte",
            "threshold": "900", "duration_seconds": "120", "severity": "critical",
            "enabled": "on"}  # fmt: skip
    assert client.post("/admin/monitoring/alertrule/add/", form).status_code == 302
    bad = client.post("/admin/monitoring/alertrule/add/", {**form, "name": "x",
                                                           "duration_seconds": "-1"})  # fmt: skip
    assert bad.status_code == 200
    assert not AlertRule.objects.filter(name="x").exists()
    assert AlertRule.objects.get(name="lag-long").threshold == 900


@pytest.mark.django_db
def test_default_rules_are_there_after_migrate() -> None:
    names = set(AlertRule.objects.values_list("name", flat=True))
    assert {"sync_lag", "disk_nearly_full", "device_disconnected", "negative_stock"} <= names


@pytest.mark.django_db
def test_history_is_bounded_and_stops_when_the_disk_is_nearly_full(settings: Any) -> None:
    settings.METRIC_HISTORY_SECONDS = 60
    for second in range(0, 300, 5):
        alerts_evaluate(now=at(second), metrics={"buffer_size": 1.0, "disk_usage_percent": 50.0})
    kept = MetricSample.objects.filter(name="buffer_size")
    assert kept.count() == 13  # 240 … 295 s, and 300 - 60 = 240 inclusive
    settings.DISK_NEARLY_FULL_PERCENT = 95.0
    before = MetricSample.objects.count()
    alerts_evaluate(now=at(300), metrics={"buffer_size": 1.0, "disk_usage_percent": 97.0})
    assert MetricSample.objects.count() < before  # pruned, nothing new written


@pytest.mark.django_db
def test_the_scale_error_rate_comes_from_the_history(relay: None) -> None:
    MetricSample.objects.create(name=SCALE_ERRORS, value=4.0, at=at(0))
    from store_edge.peripherals import relay as peripherals

    peripherals.publish_health(7, {"kind": "scale", "connected": True, "errors": 16})
    metrics = local_metrics(now=at(120))
    assert metrics["scale_error_rate"] == 6.0  # 12 errors in 2 minutes
    assert local_metrics(now=at(30))["scale_error_rate"] is None  # no sample a minute old
