"""Sales and returns as rung, read only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from store_edge.sales.models import Sale, SaleLine, SaleTender


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
