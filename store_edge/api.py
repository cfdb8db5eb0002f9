"""The store's lane API, versioned under /api/v1 (OpenAPI at /api/v1/docs)."""

import logging

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse

from deploy.web.api_errors import DocumentedNinjaAPI
from devices.barcodes import BarcodeError
from store_edge.baskets.api import router as baskets_router
from store_edge.catalog.api import router as catalog_router
from store_edge.catalog.selectors import ProductNotFound
from store_edge.errors import Conflict, DomainError, Forbidden, Invalid, NotFound, Throttled
from store_edge.inventory.api import router as inventory_router
from store_edge.peripherals.api import router as peripherals_router
from store_edge.sales.api import router as sales_router
from store_edge.shifts.api import router as shifts_router
from store_edge.sync.api import router as sync_router

logger = logging.getLogger(__name__)

api = DocumentedNinjaAPI(
    title="Store edge lane API",
    version="1",
    urls_namespace="lane-api",
    docs_url="/docs",
)
api.add_router("", baskets_router)
api.add_router("", sales_router)
api.add_router("", shifts_router)
api.add_router("", peripherals_router)
api.add_router("", catalog_router)
api.add_router("", inventory_router)
api.add_router("", sync_router)

STATUS_OF_ERROR: dict[type[Exception], int] = {
    Throttled: 429,
    NotFound: 404,
    ProductNotFound: 404,
    Conflict: 409,
    Forbidden: 403,
    Invalid: 422,
    BarcodeError: 422,
}


@api.exception_handler(DomainError)
@api.exception_handler(ProductNotFound)
@api.exception_handler(BarcodeError)
def _domain_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    status = next((code for cls, code in STATUS_OF_ERROR.items() if isinstance(exc, cls)), 400)
    body = {"detail": str(exc)}
    if getattr(exc, "code", ""):
        body["code"] = exc.code  # type: ignore[attr-defined]
    response = api.create_response(request, body, status=status)
    if isinstance(exc, Throttled):
        response["Retry-After"] = str(exc.retry_after)
    return response


DISK_FULL = "database or disk is full"


@api.exception_handler(OperationalError)
def _storage_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A full disk: the transaction was rolled back whole (SQLite), so nothing is half
    written; the lane says so plainly and the cashier can try again once space is freed."""
    if DISK_FULL not in str(exc):
        raise exc
    logger.critical("the store's disk is full: %s %s refused", request.method, request.path)
    body = {"detail": "The store's disk is full: this was not saved. Call the manager; "
                      "nothing is lost and the sale can be completed once space is freed.",
            "code": "disk_full"}  # fmt: skip
    return api.create_response(request, body, status=507)
