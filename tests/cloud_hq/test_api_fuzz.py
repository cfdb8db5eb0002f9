"""HQ's store API fuzzed from its own OpenAPI schema, each request signed like a store signs
it (over the exact bytes sent) or not signed at all: no 5xx, every answer as documented."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cloud_hq.publishing.models import ConfigVersion
from cloud_hq.wsgi import application
from tests.cloud_hq.conftest import (
    NOTHING_HELD,
    StoreClient,
    StoreCredentials,
    Till,
    catalog_document,
    encode,
    holdings,
    run_command,
    signature_headers,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
LIMITS = "deploy.web.request_limits.JsonBodyMiddleware"
FUZZ = settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

StartResponse = Callable[..., Any]


class SigningStore:
    """A WSGI wrapper that signs each request, as the store's client does, with the store's
    key over the method, the path and query as sent and the body bytes as sent."""

    def __init__(self, app: WSGIHandler, credentials: StoreCredentials) -> None:
        self.app = app
        self.credentials = credentials

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        path = environ.get("RAW_URI") or environ["PATH_INFO"]
        if "?" not in path and environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        signed = signature_headers(
            self.credentials, method=environ["REQUEST_METHOD"], path=path, body=body
        )
        for name, value in signed.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        return self.app(environ, start_response)


@pytest.fixture
def hq_app(settings) -> Iterator[WSGIHandler]:  # type: ignore[no-untyped-def]
    """HQ's WSGI application with the request limits, on the test database (kept open: the
    real handler would close it around each request, as Django's test client avoids too)."""
    if LIMITS not in settings.MIDDLEWARE:
        at = settings.MIDDLEWARE.index("cloud_hq.stores.middleware.CompressedRequestMiddleware")
        settings.MIDDLEWARE = [
            *settings.MIDDLEWARE[: at + 1],
            LIMITS,
            *settings.MIDDLEWARE[at + 1 :],
        ]
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield WSGIHandler()
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def published(db: None, write_json: Callable[[Any], Any]) -> int:
    """A catalogue imported and published: the config a store pulls; return its version."""
    run_command("import_catalog", str(write_json(catalog_document())))
    run_command("publish_config")
    return ConfigVersion.objects.get().version


def own_store_mostly(case: schemathesis.Case, known: dict[str, Any]) -> None:
    """Replace about half the generated path parameters by ones HQ holds for this store, to
    get past the 403s and 404s."""
    for name, value in (case.path_parameters or {}).items():
        if name in known and zlib.crc32(repr(value).encode()) % 2:
            case.path_parameters[name] = known[name]


@schema.parametrize()
@FUZZ
def test_every_signed_operation_answers_as_documented(
    case: schemathesis.Case, store: StoreCredentials, published: int, hq_app: WSGIHandler
) -> None:
    own_store_mostly(case, {"store_id": store.store_id, "version": published})
    case.call_and_validate(app=SigningStore(hq_app, store), checks=CHECKS)


@schema.parametrize()
@FUZZ
def test_an_unsigned_request_is_refused_whatever_it_holds(
    case: schemathesis.Case, store: StoreCredentials, published: int, hq_app: WSGIHandler
) -> None:
    own_store_mostly(case, {"store_id": store.store_id, "version": published})
    for name in ("X-Edge-Key", "X-Edge-Timestamp", "X-Edge-Nonce", "X-Edge-Signature"):
        (case.headers or {}).pop(name, None)
    response = case.call_and_validate(app=hq_app, checks=CHECKS)
    # 405: schemathesis also probes each path with methods it does not serve
    assert response.status_code in (400, 401, 403, 405, 413, 415, 422)


# ---------------------------------------------------------------------------- hostile bodies


@pytest.fixture
def limited_hq(hq: StoreClient, hq_app: WSGIHandler) -> StoreClient:
    """The store S0001 talking to HQ with the request limits in its middleware."""
    return hq


def pushed(hq: StoreClient, body: bytes, content_type: str = "application/json") -> Any:
    path = hq.store_path("events")
    return hq.client.generic(
        "POST",
        path,
        data=body,
        content_type=content_type,
        headers=signature_headers(hq.credentials, method="POST", path=path, body=body),
    )


