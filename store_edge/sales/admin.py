"""The store manager's lanes: their devices (with the gateway's health report) and tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from store_edge.audit.admin import AuditedAdmin
from store_edge.sales.models import (
    CashMovement,
    FailedPin,
    Lane,
    LaneDevice,
    LaneToken,
    Sale,
    SaleLine,
    SaleTender,
    Shift,
    StaffMember,
)
from store_edge.sales.peripherals import device_health
from store_edge.sales.staff import staff_unlock


class DeviceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = LaneDevice
    extra = 0
    fields = ("kind", "protocol", "port", "baudrate", "bytesize", "parity", "stopbits",
              "options", "active")  # fmt: skip


class TokenInline(admin.TabularInline):  # type: ignore[type-arg]
    model = LaneToken
    extra = 0
    fields = ("prefix", "created_at", "revoked_at")
    readonly_fields = ("prefix", "created_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # tokens are issued with manage.py issue_lane_token: shown once


@admin.register(Lane)
class LaneAdmin(AuditedAdmin):
    list_display = ("number", "name")
    inlines = [DeviceInline, TokenInline]


@admin.register(LaneDevice)
class LaneDeviceAdmin(AuditedAdmin):
    list_display = ("lane", "kind", "protocol", "port", "active", "connected", "errors",
                    "last_error")  # fmt: skip
    list_filter = ("kind", "protocol", "active")

    def get_queryset(self, request: HttpRequest) -> Any:
        self._health = device_health()  # one Redis read per page
        return super().get_queryset(request).select_related("lane")

    @admin.display(boolean=True, description="connected")
    def connected(self, device: LaneDevice) -> bool:
        return bool(getattr(self, "_health", {}).get(device.id, {}).get("connected"))

    @admin.display(description="errors")
    def errors(self, device: LaneDevice) -> int:
        return int(getattr(self, "_health", {}).get(device.id, {}).get("errors", 0))

    @admin.display(description="last error")
    def last_error(self, device: LaneDevice) -> str:
        return str(getattr(self, "_health", {}).get(device.id, {}).get("last_error", ""))


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


class SaleLineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SaleLine
    fields = ("position", "sku", "name", "quantity", "weight_kg", "unit_price", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SaleTenderInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SaleTender
    fields = ("method", "amount", "terminal_reference", "card_last4")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Sale)
class SaleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Sales and returns as rung: searchable by number and cashier, by day; never edited
    (a sale is corrected with a return at the lane)."""

    list_display = ("number", "completed_at", "lane", "cashier", "total", "is_return")
    list_filter = ("lane", ("returns_sale", admin.EmptyFieldListFilter))
    search_fields = ("number", "cashier")
    date_hierarchy = "completed_at"
    list_select_related = ("lane",)
    inlines = [SaleLineInline, SaleTenderInline]
    show_full_result_count = False

    @admin.display(boolean=True, description="return")
    def is_return(self, sale: Sale) -> bool:
        return sale.returns_sale_id is not None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Sale._meta.concrete_fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
