"""The ninja auth of store-facing endpoints: a request signed by a live key of that store."""

from django.http import HttpRequest
from ninja.security import APIKeyHeader

from cloud_hq.stores.models import Store
from cloud_hq.stores.signing import SignatureRefused, verify_store_request


class StoreSignatureAuth(APIKeyHeader):
    """HMAC-SHA256 signature in X-Edge-Signature, with X-Edge-Key/-Timestamp/-Nonce."""

    param_name = "X-Edge-Signature"

    def authenticate(self, request: HttpRequest, key: str | None) -> Store:
        match = request.resolver_match
        store_code = match.kwargs.get("store_id", "") if match else ""
        if not store_code:
            raise SignatureRefused(403, "store-signed requests are for /stores/{store_id}/ paths")
        return verify_store_request(request, store_code=store_code)


def request_store(request: HttpRequest) -> Store:
    store = request.auth  # type: ignore[attr-defined]
    assert isinstance(store, Store)  # noqa: S101 - StoreSignatureAuth guarantees it
    return store
