"""HQ staff's pages: the reports (analysts) and fleet health (support)."""

from __future__ import annotations

import csv
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from cloud_hq.reporting import fleet
from cloud_hq.reporting.forms import ReportFilterForm
from cloud_hq.reporting.selectors import CHAIN_SUMMARY_REPORTS, REPORTS, Report
from cloud_hq.reporting.services import chain_refresh
from cloud_hq.stores.models import Store

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLACES = {"money": Decimal("0.01"), "quantity": Decimal("0.001"), "percent": Decimal("0.1")}


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reporting/index.html", {"reports": REPORTS})


@require_GET
@login_required
@permission_required("hq_reporting.view_reports", raise_exception=True)
def report(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in REPORTS:
        raise Http404("no such report")
    form = ReportFilterForm(request.GET)
    if form.is_bound and not form.is_valid():
        return render(request, "reporting/report.html",
                      {"form": form, "reports": REPORTS, "slug": slug, "title": REPORTS[slug][0]},
                      status=400)  # fmt: skip
    chosen = form.report_filter()
    if slug in CHAIN_SUMMARY_REPORTS and chosen.store_codes() is None:
        chain_refresh()  # the days pushed since the beat last refreshed them
    result = REPORTS[slug][1](chosen)
    if request.GET.get("format") == "csv":
        return _csv(result, form)
    return render(request, "reporting/report.html",
                  {"form": form, "reports": REPORTS, "slug": slug, "title": result.title,
                   "report": result, "csv_query": _csv_query(request)})  # fmt: skip


def _csv_query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query["format"] = "csv"
    return query.urlencode()


def _csv(result: Report, form: ReportFilterForm) -> HttpResponse:
    period = form.report_filter()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"{result.slug}_{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow([column.title for column in result.columns])
    kinds = [column.kind for column in result.columns]
    for row in result.rows:
        writer.writerow([_cell(value, kind) for value, kind in zip(row, kinds, strict=True)])
    return response


def _cell(value: Any, kind: str) -> str:
    """A CSV cell; text a spreadsheet would run as a formula is quoted with a '."""
    if value is None:
        return ""
    if kind in PLACES and isinstance(value, Decimal | int | float):
        return str(Decimal(value).quantize(PLACES[kind]))
    if isinstance(value, Decimal | int | float | date):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@require_GET
@login_required
@permission_required("hq_reporting.view_fleet", raise_exception=True)
def fleet_page(request: HttpRequest) -> HttpResponse:
    region = request.GET.get("region", "")[:32]
    stores = fleet.fleet_health(region=region)
    return render(request, "reporting/fleet.html", {
        "stores": stores, "region": region, "newest_version": fleet.newest_version(),
        "unhealthy": sum(1 for s in stores if not s.healthy),
        "thresholds": {"sync_lag": fleet.SYNC_LAG_SECONDS, "buffer": fleet.BUFFER_SIZE,
                       "disk": fleet.DISK_PERCENT, "heartbeat": fleet.HEARTBEAT_SECONDS,
                       "devices": int(fleet.DEVICE_DEVIATION * 100)},
    })  # fmt: skip


CHART_WIDTH, CHART_HEIGHT = 600, 80


@require_GET
@login_required
@permission_required("hq_reporting.view_fleet", raise_exception=True)
def fleet_store(request: HttpRequest, code: str) -> HttpResponse:
    store = get_object_or_404(Store, code=code)
    samples = fleet.store_history(store)
    charts = []
    for label, attribute, threshold in (
        ("Sync lag (s)", "sync_lag_seconds", fleet.SYNC_LAG_SECONDS),
        ("Buffer (entries)", "buffer_size", fleet.BUFFER_SIZE),
        ("Disk use (%)", "disk_usage_percent", fleet.DISK_PERCENT),
        ("Devices", "device_count", None),
    ):
        values = [getattr(s, attribute) or 0 for s in samples]
        charts.append(_sparkline(label, values, threshold))
    return render(request, "reporting/fleet_store.html",
                  {"store": store, "samples": samples[-50:][::-1], "charts": charts,
                   "health": fleet.fleet_health(code=store.code)[0]})  # fmt: skip


def _sparkline(label: str, values: list[float], threshold: float | None) -> dict[str, Any]:
    """An SVG polyline of the values (newest right), and the threshold's line if in range."""
    top = max([*values, threshold or 0, 1])
    step = CHART_WIDTH / max(len(values) - 1, 1)
    points = " ".join(f"{i * step:.1f},{CHART_HEIGHT - v / top * CHART_HEIGHT:.1f}"
                      for i, v in enumerate(values))  # fmt: skip
    line = None if threshold is None else CHART_HEIGHT - threshold / top * CHART_HEIGHT
    return {"label": label, "points": points, "threshold_y": line,
            "last": values[-1] if values else None, "width": CHART_WIDTH,
            "height": CHART_HEIGHT}  # fmt: skip
