"""Verify a store's signed request: fresh, not replayed, signed by a live key of that store."""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from cloud_hq.stores.message import signed_message
from cloud_hq.stores.models import Store, StoreKey, UsedNonce

NONCE = re.compile(r"^[0-9a-f]{16,64}$")


class SignatureRefused(Exception):
    """The request is not what a live key of this store signed; nothing is done with it."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


def verify_store_request(request: HttpRequest, *, store_code: str) -> Store:
    """Return the store whose live key signed this request for its own path, or refuse it."""
    key_id = request.headers.get("X-Edge-Key", "")
    timestamp = request.headers.get("X-Edge-Timestamp", "")
    nonce = request.headers.get("X-Edge-Nonce", "")
    signature = request.headers.get("X-Edge-Signature", "")
    if not (key_id and timestamp and nonce and signature):
        raise SignatureRefused(401, "request is not signed (X-Edge-* headers missing)")
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise SignatureRefused(401, "X-Edge-Timestamp must be Unix seconds")
    if not NONCE.fullmatch(nonce):
        raise SignatureRefused(401, "X-Edge-Nonce must be 16-64 hex characters")
    now = timezone.now()
    skew = abs(now.timestamp() - int(timestamp))
    if skew > settings.SIGNATURE_WINDOW_SECONDS:
        raise SignatureRefused(
            401, f"signature timestamp is {int(skew)} s away from HQ's clock (check the time)"
        )
    key = StoreKey.objects.select_related("store").filter(key_id=key_id[:16]).first()
    if key is None or key.revoked_at is not None or _expired(key.expires_at, now):
        raise SignatureRefused(401, "unknown, revoked or expired store key")
    body = getattr(request, "signed_body", None)
    expected = hmac.new(
        key.secret.encode(),
        signed_message(
            method=request.method or "",
            path=request.get_full_path(),
            timestamp=timestamp,
            nonce=nonce,
            body=request.body if body is None else body,
        ),
        hashlib.sha256,
    ).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise SignatureRefused(401, "bad signature")
    if key.store_id != store_code:
        raise SignatureRefused(403, "this key belongs to another store")
    try:
        with transaction.atomic():
            UsedNonce.objects.create(store=key.store, nonce=nonce, seen_at=now)
    except IntegrityError as exc:
        raise SignatureRefused(401, "nonce already used (replayed request)") from exc
    return key.store


def _expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and expires_at <= now
