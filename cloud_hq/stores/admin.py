"""Stores, their keys (never the secret) and what each last reported, in HQ's admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from cloud_hq.stores.models import AnnouncedDelivery, Store, StoreHeartbeat, StoreKey
from cloud_hq.stores.services import StoreRegistrationError, store_place_checked


class StoreForm(forms.ModelForm):  # type: ignore[type-arg]
    """A store's country and time zone are checked as register_store checks them."""

    class Meta:
        model = Store
        fields = ("code", "name", "currency", "region", "cash_rounding", "country", "time_zone")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["country"], data["time_zone"] = store_place_checked(
                country=data.get("country", ""), time_zone=data.get("time_zone", "")
            )
        except StoreRegistrationError as error:
            raise forms.ValidationError(str(error)) from error
        return data


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
    list_display = ("code", "name", "region", "country", "time_zone", "currency", "created_at")
    list_filter = ("region", "country")
    form = StoreForm
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
