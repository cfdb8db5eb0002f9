"""Who works the lanes, and the wrong PINs given at them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from store_edge.audit.admin import AuditedAdmin
from store_edge.staff.models import FailedPin, StaffMember
from store_edge.staff.services import staff_unlock


@admin.register(StaffMember)
class StaffMemberAdmin(AuditedAdmin):
    """Who works the lanes. PINs are set with `create_staff` and never shown."""

    list_display = ("code", "name", "role", "active", "failed_pins", "locked_until")
    list_filter = ("role", "active")
    search_fields = ("code", "name")
    fields = ("code", "name", "role", "active", "failed_pins", "locked_until")
    readonly_fields = ("code", "failed_pins", "locked_until")
    actions = ["unlock"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # staff are added with `create_staff`, which takes the PIN

    @admin.action(description="Unlock the selected staff (after wrong PINs)")
    def unlock(self, request: HttpRequest, queryset: Any) -> None:
        for member in queryset:
            staff_unlock(member=member)
        self.message_user(request, f"{queryset.count()} unlocked")


@admin.register(FailedPin)
class FailedPinAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Wrong codes and PINs given at the lanes (what holds a guessing lane or address off),
    kept a week: read-only."""

    list_display = ("at", "lane", "address", "code")
    list_filter = ("lane",)
    search_fields = ("code", "address")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
