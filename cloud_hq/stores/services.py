"""Register stores and issue their keys."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cloud_hq.stores.models import Store, StoreKey, UsedNonce

STORE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class StoreRegistrationError(ValueError):
    pass


def store_register(*, name: str, code: str | None = None, currency: str | None = None) -> Store:
    """Register a store; its code is the next free S0001-style code unless given."""
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
        return Store.objects.create(code=code, name=name.strip(), currency=currency)


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
