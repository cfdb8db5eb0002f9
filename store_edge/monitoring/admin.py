"""The manager's alert rules and the alerts they raised."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from store_edge.audit.admin import AuditedAdmin
from store_edge.monitoring.models import Alert, AlertRule


@admin.register(AlertRule)
class AlertRuleAdmin(AuditedAdmin):
    list_display = ("name", "metric", "operator", "threshold", "duration_seconds", "severity",
                    "enabled", "holding_since")  # fmt: skip
    list_editable = ("enabled",)
    list_filter = ("severity", "enabled", "metric")
    readonly_fields = ("holding_since",)


@admin.register(Alert)
class AlertAdmin(AuditedAdmin):
    list_display = ("rule", "severity", "metric", "value", "threshold", "fired_at",
                    "resolved_at")  # fmt: skip
    list_filter = (("resolved_at", admin.EmptyFieldListFilter), "severity", "metric")
    date_hierarchy = "fired_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
