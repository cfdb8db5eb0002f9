"""The store manager's lanes, with their devices and tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from store_edge.audit.admin import AuditedAdmin
from store_edge.lanes.models import Lane, LaneToken
from store_edge.peripherals.admin import DeviceInline


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
