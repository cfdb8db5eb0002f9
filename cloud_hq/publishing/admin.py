"""Published config versions are immutable: the admin shows them, which store runs which,
and publishes a new one ("Publish now")."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.views.decorators.http import require_POST

from cloud_hq.publishing.models import ConfigVersion, ScheduledPublication
from cloud_hq.publishing.services import config_publish
from cloud_hq.stores.models import StoreHeartbeat


@admin.register(ConfigVersion)
class ConfigVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("version", "published_at", "products_total", "product_pages", "stores_on_it")
    fields = ("version", "published_at", "products_total", "product_pages", "tax_classes",
              "promotions")  # fmt: skip
    readonly_fields = fields
    change_list_template = "admin/hq_publishing/configversion/change_list.html"

    @admin.display(description="stores running it")
    def stores_on_it(self, obj: ConfigVersion) -> int:
        return StoreHeartbeat.objects.filter(config_version=obj.version).count()

    def get_urls(self) -> list[URLPattern]:
        publish = self.admin_site.admin_view(require_POST(self.publish_view))
        return [path("publish/", publish, name="hq_publishing_configversion_publish"),
                *super().get_urls()]  # fmt: skip

    def publish_view(self, request: HttpRequest) -> HttpResponse:
        """Publish the master data as it is now: a new immutable version the stores pull."""
        if not request.user.has_perm("hq_publishing.add_configversion"):
            raise PermissionDenied
        version = config_publish()
        self.message_user(request, f"Published config v{version.version}: "
                                   f"{version.products_total} products; the stores pull it "
                                   "at their next sync.", messages.SUCCESS)  # fmt: skip
        return HttpResponseRedirect(reverse("admin:hq_publishing_configversion_changelist"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ScheduledPublication)
class ScheduledPublicationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("publish_at", "note", "created_by", "published", "published_at")
    fields = ("publish_at", "note", "created_by", "published", "published_at")
    readonly_fields = ("created_by", "published", "published_at")

    def save_model(self, request: HttpRequest, obj: ScheduledPublication, form: Any,
                   change: bool) -> None:  # fmt: skip
        if not change:
            obj.created_by = request.user.get_username()
        super().save_model(request, obj, form, change)

    def has_change_permission(
        self, request: HttpRequest, obj: ScheduledPublication | None = None
    ) -> bool:
        done = obj is not None and obj.published_at is not None
        return not done and super().has_change_permission(request, obj)

    def has_delete_permission(
        self, request: HttpRequest, obj: ScheduledPublication | None = None
    ) -> bool:
        done = obj is not None and obj.published_at is not None
        return not done and super().has_delete_permission(request, obj)
