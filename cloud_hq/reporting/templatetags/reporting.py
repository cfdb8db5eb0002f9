from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()

BAR_HEIGHT = 18
BAR_MAX = 460


@register.filter
def index(items: list[Any], position: int) -> Any:
    return items[position]


@register.filter
def chart_height(count: int) -> int:
    return max(count * BAR_HEIGHT, BAR_HEIGHT)


@register.filter
def bar_y(position: int) -> int:
    return position * BAR_HEIGHT


@register.filter
def bar_width(share: float) -> int:
    return max(round(share * BAR_MAX), 1)


@register.filter
def is_negative(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and value < 0


@register.filter
def cell(value: Any, kind: str) -> str:
    """A report cell as a person reads it: money with two decimals and thousands separators."""
    if value is None:
        return "—"
    if kind == "money":
        return number_format(Decimal(value).quantize(Decimal("0.01")), 2, force_grouping=True)
    if kind == "quantity":
        return number_format(Decimal(value).normalize(), force_grouping=True)
    if kind in ("percent", "rate"):
        return f"{value} %"
    if kind == "int":
        return number_format(value, force_grouping=True)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
