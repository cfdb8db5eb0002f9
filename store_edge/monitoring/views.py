"""Liveness and readiness probes."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from store_edge.monitoring.readiness import readiness_problems


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
