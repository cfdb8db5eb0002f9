"""Store-facing ingest: POST /api/v1/stores/{store_id}/events."""

from django.conf import settings
from django.http import HttpRequest
from ninja import Router

from cloud_hq.ingest.contract import ConflictOut, DetailOut, EventsIn, EventsOut, QuarantinedOut
from cloud_hq.ingest.services import EntryRejected, events_ingest
from cloud_hq.stores.auth import StoreSignatureAuth, request_store

router = Router(auth=StoreSignatureAuth(), tags=["ingest"])


@router.post(
    "/stores/{store_id}/events",
    response={200: EventsOut, 409: ConflictOut, 422: DetailOut},
)
def events_push(request: HttpRequest, store_id: str, body: EventsIn) -> EventsOut:
    if len(body.entries) > settings.INGEST_MAX_ENTRIES:
        raise EntryRejected(
            f"{len(body.entries)} entries in one push; at most {settings.INGEST_MAX_ENTRIES}"
        )
    result = events_ingest(store=request_store(request), entries=body.entries)
    return EventsOut(
        high_water_mark=result.high_water_mark,
        accepted=result.accepted,
        duplicates=result.duplicates,
        quarantined=[QuarantinedOut(seq=seq, reason=reason) for seq, reason in result.quarantined],
    )
