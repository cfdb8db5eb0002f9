"""The lanes' shifts, read only: opened and closed on the lane page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from store_edge.audit.admin import AuditedAdmin
from store_edge.shifts.models import CashMovement, Shift


class CashMovementInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CashMovement
    extra = 0
    can_delete = False
    fields = ("at", "kind", "amount", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shift)
class ShiftAdmin(AuditedAdmin):
    """The lanes' shifts: read-only here; they are opened and closed on the lane page."""

    list_display = ("lane", "cashier", "opened_at", "closed_at", "opening_float",
                    "expected_cash", "counted_cash")  # fmt: skip
    list_filter = ("lane", "closed_at")
    inlines = [CashMovementInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
