"""edge_check: the gate a store passes before the next rollout wave."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from store_edge.monitoring import metrics
from store_edge.monitoring.alerts import alerts_evaluate
from store_edge.monitoring.models import AlertRule
from tests.store_edge.conftest import WATER, LaneClient


def run_command(name: str) -> str:
    out = StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def test_a_healthy_store_passes(lane_api: LaneClient, relay: None) -> None:
    lane_api.ring([{"code": WATER}])
    assert "healthy: sync lag None, 2 entries waiting" in run_command("edge_check")


def test_a_critical_alert_or_a_backlog_stops_the_wave(
    lane_api: LaneClient, relay: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    lane_api.ring([{"code": WATER}])
    AlertRule.objects.create(name="disk-bad", metric="disk_usage_percent", operator="gte",
                             threshold=0, duration_seconds=0, severity="critical")  # fmt: skip
    alerts_evaluate()
    monkeypatch.setattr(metrics, "BUFFER_ALERT_ENTRIES", 1)
    with pytest.raises(CommandError) as refused:
        run_command("edge_check")
    assert "edge_buffer_size 2.0 > 1.0" in str(refused.value)
    assert "critical alert disk-bad" in str(refused.value)
