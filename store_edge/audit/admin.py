"""Every manager action in the store's admin goes to the audit log: `AuditedAdmin` is the
base of the store's model admins. The log itself can be read, never changed."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.utils import timezone

from store_edge.audit.models import AuditEntry

SECRET_ENDINGS = ("_hash", "digest", "secret", "password", "token")


def snapshot(obj: models.Model | None) -> dict[str, Any] | None:
    """The record's fields as JSON (secrets left out)."""
    if obj is None:
        return None
    fields = {name: value for name, value in model_to_dict(obj).items()
              if not name.endswith(SECRET_ENDINGS)}  # fmt: skip
    loaded: dict[str, Any] = json.loads(json.dumps(fields, cls=DjangoJSONEncoder, default=str))
    return loaded


def audit(request: HttpRequest, action: str, obj: models.Model | None, *,
          before: dict[str, Any] | None = None, model: str = "") -> None:  # fmt: skip
    AuditEntry.objects.create(
        at=timezone.now(), user=request.user.get_username() if request.user else "",
        action=action[:64], model=model or (obj._meta.label if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        before=before, after=snapshot(obj) if action != "delete" else None,
    )  # fmt: skip


def _stored(obj: models.Model) -> dict[str, Any] | None:
    if obj.pk is None:
        return None
    return snapshot(type(obj)._default_manager.filter(pk=obj.pk).first())


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = _stored(obj) if change else None
        super().save_model(request, obj, form, change)
        audit(request, "change" if change else "add", obj, before=before)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = snapshot(obj)
        audit(request, "delete", obj, before=before)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            audit(request, "delete", obj, before=snapshot(obj))
        super().delete_queryset(request, queryset)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        befores = {f.instance.pk: _stored(f.instance) for f in formset.forms
                   if f.instance.pk is not None and f.has_changed()}  # fmt: skip
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit(request, "add", obj)
        for obj, _ in formset.changed_objects:
            audit(request, "change", obj, before=befores.get(obj.pk))
        for obj in formset.deleted_objects:
            audit(request, "delete", obj, before=snapshot(obj))

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """Each action recorded with the records it was run on (delete is recorded above)."""
        actions: dict[str, Any] = dict(super().get_actions(request))
        wrapped: dict[str, Any] = {}
        for key, (func, name, description) in actions.items():
            audited = func if key == "delete_selected" else self._audited(key, func)
            wrapped[key] = (audited, name, description)
        return wrapped

    def _audited(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def run(modeladmin: Any, request: HttpRequest, queryset: Any) -> Any:
            befores = {obj.pk: snapshot(obj) for obj in queryset}
            answer = func(modeladmin, request, queryset)
            for obj in queryset.model._default_manager.filter(pk__in=list(befores)):
                audit(request, name, obj, before=befores[obj.pk])
            return answer

        run.__name__ = name
        return run


class ReadOnlyAdmin(AuditedAdmin):
    """What the admin shows and never changes: projections, history, the sync's state."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("at", "user", "action", "model", "object_repr")
    list_filter = ("action", "model", "user")
    search_fields = ("user", "object_repr", "object_id")
    date_hierarchy = "at"
    readonly_fields = ("at", "user", "action", "model", "object_id", "object_repr", "before",
                       "after")  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
