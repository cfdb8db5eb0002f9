"""Liveness and readiness probes."""

from collections.abc import Iterator
from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from deploy.web.metrics import exposition, gauge
from store_edge.monitoring.metrics import edge_metrics, lane_device_figures
from store_edge.monitoring.models import Alert
from store_edge.monitoring.readiness import readiness_problems
from store_edge.sales.models import Sale


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """The process answers: nothing else is checked."""
    return JsonResponse({"status": "ok"})


@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    """The database answers and every migration is applied."""
    problems = readiness_problems()
    if problems:
        return JsonResponse({"status": "not ready", "problems": problems}, status=503)
    return JsonResponse({"status": "ready"})


class StoreCollector:
    """The store's figures read at scrape time from SQLite, the disk and the gateway."""

    def collect(self) -> Iterator[Any]:
        edge = edge_metrics()
        yield gauge("edge_sync_lag_seconds", "Seconds since the last successful push",
                    edge.sync_lag_seconds)  # fmt: skip
        yield gauge("edge_buffer_size", "Ledger entries HQ does not hold yet", edge.buffer_size)
        yield gauge("edge_disk_usage_percent", "Use of the disk holding the database",
                    edge.disk_usage_percent)  # fmt: skip
        yield gauge("edge_device_count", "Lane devices connected", edge.device_count)
        yield gauge("edge_devices_expected", "Lane devices set up", edge.devices_expected)
        yield from _lane_devices()
        sales = CounterMetricFamily("edge_sales", "Sales completed at this store")
        sales.add_metric([], float(Sale.objects.count()))
        yield sales
        active = GaugeMetricFamily("edge_active_alerts", "Alerts firing", labels=["severity"])
        counts = dict(Alert.objects.filter(resolved_at=None).values("severity")
                      .annotate(n=Count("id")).values_list("severity", "n"))  # fmt: skip
        for severity in ("info", "warning", "critical"):
            active.add_metric([severity], float(counts.get(severity, 0)))
        yield active


def _lane_devices() -> Iterator[Any]:
    figures = lane_device_figures()
    printer = GaugeMetricFamily(
        "edge_printer_status", "A lane printer's last status (DLE EOT): 1 when the condition "
        "holds", labels=["lane", "condition"],
    )  # fmt: skip
    for lane, status in sorted(figures.printers.items()):
        for condition, holds in status.items():
            printer.add_metric([str(lane), condition], float(holds))
    yield printer
    for name, text, counts in (
        ("edge_receipts_held", "Receipts a lane's printer could not print yet",
         figures.receipts_held),
        ("edge_card_payments_doubtful", "Card payments whose outcome the terminal has not "
         "given (being checked, or released unresolved)", figures.card_payments_doubtful),
    ):  # fmt: skip
        family = GaugeMetricFamily(name, text, labels=["lane"])
        for lane, count in sorted(counts.items()):
            family.add_metric([str(lane)], float(count))
        yield family


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' page (from the monitoring network only)."""
    return exposition(request, [StoreCollector()])
