"""Lane API: where the store stands with HQ (read from SQLite; never calls HQ)."""

from datetime import datetime

from django.db.models import Count
from django.http import HttpRequest
from ninja import Field, Router, Schema

from store_edge.catalog.selectors import config_state
from store_edge.lanes.auth import LANE_AUTH
from store_edge.monitoring.alerts import active_alerts
from store_edge.sync.models import SyncIssue, SyncIssueKind
from store_edge.sync.selectors import push_progress, sync_state

router = Router(auth=LANE_AUTH, tags=["sync"])


class AlertOut(Schema):
    name: str
    metric: str
    severity: str
    value: float
    threshold: float
    since: datetime


class SyncStatusOut(Schema):
    last_push_at: datetime | None
    last_pull_at: datetime | None
    config_version: int
    pending_entries: int
    acked_seq: int
    hq_reachable: bool
    offline_since: datetime | None
    last_error: str
    push_rate: float = Field(description="entries/s of the last push that sent")
    eta_seconds: int | None = Field(description="the backlog at that rate")
    failures: int = Field(description="sync runs failed in a row")
    next_attempt_at: datetime | None
    quarantined: int = Field(description="entries HQ holds but did not apply (see the admin)")
    conflicts: int = Field(description="seqs HQ holds with other content: pushing is stopped")
    alerts: list[AlertOut] = Field(description="the store's alerts firing now")


@router.get("/sync/status", response=SyncStatusOut)
def sync_status(request: HttpRequest) -> SyncStatusOut:
    state = sync_state()
    progress = push_progress()
    issues = dict(SyncIssue.objects.values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return SyncStatusOut(
        last_push_at=state.last_push_at,
        last_pull_at=state.last_pull_at,
        config_version=config_state().version,
        pending_entries=progress["pending_entries"],
        acked_seq=state.acked_seq,
        hq_reachable=state.hq_reachable,
        offline_since=state.offline_since,
        last_error=state.last_error,
        push_rate=progress["push_rate"],
        eta_seconds=progress["eta_seconds"],
        failures=state.failures,
        next_attempt_at=state.next_attempt_at,
        quarantined=issues.get(SyncIssueKind.QUARANTINED, 0),
        conflicts=issues.get(SyncIssueKind.CONFLICT, 0),
        alerts=[AlertOut(**alert) for alert in active_alerts()],
    )
