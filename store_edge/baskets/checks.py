"""`manage.py check` (and every start): the store's country names GS1 layouts we read."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

from devices.barcodes import RCN_COUNTRIES


@register()
def store_country(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    country = settings.STORE_COUNTRY
    if not country or country in RCN_COUNTRIES:
        return []
    return [
        Warning(
            f"STORE_COUNTRY={country!r} is not a country whose GS1 layouts for price and "
            "weight labels the store reads: such labels (prefixes 02, 20-29) will not ring up",
            hint=f"use one of {', '.join(sorted(RCN_COUNTRIES))} (ISO 3166, lower case)",
            id="baskets.W001",
        )
    ]
