"""The lanes' devices in the store's admin, with the gateway's health report."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from store_edge.audit.admin import AuditedAdmin
from store_edge.peripherals.models import LaneDevice
from store_edge.peripherals.relay import device_health


class DeviceInline(admin.TabularInline):  # type: ignore[type-arg]
    model = LaneDevice
    extra = 0
    fields = ("kind", "protocol", "port", "baudrate", "bytesize", "parity", "stopbits",
              "options", "active")  # fmt: skip


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
