"""The store's side of the wire contract: every payload the store sends validates against
HQ's own schema (its OpenAPI document, taken from HQ's code in another process), and so
does every ledger entry and every document an entry carries."""

import gzip
import json
import subprocess
import sys
from decimal import Decimal
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator

from store_edge.inventory.stock_operations import StockLine, stock_operation
from store_edge.lanes.models import Lane
from store_edge.ledger.models import EntryKind
from store_edge.sync import services
from store_edge.sync.client import HQClient
from store_edge.sync.heartbeat import heartbeat_send
from tests.processes import ROOT, base_env
from tests.store_edge.conftest import BANANAS, BREAD, WATER, LaneClient


@pytest.fixture(scope="module")
def hq_schema() -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "tests.contract.hq_schema"], cwd=ROOT, check=True,
        capture_output=True, text=True, timeout=120,
        env=base_env(DJANGO_SETTINGS_MODULE="cloud_hq.settings", LOG_LEVEL="ERROR"),
    ).stdout  # fmt: skip
    return json.loads(out)


def validator(
    schema: dict[str, Any], *, components: dict[str, Any] | None = None
) -> Draft202012Validator:
    if components is not None:
        schema = {**schema, "components": components}
    return Draft202012Validator(schema)


def request_body_schema(openapi: dict[str, Any], path: str, method: str = "post") -> dict[str, Any]:
    operation = openapi["paths"][path][method]
    return operation["requestBody"]["content"]["application/json"]["schema"]


def problems(check: Draft202012Validator, document: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in check.iter_errors(document)
    ]


class Recorder:
    """HQ as a MockTransport that accepts everything and keeps what the store sent."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = request.content
        if request.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        data = json.loads(body) if body else None
        self.requests.append((request.method, request.url.raw_path.decode(), data))
        if request.url.path.endswith("/events"):
            top = max(entry["seq"] for entry in data["entries"])
            return httpx.Response(200, json={"high_water_mark": top, "accepted": top,
                                             "duplicates": 0, "quarantined": []})  # fmt: skip
        if request.url.path.endswith("/config"):
            return httpx.Response(304)
        return httpx.Response(200, json={"received_at": "2026-11-26T10:00:00Z"})

    def client(self) -> HQClient:
        return HQClient(base_url="http://hq.invalid", store_id="S0001", store_key="k." + "x" * 40,
                        transport=httpx.MockTransport(self), retries=0)  # fmt: skip


@pytest.fixture
def a_days_ledger(lane_api: LaneClient, lane: Lane, relay: None) -> None:
    """Every kind of entry a store writes: sales (cash, card, weighed), a return, a
    closed shift, and each stock operation."""
    lane_api.post("/shifts", {"opening_float": "100.00", "cashier": "12"})
    sale = lane_api.ring([{"code": WATER, "quantity": 2}, {"code": BANANAS, "weight_kg": "0.5"}])
    basket = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket}/items", {"code": BREAD})
    lane_api.post(f"/baskets/{basket}/payments", {"method": "card", "amount": "2.49",
                  "terminal_reference": "T-1", "card_last4": "4242"})  # fmt: skip
    lane_api.post(f"/baskets/{basket}/complete")
    line = lane_api.get(f"/returns/sales/{sale['number']}")[1]["lines"][0]
    lane_api.post("/returns", {"sale_number": sale["number"],
                               "lines": [{"line_id": line["id"], "quantity": 1}]})  # fmt: skip
    lane_api.post("/shifts/current/close", {"counted_cash": "101.00"})
    lines = [StockLine("100001", Decimal("12"))]
    stock_operation(kind="delivery", lines=lines, user="manager", reference="DN-1")
    stock_operation(kind="count", lines=[StockLine("200036", Decimal("7"))], user="manager")
    stock_operation(kind="adjustment", lines=[StockLine("100001", Decimal("-1"))],
                    user="manager", reason="damage")  # fmt: skip
    stock_operation(kind="waste", lines=[StockLine("200036", Decimal("1"))], user="manager")


def test_every_entry_and_document_the_store_pushes_is_what_hq_reads(
    a_days_ledger: None, hq_schema: dict[str, Any]
) -> None:
    recorder = Recorder()
    services.ledger_push(client=recorder.client())
    [(method, path, body)] = recorder.requests
    openapi = hq_schema["openapi"]
    components = openapi["components"]
    assert (method, path) == ("POST", "/api/v1/stores/S0001/events")
    events = validator(request_body_schema(openapi, "/api/v1/stores/{store_id}/events"),
                       components=components)  # fmt: skip
    assert problems(events, body) == []
    entry = validator(hq_schema["entry"])
    assert problems(entry, {**body["entries"][0], "kind": "gift_card_sold"})  # it can fail
    kinds = set()
    for item in body["entries"]:
        kinds.add(item["kind"])
        assert problems(entry, item) == [], item  # as an entry HQ applies, not held raw
        document = hq_schema["documents"].get(item["kind"])
        if document is not None:
            assert problems(validator(document), item["payload"]) == [], item["kind"]
    assert kinds >= {"sale_completed", "sale", "return_completed", "return", "shift_closed",
                     "delivery", "count", "adjustment", "waste"}  # fmt: skip


def test_the_store_and_hq_know_the_same_entry_kinds(hq_schema: dict[str, Any]) -> None:
    assert sorted(hq_schema["entry_kinds"]) == sorted(EntryKind.values)
    kind = hq_schema["entry"]["properties"]["kind"]["$ref"].rsplit("/", 1)[-1]
    assert sorted(hq_schema["entry"]["$defs"][kind]["enum"]) == sorted(EntryKind.values)


def test_the_heartbeat_and_the_config_pull_are_what_hq_reads(
    lane_api: LaneClient, relay: None, hq_schema: dict[str, Any]
) -> None:
    recorder = Recorder()
    client = recorder.client()
    heartbeat_send(client=client)
    services.config_pull(client=client)
    openapi = hq_schema["openapi"]
    (_, beat_path, beat), (pull_method, pull_path, pull_body) = recorder.requests
    assert beat_path == "/api/v1/stores/S0001/heartbeat"
    heartbeat = validator(request_body_schema(openapi, "/api/v1/stores/{store_id}/heartbeat"),
                          components=openapi["components"])  # fmt: skip
    assert problems(heartbeat, beat) == []
    assert (pull_method, pull_body) == ("GET", None)
    parameters = openapi["paths"]["/api/v1/stores/{store_id}/config"]["get"]["parameters"]
    since = next(p for p in parameters if p["name"] == "since")
    value = int(pull_path.split("since=")[1])
    assert problems(validator(since["schema"]), value) == []
