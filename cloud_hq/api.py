"""HQ's store-facing API, versioned under /api/v1 (OpenAPI at /api/v1/docs)."""

from django.http import HttpRequest, HttpResponse

from cloud_hq.ingest.api import router as ingest_router
from cloud_hq.ingest.receive import EntryRejected, SeqConflict
from cloud_hq.publishing.api import router as publishing_router
from cloud_hq.stores.api import router as stores_router
from cloud_hq.stores.signing import SignatureRefused
from deploy.web.api_errors import DocumentedNinjaAPI

api = DocumentedNinjaAPI(
    title="HQ store API", version="1", urls_namespace="hq-api", docs_url="/docs"
)
api.add_router("", ingest_router)
api.add_router("", publishing_router)
api.add_router("", stores_router)


@api.exception_handler(SignatureRefused)
def _signature_refused(request: HttpRequest, exc: SignatureRefused) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status)


@api.exception_handler(SeqConflict)
def _seq_conflict(request: HttpRequest, exc: SeqConflict) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": str(exc), "high_water_mark": exc.high_water_mark, "conflicts": exc.seqs},
        status=409,
    )


@api.exception_handler(EntryRejected)
def _entry_rejected(request: HttpRequest, exc: EntryRejected) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=422)
