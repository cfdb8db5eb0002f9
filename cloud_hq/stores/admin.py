"""Stores, their keys (never the secret) and what each last reported, in HQ's admin."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from cloud_hq.stores.models import AnnouncedDelivery, Store, StoreHeartbeat, StoreKey


class StoreKeyInline(admin.TabularInline):  # type: ignore[type-arg]
    model = StoreKey
    fields = ("key_id", "created_at", "expires_at", "revoked_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # keys come from register_store / rotate_store_key, printed once


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "name", "region", "currency", "created_at")
    list_filter = ("region",)
    search_fields = ("code", "name")
    inlines = [StoreKeyInline]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Store | None = None
    ) -> tuple[str, ...]:
        return ("code",) if obj else ()


@admin.register(StoreKey)
class StoreKeyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key_id", "store", "created_at", "expires_at", "revoked_at")
    list_filter = ("store",)
    fields = ("key_id", "store", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("key_id", "store", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(StoreHeartbeat)
class StoreHeartbeatAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("store", "received_at", "config_version", "acked_seq")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AnnouncedDelivery)
class AnnouncedDeliveryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("store", "reference", "supplier", "expected_at", "announced_at")
    list_filter = ("store",)
    search_fields = ("reference", "supplier")
