from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from store_edge.monitoring.views import health


@csrf_exempt
def plain(request: HttpRequest, basket_id: str) -> JsonResponse:
    return JsonResponse({"id": basket_id, "lines": [], "total": "0.00"})


urlpatterns = [
    path("health", health),
    path("api/v1/baskets/<str:basket_id>/items", plain),
]
