"""HQ's master data as the store holds it: visible to the manager, never edited here (HQ
owns it; the next config pull would overwrite any change anyway)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from store_edge.catalog.models import Barcode, ConfigState, PriceEntry, Product, Promotion


class FromHQ(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BarcodeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Barcode
    fields = ("code", "gtin")
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(FromHQ):
    list_display = ("sku", "name", "price", "unit", "tax_class", "category", "plu")
    list_filter = ("unit", "tax_class", "category")
    search_fields = ("sku", "name", "plu", "barcodes__code")
    list_select_related = ("tax_class",)
    show_full_result_count = False
    inlines = [BarcodeInline]


@admin.register(PriceEntry)
class PriceEntryAdmin(FromHQ):
    list_display = ("product", "price", "scope", "starts", "ends")
    list_filter = ("scope",)
    search_fields = ("product__sku", "product__name")
    list_select_related = ("product",)


@admin.register(Promotion)
class PromotionAdmin(FromHQ):
    list_display = ("code", "name", "kind", "ends")
    search_fields = ("code", "name")


@admin.register(ConfigState)
class ConfigStateAdmin(FromHQ):
    list_display = ("version", "published_at", "applied_at", "store_name")
