from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms

from cloud_hq.catalog.models import Category
from cloud_hq.reporting.selectors import ReportFilter, default_period
from cloud_hq.stores.models import Store

MAX_PERIOD_DAYS = 366


class ReportFilterForm(forms.Form):
    start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    stores = forms.MultipleChoiceField(
        required=False, widget=forms.SelectMultiple(attrs={"size": 4})
    )
    region = forms.ChoiceField(required=False)
    category = forms.ChoiceField(required=False)

    def __init__(self, data: Any = None) -> None:
        start, end = default_period()
        if data is not None and not any(key in data for key in self.base_fields):
            data = None  # a first visit: the default period
        super().__init__(data, initial={"start": start, "end": end})
        stores = Store.objects.order_by("code").values_list("code", "name")
        regions = (
            Store.objects.exclude(region="").order_by("region").values_list("region", flat=True)
        )
        categories = Category.objects.order_by("code").values_list("code", flat=True)
        self._choose("stores", [(code, f"{code} {name}") for code, name in stores])
        self._choose("region", [("", "every region"), *((r, r) for r in regions.distinct())])
        self._choose("category", [("", "every category"), *((c, c) for c in categories)])

    def _choose(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError("The period ends before it starts.")
            if end - start > timedelta(days=MAX_PERIOD_DAYS):
                raise forms.ValidationError(f"At most {MAX_PERIOD_DAYS} days at a time.")
        return cleaned

    def report_filter(self) -> ReportFilter:
        if not self.is_bound:
            start, end = default_period()
            return ReportFilter(start=start, end=end)
        data = self.cleaned_data
        return ReportFilter(start=data["start"], end=data["end"], stores=tuple(data["stores"]),
                            region=data["region"], category=data["category"])  # fmt: skip
