"""The store manager's stock screens: operations as documents posted to the ledger, and stock
on hand with the negative stock list."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from store_edge.audit.admin import AuditedAdmin, ReadOnlyAdmin
from store_edge.catalog.models import Product
from store_edge.inventory.models import (
    DocumentKind,
    DocumentStatus,
    StockDocument,
    StockDocumentLine,
    StockLevel,
)
from store_edge.inventory.stock_operations import (
    StockError,
    StockLine,
    count_variances,
    stock_document_post,
)

PERMISSION_OF_KIND = {
    DocumentKind.DELIVERY: "inventory.receive_delivery",
    DocumentKind.COUNT: "inventory.count_stock",
    DocumentKind.ADJUSTMENT: "inventory.adjust_stock",
    DocumentKind.WASTE: "inventory.record_waste",
    DocumentKind.TRANSFER_OUT: "inventory.transfer_stock",
    DocumentKind.TRANSFER_IN: "inventory.transfer_stock",
}


def may_post(request: HttpRequest, document: StockDocument) -> bool:
    return bool(request.user.has_perm(PERMISSION_OF_KIND[DocumentKind(document.kind)]))


class LineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = StockDocumentLine
    extra = 3
    fields = ("sku", "product", "quantity", "expected")
    readonly_fields = ("product", "expected")

    @admin.display(description="product")
    def product(self, line: StockDocumentLine) -> str:
        return Product.objects.filter(sku=line.sku).values_list("name", flat=True).first() or "—"

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.status != DocumentStatus.POSTED

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


@admin.register(StockDocument)
class StockDocumentAdmin(AuditedAdmin):
    list_display = ("__str__", "kind", "status", "reference", "other_store", "created_at",
                    "posted_at", "posted_by")  # fmt: skip
    list_filter = ("kind", "status")
    search_fields = ("reference", "other_store", "lines__sku")
    inlines = [LineInline]
    actions = ["post_to_ledger"]
    fields = ("kind", "status", "reference", "other_store", "reason", "section", "note",
              "variance", "posted_at", "posted_by")  # fmt: skip
    readonly_fields = ("status", "variance", "posted_at", "posted_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status == DocumentStatus.POSTED:
            return self.fields  # a posted document is history
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or obj.status != DocumentStatus.POSTED

    @admin.display(description="what the count changes (before it is posted)")
    def variance(self, document: StockDocument) -> str:
        if document.kind != DocumentKind.COUNT or document.pk is None:
            return "—"
        lines = [StockLine(line.sku, line.quantity) for line in document.lines.all()]
        rows = count_variances(lines=lines, full=not document.section)
        if not rows:
            return "—"
        return format_html(
            "<table><tr><th>SKU</th><th>on hand</th><th>counted</th><th>variance</th></tr>"
            "{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((v.sku, v.on_hand, v.counted, f"{v.variance:+}") for v in rows),
            ),
        )

    @admin.action(description="Post to the ledger")
    def post_to_ledger(self, request: HttpRequest, queryset: QuerySet[StockDocument]) -> None:
        for document in queryset.order_by("created_at"):
            if not may_post(request, document):
                self.message_user(
                    request,
                    f"{document}: you may not post a {document.get_kind_display()}",
                    messages.ERROR,
                )
                continue
            try:
                stock_document_post(document_id=document.id, user=request.user.get_username())
            except StockError as exc:
                self.message_user(request, f"{document}: {exc} — nothing posted", messages.ERROR)
            else:
                self.message_user(request, f"{document}: posted", messages.SUCCESS)


class StockSignFilter(admin.SimpleListFilter):
    title = "stock"
    parameter_name = "stock"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("negative", "negative stock"), ("zero", "none"), ("positive", "in stock")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[StockLevel]) -> Any:
        return {
            "negative": queryset.filter(quantity_milli__lt=0),
            "zero": queryset.filter(quantity_milli=0),
            "positive": queryset.filter(quantity_milli__gt=0),
        }.get(self.value() or "", queryset)


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ("sku", "product", "quantity", "negative", "last_seq")
    list_filter = (StockSignFilter,)
    search_fields = ("sku",)
    ordering = ("quantity_milli",)

    @admin.display(description="product")
    def product(self, level: StockLevel) -> str:
        return Product.objects.filter(sku=level.sku).values_list("name", flat=True).first() or "—"

    @admin.display(boolean=True, description="negative")
    def negative(self, level: StockLevel) -> bool:
        return level.quantity_milli < 0
