"""The store's HTTP client for HQ: signed, gzipped, with timeouts. Never used by a lane request."""

from __future__ import annotations

import gzip
import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from django.conf import settings

from store_edge.sync.signing import signature_headers

GZIP_ABOVE_BYTES = 1024
CLOCK_TOLERANCE_SECONDS = 30
logger = logging.getLogger(__name__)
_jitter = random.Random()  # noqa: S311 - jitter, not secrecy


class HQUnreachable(Exception):
    """HQ did not answer, or answered with a server error: try again later."""


class HQRefused(Exception):
    """HQ answered with a client error: retrying the same request will not help."""

    def __init__(self, status: int, detail: Any, data: Any = None) -> None:
        super().__init__(f"HQ refused the request ({status}): {detail}")
        self.status = status
        self.detail = detail
        self.data = data


# The sync protocol this store speaks (HQ serves this one and the one before). 2: the
# store's profile carries its country and time zone.
PROTOCOL_VERSION = "2"


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
        retries: int | None = None,
        clock_offset: int = 0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = (base_url or settings.HQ_URL).rstrip("/")
        self.store_id = store_id or settings.STORE_ID
        self.store_key = store_key or settings.STORE_KEY
        self.retries = settings.SYNC_RETRIES if retries is None else retries
        # HQ's clock minus ours: requests are signed in HQ's time, so a box whose clock is
        # off by hours still syncs (its sales keep the time the box gave them).
        self.clock_offset = clock_offset
        self._sleep = sleep
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
        """Send a signed request; raise HQUnreachable or HQRefused unless it is 2xx or 304.

        Network errors and HQ's 5xx are retried `retries` times with exponential backoff and
        jitter (every request to HQ is idempotent); a refusal for the clock is retried once
        in HQ's time.
        """
        body = b""
        base_headers = dict(headers or {})
        if payload is not None:
            body = json.dumps(payload, separators=(",", ":")).encode()
            base_headers["Content-Type"] = "application/json"
            if len(body) > GZIP_ABOVE_BYTES:
                body = gzip.compress(body, compresslevel=5)
                base_headers["Content-Encoding"] = "gzip"
        attempt = 0
        clock_retried = False
        while True:
            try:
                response = self._send(method, path, body, base_headers)
            except HQUnreachable:
                if attempt >= self.retries:
                    raise
                self._sleep(backoff_seconds(attempt))
                attempt += 1
                continue
            if response.status_code == 401 and not clock_retried and self._clock_told(response):
                clock_retried = True
                continue
            return self._answer(response)

    def _send(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        signed = {
            **headers,
            "X-Edge-Protocol": PROTOCOL_VERSION,
            **signature_headers(store_key=self.store_key, method=method, path=path, body=body,
                                timestamp=int(time.time()) + self.clock_offset),
        }  # fmt: skip
        try:
            response = self._http.request(method, self.base_url + path, content=body,
                                          headers=signed)  # fmt: skip
        except httpx.HTTPError as exc:
            raise HQUnreachable(f"HQ at {self.base_url} is unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise HQUnreachable(f"HQ answered {response.status_code}")
        return response

    def _clock_told(self, response: httpx.Response) -> bool:
        """Learn HQ's time from its Date header; True when it differs from what we signed."""
        date = response.headers.get("Date")
        if not date:
            return False
        try:
            hq_now = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            return False
        offset = round(hq_now - time.time())
        if abs(offset - self.clock_offset) < CLOCK_TOLERANCE_SECONDS:
            return False
        logger.warning("this box's clock is %+d s off HQ's: signing in HQ's time", -offset)
        self.clock_offset = offset
        return True

    def _answer(self, response: httpx.Response) -> HQAnswer:
        if response.status_code == 304:
            return HQAnswer(304, None, response.headers.get("ETag"))
        try:
            data = response.json()
        except ValueError as exc:
            raise HQUnreachable(f"HQ answered {response.status_code} without JSON") from exc
        if response.status_code >= 400:
            detail = data.get("detail", data) if isinstance(data, dict) else data
            raise HQRefused(response.status_code, detail, data)
        return HQAnswer(response.status_code, data, response.headers.get("ETag"))


def backoff_seconds(attempt: int, *, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: between half and all of min(cap, base × 2^attempt) s."""
    ceiling = min(settings.SYNC_BACKOFF_MAX_SECONDS,
                  settings.SYNC_BACKOFF_BASE_SECONDS * 2**attempt)  # fmt: skip
    return (rng or _jitter).uniform(ceiling / 2, ceiling)
