"""Is this store healthy enough for the next rollout wave? Exit 0 when yes; exit 1 naming
each problem. Run after an upgrade (the rollout's check Job, or by hand)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from store_edge.monitoring.alerts import active_alerts
from store_edge.monitoring.metrics import (
    BUFFER_ALERT_ENTRIES,
    DISK_ALERT_PERCENT,
    SYNC_LAG_ALERT_SECONDS,
    edge_metrics,
)


class Command(BaseCommand):
    help = "Check the edge metrics and critical alerts; fail if the store is not healthy."

    def handle(self, *args: Any, **options: Any) -> None:
        metrics = edge_metrics()
        problems = []
        if (
            metrics.sync_lag_seconds is not None
            and metrics.sync_lag_seconds > SYNC_LAG_ALERT_SECONDS
        ):
            problems.append(f"sync lag {metrics.sync_lag_seconds:.0f} s > {SYNC_LAG_ALERT_SECONDS}")
        if metrics.buffer_size > BUFFER_ALERT_ENTRIES:
            problems.append(f"{metrics.buffer_size} entries not at HQ > {BUFFER_ALERT_ENTRIES}")
        if metrics.disk_usage_percent > DISK_ALERT_PERCENT:
            problems.append(f"disk {metrics.disk_usage_percent:.1f} % > {DISK_ALERT_PERCENT}")
        problems += [f"critical alert {a['name']}" for a in active_alerts()
                     if a["severity"] == "critical"]  # fmt: skip
        if problems:
            raise CommandError("not healthy: " + "; ".join(problems))
        self.stdout.write(f"healthy: sync lag {metrics.sync_lag_seconds}, "
                          f"{metrics.buffer_size} entries waiting, disk "
                          f"{metrics.disk_usage_percent:.1f} %")  # fmt: skip
