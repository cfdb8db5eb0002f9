"""Liveness (/health) and readiness (/ready: database answers, migrations applied) of HQ."""

from collections.abc import Iterator
from typing import Any

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from cloud_hq.ingest.models import StoreLedger
from cloud_hq.reconciliation.models import Conflict
from cloud_hq.stores.models import StoreHeartbeat
from deploy.web.metrics import exposition, gauge


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return JsonResponse({"status": "not ready", "problems": [f"database: {exc}"]}, status=503)
    if pending:
        problems = [f"{len(pending)} migration(s) not applied"]
        return JsonResponse({"status": "not ready", "problems": problems}, status=503)
    return JsonResponse({"status": "ready"})


class HQCollector:
    """HQ's figures read at scrape time: each store's last heartbeat, what ingest holds (its
    rate is this counter's), and the conflict queue."""

    def collect(self) -> Iterator[Any]:
        now = timezone.now()
        heard = GaugeMetricFamily("edge_last_heartbeat", "Seconds since HQ last heard a store",
                                  labels=["store"])  # fmt: skip
        for store, received in StoreHeartbeat.objects.values_list("store_id", "received_at"):
            heard.add_metric([store], (now - received).total_seconds())
        yield heard
        held = CounterMetricFamily("edge_hq_ledger_entries", "Ledger entries HQ holds",
                                   labels=["store"])  # fmt: skip
        for store, mark in StoreLedger.objects.values_list("store_id", "high_water_mark"):
            held.add_metric([store], float(mark))
        yield held
        yield gauge("edge_conflict_queue_size", "Conflicts waiting for HQ staff",
                    Conflict.objects.filter(resolved_at=None).count())  # fmt: skip


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' page (from the monitoring network only)."""
    return exposition(request, [HQCollector()])
