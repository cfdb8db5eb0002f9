"""Lane API: where the store stands with HQ (read from SQLite; never calls HQ)."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from store_edge.catalog.selectors import config_state
from store_edge.sales.auth import LANE_AUTH
from store_edge.sync.services import pending_entries, sync_state

router = Router(auth=LANE_AUTH, tags=["sync"])


class SyncStatusOut(Schema):
    last_push_at: datetime | None
    last_pull_at: datetime | None
    config_version: int
    pending_entries: int
    acked_seq: int
    hq_reachable: bool
    offline_since: datetime | None
    last_error: str


@router.get("/sync/status", response=SyncStatusOut)
def sync_status(request: HttpRequest) -> SyncStatusOut:
    state = sync_state()
    return SyncStatusOut(
        last_push_at=state.last_push_at,
        last_pull_at=state.last_pull_at,
        config_version=config_state().version,
        pending_entries=pending_entries(acked_seq=state.acked_seq),
        acked_seq=state.acked_seq,
        hq_reachable=state.hq_reachable,
        offline_since=state.offline_since,
        last_error=state.last_error,
    )
