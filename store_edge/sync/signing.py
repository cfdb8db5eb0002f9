"""Sign requests to HQ: HMAC-SHA256 over method, path, timestamp, nonce and body hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time


class StoreKeyError(ValueError):
    """STORE_KEY is missing or not of the form `<key id>.<secret>`."""


def split_store_key(store_key: str) -> tuple[str, str]:
    """Split a key printed by HQ's `register_store` into its id and its secret."""
    key_id, dot, secret = store_key.partition(".")
    if not dot or not key_id or len(secret) < 32:
        raise StoreKeyError("STORE_KEY must be '<key id>.<secret>' as printed by register_store")
    return key_id, secret


def signature_headers(
    *,
    store_key: str,
    method: str,
    path: str,
    body: bytes,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """Return the headers that authenticate one request to HQ."""
    key_id, secret = split_store_key(store_key)
    timestamp = int(time.time()) if timestamp is None else timestamp
    nonce = secrets.token_hex(16) if nonce is None else nonce
    message = "\n".join(
        [method.upper(), path, str(timestamp), nonce, hashlib.sha256(body).hexdigest()]
    )
    signature = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    return {
        "X-Edge-Key": key_id,
        "X-Edge-Timestamp": str(timestamp),
        "X-Edge-Nonce": nonce,
        "X-Edge-Signature": signature,
    }
