"""Store-facing ingest: POST /api/v1/stores/{store_id}/events."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from cloud_hq.ingest.contract import (
    ConflictOut,
    DetailOut,
    EventsIn,
    EventsOut,
    Exact,
    QuarantinedOut,
)
from cloud_hq.ingest.receive import EntryRejected, events_ingest
from cloud_hq.ingest.selectors import ledger_held
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


class LedgerQuery(Schema):
    after: int = Field(default=0, ge=0, le=2**62, description="entries after this seq")
    limit: int = Field(default=1000, ge=1, le=5000)


class LedgerPageOut(Exact):
    high_water_mark: int
    entries: list[dict[str, Any]] = Field(
        description="as the store pushed them (a quarantined entry as it was received)"
    )


@router.get("/stores/{store_id}/ledger", response={200: LedgerPageOut})
def ledger_page(request: HttpRequest, store_id: str, query: Query[LedgerQuery]) -> LedgerPageOut:
    """What HQ holds of the store's ledger, a page at a time: how a replaced or restored box
    recovers the entries it no longer has, and continues after HQ's high-water mark."""
    mark, entries = ledger_held(store=request_store(request), after=query.after, limit=query.limit)
    return LedgerPageOut(high_water_mark=mark, entries=entries)
