"""HQ staff's view of what the stores' lanes reported beyond their sales: each shift's Z
report (cash counted against expected, drawer openings, the card terminal's end of day) and
each time a drawer was opened with no sale, with its reason. Read only: the stores' ledgers
are the record."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from cloud_hq.ingest.models import LedgerEntry, NoSale, ShiftClose
from cloud_hq.reconciliation.admin import ReadOnly


@admin.register(ShiftClose)
class ShiftCloseAdmin(ReadOnly):
    list_display = ("closed_at", "store", "lane", "cashier", "sales", "expected_cash",
                    "counted_cash", "variance", "drawer_openings", "no_sales",
                    "card_check")  # fmt: skip
    list_filter = ("store",)
    date_hierarchy = "closed_at"
    ordering = ("-closed_at",)

    @admin.display(description="card terminal")
    def card_check(self, obj: ShiftClose) -> str:
        card = obj.card_terminal
        if not card:
            return "—"
        if card.get("state") != "done":
            return f"end of day not done: {card.get('message', '')}"[:80]
        unresolved = len(card.get("unresolved") or [])
        return f"difference {card.get('difference')}" + (
            f", {unresolved} unresolved" if unresolved else ""
        )


@admin.register(NoSale)
class NoSaleAdmin(ReadOnly):
    list_display = ("created_at", "store", "lane", "by", "reason", "seq")
    list_filter = ("store",)
    ordering = ("-created_at",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[LedgerEntry]:
        return super().get_queryset(request).filter(kind="drawer_opened")

    @admin.display(description="lane")
    def lane(self, obj: LedgerEntry) -> object:
        return obj.payload.get("lane")

    @admin.display(description="cashier")
    def by(self, obj: LedgerEntry) -> object:
        return obj.payload.get("by") or obj.user

    @admin.display(description="reason")
    def reason(self, obj: LedgerEntry) -> object:
        return obj.payload.get("reason")