def test_a_body_over_the_limit_is_refused_with_413_and_nothing_is_held(
    limited_hq: StoreClient, till: Till, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.REQUEST_MAX_BYTES = 1024 * 1024
    body = encode({"entries": till.sale(("100001", "1", "0.79"))}).ljust(1024 * 1024 + 1)
    answer = limited_hq.push_body(body)
    assert answer.status_code == 413
    assert "too large" in answer.json()["detail"]
    assert holdings(limited_hq.credentials.store_id) == NOTHING_HELD


def test_a_gzip_bomb_is_refused_with_413_before_it_is_inflated_whole(
    limited_hq: StoreClient, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.REQUEST_MAX_INFLATED_BYTES = 1024 * 1024
    bomb = gzip.compress(b'{"entries": [' + b" " * (64 * 1024 * 1024) + b"]}", compresslevel=9)
    assert len(bomb) < 100 * 1024
    answer = limited_hq.push_body(bomb, headers={"Content-Encoding": "gzip"})
    assert answer.status_code == 413
    assert "inflated" in answer.json()["detail"]
    assert holdings(limited_hq.credentials.store_id) == NOTHING_HELD


def test_json_nested_100000_deep_is_refused_with_400(limited_hq: StoreClient) -> None:
    body = b'{"entries": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = pushed(limited_hq, body)
    assert answer.status_code == 400
    assert "nested deeper than 64 levels" in answer.json()["detail"]
    assert holdings(limited_hq.credentials.store_id) == NOTHING_HELD


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "multipart/form-data; boundary=x", "", "application/jsonx"],
)
def test_a_body_not_sent_as_json_is_refused_with_415(
    limited_hq: StoreClient, till: Till, content_type: str
) -> None:
    answer = pushed(limited_hq, encode({"entries": till.sale(("100001", "1", "0.79"))}),
                    content_type)  # fmt: skip
    assert answer.status_code == 415
    assert "application/json" in answer.json()["detail"]
    assert holdings(limited_hq.credentials.store_id) == NOTHING_HELD


def test_a_body_that_is_not_utf8_is_refused_with_400(limited_hq: StoreClient) -> None:
    answer = pushed(limited_hq, b'{"entries": [], "x": "\xff\xfe"}')
    assert answer.status_code == 400
    assert answer.json()["detail"] == "the body is not valid UTF-8 (byte 22)"


def test_a_raw_nul_byte_is_not_json_and_is_refused_with_400(limited_hq: StoreClient) -> None:
    answer = pushed(limited_hq, b'{"entries": [], "x": "a\x00b"}')
    assert answer.status_code == 400
    assert "Cannot parse request body" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("created_at", "2026-11-20T09:00:00+17:00"),  # PostgreSQL holds offsets up to ±15:59
        ("created_at", "9999-12-31T23:00:00-05:00"),  # past year 9999 once in UTC
        ("config_version", 2**40),  # an integer column
    ],
)
def test_an_entry_no_column_can_hold_is_quarantined_not_a_server_error(
    hq: StoreClient, till: Till, field: str, value: Any
) -> None:
    entries = till.sale(("100001", "1", "0.79"))
    entries[1][field] = value
    answer = hq.push(entries)
    assert answer.status_code == 200, answer.content
    assert [q["seq"] for q in answer.json()["quarantined"]] == [2]


HEARTBEAT: dict[str, Any] = {
    "sent_at": "2026-11-20T09:00:00+00:00",
    "config_version": 1,
    "acked_seq": 0,
    "metrics": {"edge_sync_lag_seconds": 1.0, "edge_buffer_size": 0,
                "edge_disk_usage_percent": 10.0, "edge_device_count": 2,
                "edge_devices_expected": 2},
    "alerts": [],
}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        ({"sent_at": "2026-11-20T09:00:00+17:02"}, "sent_at"),
        ({"config_version": 2**31}, "config_version"),
        ({"acked_seq": 2**63}, "acked_seq"),
        ({"metrics": {**HEARTBEAT["metrics"], "edge_buffer_size": 10**12}}, "edge_buffer_size"),
    ],
)
def test_a_heartbeat_no_column_can_hold_is_refused_with_422(
    hq: StoreClient, change: dict[str, Any], refused: str
) -> None:
    assert hq.send_json("POST", hq.store_path("heartbeat"), HEARTBEAT).status_code == 200
    answer = hq.send_json("POST", hq.store_path("heartbeat"), {**HEARTBEAT, **change})
    assert answer.status_code == 422
    assert refused in str(answer.json()["detail"])
