"""The message a store signs (docs/architecture.md, "Sync protocol"): method, path with
query, timestamp, nonce and the body's SHA-256, one per line. No Django here: virtual
stores sign with it too."""

import hashlib


def signed_message(*, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return "\n".join(
        [method.upper(), path, timestamp, nonce, hashlib.sha256(body).hexdigest()]
    ).encode()
