"""The store's HTTP client for HQ: signed, gzipped, with timeouts. Never used by a lane request."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings

from store_edge.sync.signing import signature_headers

GZIP_ABOVE_BYTES = 1024


class HQUnreachable(Exception):
    """HQ did not answer, or answered with a server error: try again later."""


class HQRefused(Exception):
    """HQ answered with a client error: retrying the same request will not help."""

    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"HQ refused the request ({status}): {detail}")
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class HQAnswer:
    status: int
    data: Any
    etag: str | None


class HQClient:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        store_id: str | None = None,
        store_key: str | None = None,
        timeout: float | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = (base_url or settings.HQ_URL).rstrip("/")
        self.store_id = store_id or settings.STORE_ID
        self.store_key = store_key or settings.STORE_KEY
        if not self.store_id:
            raise HQRefused(0, "STORE_ID is not set: register the store at HQ first")
        self._http = httpx.Client(
            timeout=timeout or settings.HQ_TIMEOUT_SECONDS,
            headers={"User-Agent": "store-edge/1"},
            transport=transport,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> HQClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def store_path(self, suffix: str) -> str:
        return f"/api/v1/stores/{self.store_id}/{suffix}"

    def request(
        self,
        method: str,
        path: str,
        *,
        payload: Any = None,
        headers: dict[str, str] | None = None,
    ) -> HQAnswer:
        """Send a signed request; raise HQUnreachable or HQRefused unless it is 2xx or 304."""
        body = b""
        all_headers = dict(headers or {})
        if payload is not None:
            body = json.dumps(payload, separators=(",", ":")).encode()
            all_headers["Content-Type"] = "application/json"
            if len(body) > GZIP_ABOVE_BYTES:
                body = gzip.compress(body, compresslevel=5)
                all_headers["Content-Encoding"] = "gzip"
        all_headers.update(
            signature_headers(store_key=self.store_key, method=method, path=path, body=body)
        )
        try:
            response = self._http.request(
                method, self.base_url + path, content=body, headers=all_headers
            )
        except httpx.HTTPError as exc:
            raise HQUnreachable(f"HQ at {self.base_url} is unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise HQUnreachable(f"HQ answered {response.status_code}")
        if response.status_code == 304:
            return HQAnswer(304, None, response.headers.get("ETag"))
        try:
            data = response.json()
        except ValueError as exc:
            raise HQUnreachable(f"HQ answered {response.status_code} without JSON") from exc
        if response.status_code >= 400:
            detail = data.get("detail", data) if isinstance(data, dict) else data
            raise HQRefused(response.status_code, detail)
        return HQAnswer(response.status_code, data, response.headers.get("ETag"))
