"""Prometheus metrics for the store's and HQ's web processes (prometheus-client).

Under gunicorn every worker writes its request metrics to files in PROMETHEUS_MULTIPROC_DIR
(the gunicorn config makes a fresh one per start); a scrape adds them up, and adds the
gauges each project reads from its database at that moment."""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

REQUEST_SECONDS = Histogram(
    "edge_http_request_duration_seconds",
    "Time to answer an HTTP request, by route",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REQUESTS = Counter("edge_http_requests", "HTTP requests answered", ["method", "status"])


class RequestMetricsMiddleware:
    """Time every request by its route pattern (not its path: ids stay out of the labels)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else "unmatched"
        status = str(response.status_code)
        method = request.method if request.method in KNOWN_METHODS else "other"
        REQUEST_SECONDS.labels(method, route[:100], status).observe(time.perf_counter() - started)
        REQUESTS.labels(method, status).inc()
        return response


KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def allowed(request: HttpRequest) -> bool:
    """Scrapes only from METRICS_ALLOWED_NETWORKS (loopback by default): the figures say
    how a business is doing."""
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(net) for net in settings.METRICS_ALLOWED_NETWORKS)


def exposition(request: HttpRequest, collectors: Iterable[Collector]) -> HttpResponse:
    """The metrics page: the web workers' metrics and the project's database gauges."""
    if not allowed(request):
        return HttpResponseForbidden("metrics are for the monitoring network only")
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        body = b""
    else:  # one process (tests, runserver): its own default registry
        body = generate_latest(REGISTRY)
    for collector in collectors:
        registry.register(collector)
    return HttpResponse(body + generate_latest(registry), content_type=CONTENT_TYPE_LATEST)


def gauge(name: str, documentation: str, value: float | None, **labels: Any) -> Any:
    """A gauge family with one sample (none when the value is unknown)."""
    from prometheus_client.core import GaugeMetricFamily

    family = GaugeMetricFamily(name, documentation, labels=list(labels))
    if value is not None:
        family.add_metric([str(v) for v in labels.values()], float(value))
    return family
