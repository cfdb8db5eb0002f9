"""HQ staff's conflict queue: each item resolved with an action and a note."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from cloud_hq.ingest.receive import ReapplyRefused, quarantined_reapply
from cloud_hq.reconciliation.models import (
    Conflict,
    ConflictKind,
    CountAdjustment,
    PriceVariance,
    Resolution,
    StockLevel,
    TransferLeg,
)


class ConflictForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Conflict
        fields = ("resolution", "note")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        resolution, note = data.get("resolution"), (data.get("note") or "").strip()
        if self.instance.resolved_at is not None:
            raise forms.ValidationError("This conflict is resolved already.")
        if not resolution:
            raise forms.ValidationError("Choose how it is resolved.")
        if len(note) < 3:
            raise forms.ValidationError("Say why in the note (what was checked, who agreed).")
        if resolution == Resolution.REAPPLIED:
            if self.instance.kind != ConflictKind.QUARANTINED:
                raise forms.ValidationError("Only a quarantined entry can be re-applied.")
            try:
                quarantined_reapply(store=self.instance.store, seq=self.instance.seq)
            except ReapplyRefused as exc:
                raise forms.ValidationError(f"It still cannot be applied: {exc}") from exc
        return data


@admin.register(Conflict)
class ConflictAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ConflictForm
    list_display = ("detected_at", "store", "kind", "reference", "seq", "resolution",
                    "resolved_by")  # fmt: skip
    list_filter = ("kind", ("resolved_at", admin.EmptyFieldListFilter), "store")
    search_fields = ("reference", "note")
    readonly_fields = ("store", "kind", "reference", "seq", "detail", "detected_at",
                       "resolved_by", "resolved_at")  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Conflict, form: Any, change: bool) -> None:
        obj.resolved_by = request.user.get_username()
        obj.resolved_at = timezone.now()
        super().save_model(request, obj, form, change)


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PriceVariance)
class PriceVarianceAdmin(ReadOnly):
    list_display = ("sold_at", "store", "sku", "config_version", "version_in_force", "charged",
                    "in_force", "quantity", "difference")  # fmt: skip
    list_filter = ("store",)


@admin.register(TransferLeg)
class TransferLegAdmin(ReadOnly):
    list_display = ("sender", "receiver", "reference", "sku", "sent", "received")
    list_filter = ("sender", "receiver")


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnly):
    list_display = ("store", "sku", "quantity", "last_seq")
    list_filter = ("store",)
    search_fields = ("sku",)


@admin.register(CountAdjustment)
class CountAdjustmentAdmin(ReadOnly):
    list_display = ("counted_at", "store", "sku", "before", "counted", "delta", "seq")
    list_filter = ("store",)
