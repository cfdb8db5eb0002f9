"""Is this store healthy enough for the next rollout wave? Exit 0 when yes; exit 1 naming
each problem. Run after an upgrade (the rollout's check Job, or by hand)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from store_edge.monitoring.alerts import active_alerts
from store_edge.monitoring.metrics import edge_metrics


class Command(BaseCommand):
    help = "Check the edge metrics and critical alerts; fail if the store is not healthy."

    def handle(self, *args: Any, **options: Any) -> None:
        metrics = edge_metrics()
        # The edge metrics' thresholds crossed now (the heartbeat's alerts), and the manager's
        # critical alerts firing.
        problems = [f"{a['name']} {a['value']} > {a['threshold']}" for a in metrics.alerts()]
        problems += [f"critical alert {a['name']}" for a in active_alerts()
                     if a["severity"] == "critical"]  # fmt: skip
        if problems:
            raise CommandError("not healthy: " + "; ".join(problems))
        self.stdout.write(f"healthy: sync lag {metrics.sync_lag_seconds}, "
                          f"{metrics.buffer_size} entries waiting, disk "
                          f"{metrics.disk_usage_percent:.1f} %")  # fmt: skip
