"""Store request bodies: bounded in size, gzip inflated (and bounded), other encodings refused."""

import gzip
from typing import Any

import pytest

from tests.cloud_hq.conftest import NOTHING_HELD, StoreClient, Till, encode, holdings


@pytest.fixture
def batch(till: Till) -> list[dict[str, Any]]:
    return till.sale(("100001", "2", "0.79"), ("200036", "1", "2.49"))


def test_gzip_body_signed_over_compressed_bytes_is_applied(
    hq: StoreClient, batch: list[dict[str, Any]]
) -> None:
    # When the store pushes a gzip body, signed over the compressed bytes
    answer = hq.push(batch, compress=True)

    # Then HQ inflates and applies it
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "high_water_mark": 3,
        "accepted": 3,
        "duplicates": 0,
        "quarantined": [],
    }
    assert holdings(hq.credentials.store_id)["high_water_mark"] == 3


def test_gzip_body_signed_over_inflated_bytes_is_refused(
    hq: StoreClient, batch: list[dict[str, Any]]
) -> None:
    # Given a gzip body whose signature covers the JSON before compression
    body = encode({"entries": batch})

    # When it is pushed
    answer = hq.push_body(
        gzip.compress(body), signed_body=body, headers={"Content-Encoding": "gzip"}
    )

    # Then the signature does not match what was sent
    assert answer.status_code == 401
    assert holdings(hq.credentials.store_id) == NOTHING_HELD


def test_gzip_body_inflating_beyond_the_limit_is_refused(
    hq: StoreClient, till: Till, settings
) -> None:
    # Given HQ inflates at most 20 kB, and a push whose 100 kB of JSON compress to far less
    settings.REQUEST_MAX_INFLATED_BYTES = 20_000
    entries = till.sale(("100001", "1", "0.79"))
    entries[0]["payload"]["note"] = "x" * 100_000
    body = gzip.compress(encode({"entries": entries}))
    assert len(body) < 20_000

    # When it is pushed
    answer = hq.push_body(body, headers={"Content-Encoding": "gzip"})

    # Then HQ refuses it as too large and applies nothing
    assert answer.status_code == 413
    assert answer.json() == {"detail": "inflated request body too large"}
    assert holdings(hq.credentials.store_id) == NOTHING_HELD


@pytest.mark.parametrize(
    ("mangle", "detail"),
    [
        (lambda body: b"not gzip at all " + body, "body is not valid gzip"),
        (lambda body: gzip.compress(body)[:-12], "gzip body is truncated"),
    ],
    ids=["not-gzip", "truncated"],
)
def test_broken_gzip_body_is_refused(
    hq: StoreClient, batch: list[dict[str, Any]], mangle: Any, detail: str
) -> None:
    # When a push claims gzip but its bytes are not (all of) a gzip stream
    body = mangle(encode({"entries": batch}))
    answer = hq.push_body(body, headers={"Content-Encoding": "gzip"})

    # Then HQ answers 400 and applies nothing
    assert answer.status_code == 400
    assert answer.json() == {"detail": detail}
    assert holdings(hq.credentials.store_id) == NOTHING_HELD


def test_unsupported_content_encoding_is_refused(
    hq: StoreClient, batch: list[dict[str, Any]]
) -> None:
    # When a push is sent with Content-Encoding: br
    answer = hq.push(batch, headers={"Content-Encoding": "br"})

    # Then HQ answers 415 and applies nothing
    assert answer.status_code == 415
    assert answer.json() == {"detail": "unsupported Content-Encoding 'br'"}
    assert holdings(hq.credentials.store_id) == NOTHING_HELD


def test_body_larger_than_the_request_limit_is_refused(
    hq: StoreClient, till: Till, settings
) -> None:
    # Given HQ accepts bodies of at most 2 kB, and a push of about 10 kB
    settings.REQUEST_MAX_BYTES = 2_000
    entries = [entry for _ in range(10) for entry in till.sale(("100001", "1", "0.79"))]
    assert len(encode({"entries": entries})) > 2_000

    # When it is pushed
    answer = hq.push(entries)

    # Then HQ answers 413 and applies nothing
    assert answer.status_code == 413
    assert answer.json() == {"detail": "request body too large"}
    assert holdings(hq.credentials.store_id) == NOTHING_HELD


def test_compressed_body_larger_than_the_request_limit_is_refused(
    hq: StoreClient, till: Till, settings
) -> None:
    # Given HQ accepts bodies of at most 500 bytes, and a gzip push larger than that
    settings.REQUEST_MAX_BYTES = 500
    entries = [entry for _ in range(10) for entry in till.sale(("100001", "1", "0.79"))]

    # When it is pushed compressed
    answer = hq.push(entries, compress=True)

    # Then HQ answers 413 before inflating it
    assert answer.status_code == 413
    assert holdings(hq.credentials.store_id) == NOTHING_HELD
