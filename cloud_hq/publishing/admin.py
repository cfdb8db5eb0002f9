"""Published config versions are immutable: the admin shows them, and which store runs which."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from cloud_hq.publishing.models import ConfigVersion
from cloud_hq.stores.models import StoreHeartbeat


@admin.register(ConfigVersion)
class ConfigVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("version", "published_at", "products_total", "product_pages", "stores_on_it")
    fields = ("version", "published_at", "products_total", "product_pages", "tax_classes",
              "promotions")  # fmt: skip
    readonly_fields = fields

    @admin.display(description="stores running it")
    def stores_on_it(self, obj: ConfigVersion) -> int:
        return StoreHeartbeat.objects.filter(config_version=obj.version).count()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
