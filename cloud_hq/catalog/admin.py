"""Master data in HQ's admin (merchandisers): each form checked by the catalogue file's own
rules, so what the admin saves is what an import would accept."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils import timezone
from pydantic import BaseModel, ValidationError

from cloud_hq.catalog.catalog_file import ProductIn, PromotionIn, error_path
from cloud_hq.catalog.models import (
    Barcode,
    Category,
    PriceBook,
    PriceEntry,
    Product,
    ProductGroup,
    Promotion,
    TaxClass,
)
from devices.barcodes import BarcodeError, normalize_gtin


def _check(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    """Validate with the catalogue file's schema; its first problem becomes the form's."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = error_path(first["loc"])
        raise forms.ValidationError(f"{where}: {first['msg']}" if where else first["msg"]) from exc


class ProductForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Product
        fields = ("sku", "name", "price", "unit", "tax_class", "category", "plu")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.errors:
            return data
        _check(ProductIn, {
            "sku": data["sku"], "name": data["name"], "price": str(data["price"]),
            "unit": data["unit"], "tax_class": data["tax_class"].code,
            "category": data["category"].code if data.get("category") else "",
            "plu": data.get("plu") or "",
        })  # fmt: skip
        return data


class BarcodeForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Barcode
        fields = ("code",)

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        try:
            self.instance.gtin = normalize_gtin(code)
        except BarcodeError as exc:
            raise forms.ValidationError(str(exc)) from exc
        held = Barcode.objects.filter(gtin=self.instance.gtin).exclude(pk=self.instance.pk).first()
        if held is not None:
            raise forms.ValidationError(f"{code} is already the barcode of {held.product}")
        return code


class BarcodeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Barcode
    form = BarcodeForm
    extra = 1


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ProductForm
    inlines = [BarcodeInline]
    list_display = ("sku", "name", "price", "unit", "tax_class", "category", "plu", "updated_at")
    list_filter = ("unit", "tax_class", "category")
    search_fields = ("sku", "name", "barcodes__code", "plu")
    list_select_related = ("tax_class", "category")
    list_per_page = 100
    show_full_result_count = False  # 200k products: no COUNT(*) on every page


@admin.register(TaxClass)
class TaxClassAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "rate", "inclusive")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    search_fields = ("code",)


@admin.register(ProductGroup)
class ProductGroupAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code",)
    search_fields = ("code",)


class PromotionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Promotion
        fields = ("code", "name", "kind", "starts", "ends", "local_window", "definition")
        help_texts = {"definition": 'The rule as in the catalogue file, e.g. {"percent": "20", '
                                    '"skus": ["100001"]}; code, name, kind and dates come from '
                                    "the fields above."}  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.errors:
            return data
        definition = data.get("definition")
        if not isinstance(definition, dict):
            raise forms.ValidationError("The definition is a JSON object.")
        bounds = {"starts": data["starts"], "ends": data["ends"]}
        if data.get("local_window"):  # the times typed, as each store's clock reads them
            bounds = {k: timezone.localtime(v).replace(tzinfo=None) for k, v in bounds.items()}
        checked = _check(PromotionIn, {
            **definition, "code": data["code"], "name": data["name"], "kind": data["kind"],
            **{bound: value.isoformat() for bound, value in bounds.items()},
        })  # fmt: skip
        data["definition"] = checked.model_dump(mode="json", exclude_none=True)
        return data


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PromotionForm
    list_display = ("code", "name", "kind", "starts", "ends", "local_window")
    list_filter = ("kind", "local_window")
    search_fields = ("code", "name")
    date_hierarchy = "starts"
    readonly_fields = ("added_at",)

    def save_model(self, request: Any, obj: Promotion, form: Any, change: bool) -> None:
        if change and "definition" in form.changed_data:
            was = form.initial.get("definition") or {}
            if was.get("active", True) is False and obj.definition.get("active", True):
                obj.added_at = timezone.now()  # withdrawn, then brought back: live anew
        super().save_model(request, obj, form, change)


class PriceEntryInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PriceEntry
    extra = 1
    fields = ("sku", "price", "starts", "ends")


class PriceBookForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PriceBook
        fields = ("code", "scope", "region", "store")

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        scope, region, store = data.get("scope"), data.get("region"), data.get("store")
        if scope == "region" and not region:
            raise forms.ValidationError("A region's price book names its region.")
        if scope == "store" and not store:
            raise forms.ValidationError("A store's price book names its store.")
        if scope == "chain" and (region or store):
            raise forms.ValidationError("The chain's price book names no region or store.")
        return data


@admin.register(PriceBook)
class PriceBookAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PriceBookForm
    inlines = [PriceEntryInline]
    list_display = ("code", "scope", "region", "store")
    list_filter = ("scope",)
