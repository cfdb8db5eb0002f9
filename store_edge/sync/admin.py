"""The store manager's view of sync: where the store stands with HQ, the backlog's progress,
what HQ could not take, and a "sync now"."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from kombu.exceptions import OperationalError

from store_edge.audit.admin import ReadOnlyAdmin
from store_edge.sync import tasks
from store_edge.sync.models import SyncIssue, SyncState
from store_edge.sync.selectors import push_progress


@admin.register(SyncState)
class SyncStateAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__", "pending", "push_rate", "eta", "hq_reachable_", "offline_since",
        "last_push_at", "last_pull_at", "failures", "next_attempt_at", "last_error",
    )  # fmt: skip
    actions = ["sync_now"]

    def get_queryset(self, request: HttpRequest) -> Any:
        self._progress = push_progress()
        return super().get_queryset(request)

    @admin.display(description="entries to send")
    def pending(self, state: SyncState) -> int:
        return int(self._progress["pending_entries"])

    @admin.display(description="time to send them")
    def eta(self, state: SyncState) -> str:
        eta = self._progress["eta_seconds"]
        return "—" if eta is None else f"{eta // 60} min {eta % 60} s"

    @admin.display(boolean=True, description="HQ reachable")
    def hq_reachable_(self, state: SyncState) -> bool:
        return state.hq_reachable

    @admin.action(description="Sync now (push the ledger and pull config)")
    def sync_now(self, request: HttpRequest, queryset: Any) -> None:
        try:
            tasks.ledger_push.apply_async(kwargs={"force": True}, retry=False)
            tasks.config_pull.apply_async(kwargs={"force": True}, retry=False)
        except OperationalError as exc:
            self.message_user(
                request,
                f"The sync worker's broker does not answer ({exc}): run "
                "`python manage.py sync_now` on the store box.",
                messages.ERROR,
            )
            return
        self.message_user(request, "Sync started: refresh this page to follow it.")


@admin.register(SyncIssue)
class SyncIssueAdmin(ReadOnlyAdmin):
    """Entries HQ quarantined (the rest went on) and seqs HQ holds with other content."""

    list_display = ("seq", "kind", "reason", "detected_at")
    list_filter = ("kind",)
    search_fields = ("reason",)
