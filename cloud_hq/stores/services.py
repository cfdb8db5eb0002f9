"""Register stores and issue their keys."""

from __future__ import annotations

import re
import secrets
import zoneinfo
from datetime import timedelta
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cloud_hq.stores.models import Store, StoreKey, UsedNonce

STORE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
CASH_INCREMENTS = frozenset({Decimal("0.05"), Decimal("0.10"), Decimal("0.20"), Decimal("0.50"),
                             Decimal("1.00")})  # fmt: skip


class StoreRegistrationError(ValueError):
    pass


def store_register(
    *,
    name: str,
    code: str | None = None,
    currency: str | None = None,
    region: str = "",
    cash_rounding: Decimal | None = None,
    country: str = "",
    time_zone: str = "",
) -> Store:
    """Register a store; its code is the next free S0001-style code unless given."""
    country, time_zone = store_place_checked(country=country, time_zone=time_zone)
    if not re.fullmatch(r"[A-Za-z0-9_-]{0,32}", region):
        raise StoreRegistrationError("a region is up to 32 letters, digits, '-' or '_'")
    if cash_rounding is not None and cash_rounding not in CASH_INCREMENTS:
        raise StoreRegistrationError(
            f"cash rounding is one of {', '.join(map(str, sorted(CASH_INCREMENTS)))}"
        )
    currency = (currency or settings.DEFAULT_CURRENCY).upper()
    if not name.strip() or len(name) > 200:
        raise StoreRegistrationError("a store needs a name of at most 200 characters")
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise StoreRegistrationError(f"{currency!r} is not an ISO 4217 currency code")
    with transaction.atomic():
        if code is None:
            code = f"S{Store.objects.count() + 1:04d}"
            while Store.objects.filter(code=code).exists():
                code = f"S{int(code[1:]) + 1:04d}"
        elif not STORE_CODE.fullmatch(code):
            raise StoreRegistrationError("a store code is 1-16 letters, digits, '-' or '_'")
        elif Store.objects.filter(code=code).exists():
            raise StoreRegistrationError(f"store {code} is already registered")
        return Store.objects.create(
            code=code,
            name=name.strip(),
            currency=currency,
            region=region,
            cash_rounding=cash_rounding,
            country=country,
            time_zone=time_zone,
        )


def store_place_checked(*, country: str, time_zone: str) -> tuple[str, str]:
    """The store's country (ISO 3166 alpha-2, lower case) and IANA time zone, or why not."""
    country = country.strip().lower()
    if country and not re.fullmatch(r"[a-z]{2}", country):
        raise StoreRegistrationError(f"{country[:16]!r} is not an ISO 3166 country code (de, us)")
    time_zone = time_zone.strip()
    if time_zone and time_zone not in _zones():
        raise StoreRegistrationError(
            f"{time_zone[:64]!r} is not an IANA time zone (Europe/Berlin, America/New_York)"
        )
    return country, time_zone


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def store_key_issue(*, store: Store) -> str:
    """Create a signing key for a store and return it as `<key id>.<secret>` (shown once)."""
    with transaction.atomic():
        key = StoreKey.objects.create(
            store=store, key_id=secrets.token_hex(6), secret=secrets.token_urlsafe(32)
        )
    return f"{key.key_id}.{key.secret}"


def nonces_prune() -> int:
    """Forget nonces older than twice the signature window (they can no longer be replayed)."""
    cutoff = timezone.now() - timedelta(seconds=2 * settings.SIGNATURE_WINDOW_SECONDS)
    deleted, _ = UsedNonce.objects.filter(seen_at__lt=cutoff).delete()
    return deleted


class KeyError_(ValueError):
    """A key operation that does not fit (unknown store or key, bad grace period)."""


MAX_GRACE = timedelta(days=30)


def store_key_rotate(*, store: Store, grace: timedelta) -> tuple[str, int]:
    """Issue a new key; the store's other live keys stay valid for `grace`, then expire.

    Returns the new key (shown once) and how many keys now expire. The store's operator
    puts the new key in the store's environment within the grace period: no downtime.
    """
    if not timedelta(0) <= grace <= MAX_GRACE:
        raise KeyError_(f"the grace period is between 0 and {MAX_GRACE.days} days")
    expires = timezone.now() + grace
    with transaction.atomic():
        live = StoreKey.objects.select_for_update().filter(store=store, revoked_at=None)
        expiring = 0
        for key in live:
            if key.expires_at is None or key.expires_at > expires:
                key.expires_at = expires
                key.save(update_fields=["expires_at"])
                expiring += 1
        new_key = store_key_issue(store=store)
    return new_key, expiring


def store_key_revoke(*, store: Store, key_id: str) -> StoreKey:
    """Refuse a key at once (a stolen box, a leaked key)."""
    with transaction.atomic():
        key = StoreKey.objects.select_for_update().filter(store=store, key_id=key_id).first()
        if key is None:
            raise KeyError_(f"store {store.code} has no key {key_id!r}")
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
    return key
