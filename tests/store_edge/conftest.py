import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from devices.printers.simulator import PrinterSimulator
from devices.terminals.simulator import ZvtSimulator
from store_edge.catalog.services import ConfigSnapshot, ProductData, TaxClassData, catalog_apply
from store_edge.lanes.models import Lane
from store_edge.lanes.tokens import lane_token_issue
from store_edge.peripherals.gateway import DeviceConfig, DeviceWorker
from store_edge.peripherals.models import LaneDevice

WATER = "4006381333931"  # EAN-13 of sparkling water, 0.79, standard VAT
BREAD = "4360001000369"  # wholegrain bread, 2.49, reduced VAT
BANANAS = "4011"  # PLU, 1.99 per kg, reduced VAT

PRODUCTS = [
    ProductData("100001", "Sparkling water 1 l", Decimal("0.79"), "each", "STD", "drinks", "",
                (WATER,)),
    ProductData("200036", "Wholegrain bread 750 g", Decimal("2.49"), "each", "RED", "bakery", "",
                (BREAD, "036000291452")),
    ProductData("4011", "Bananas", Decimal("1.99"), "kg", "RED", "produce", "4011", ()),
]  # fmt: skip


def snapshot(version: int = 1) -> ConfigSnapshot:
    return ConfigSnapshot(
        version=version,
        published_at=datetime(2026, 11, 1, tzinfo=UTC),
        store_name="Test store",
        currency="EUR",
        tax_classes=(
            TaxClassData("STD", Decimal("0.19"), True),
            TaxClassData("RED", Decimal("0.07"), True),
        ),
    )


@pytest.fixture
def catalog(db: None) -> None:
    catalog_apply(snapshot=snapshot(), products=PRODUCTS)


@pytest.fixture
def lane_token(db: None) -> str:
    _, token = lane_token_issue(lane_number=1)
    return token


@pytest.fixture
def lane(lane_token: str) -> Lane:
    return Lane.objects.get(number=1)


class LaneClient:
    """The lane API as a lane client sees it: JSON in, JSON out, bearer token."""

    def __init__(self, token: str) -> None:
        self.client = Client(headers={"Authorization": f"Bearer {token}"})

    def post(self, path: str, body: object = None) -> tuple[int, dict]:
        response = self.client.post(
            f"/api/v1{path}", body if body is not None else {}, content_type="application/json"
        )
        return response.status_code, response.json()

    def get(self, path: str) -> tuple[int, dict]:
        response = self.client.get(f"/api/v1{path}")
        return response.status_code, response.json()

    def delete(self, path: str) -> tuple[int, dict]:
        response = self.client.delete(f"/api/v1{path}")
        return response.status_code, response.json()

    def new_basket(self) -> str:
        status, basket = self.post("/baskets")
        assert status == 201
        return basket["id"]

    def ring(self, items: list[dict], *, pay: str | None = None) -> dict:
        """Ring items, pay what is due in cash (or `pay`), complete, and return the sale."""
        basket_id = self.new_basket()
        for item in items:
            status, basket = self.post(f"/baskets/{basket_id}/items", item)
            assert status == 200, basket
        status, basket = self.post(
            f"/baskets/{basket_id}/payments",
            {"method": "cash", "amount": pay or basket["cash_due"]},
        )
        assert status == 200, basket
        status, sale = self.post(f"/baskets/{basket_id}/complete")
        assert status == 201, sale
        return sale


def sold_with_card_and_cash(lane_api: LaneClient) -> dict[str, Any]:
    """3 breads (7.47): 5.00 on the card, the rest in cash."""
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD, "quantity": 3})
    lane_api.post(f"/baskets/{basket_id}/payments", {"method": "card", "amount": "5.00",
                  "terminal_reference": "T-1", "card_last4": "4242"})  # fmt: skip
    lane_api.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "10.00"})
    status, sale = lane_api.post(f"/baskets/{basket_id}/complete")
    assert status == 201, sale
    return sale


@pytest.fixture
def relay(redis_url: str, settings, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The device relay on a real Redis, under a key prefix of this test's own."""
    from store_edge.peripherals import relay as peripherals

    settings.REDIS_URL = redis_url
    settings.REDIS_KEY_PREFIX = f"test-{tmp_path.name}"
    peripherals.forget_clients()
    yield
    peripherals.relay().delete(peripherals.scale_key(1), peripherals.scans_key(1),
                               peripherals.health_key())  # fmt: skip
    peripherals.forget_clients()


@pytest.fixture
def lane_api(catalog: None, lane_token: str) -> Iterator[LaneClient]:
    yield LaneClient(lane_token)


@pytest.fixture(autouse=True)
def _ledger_is_append_only(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test sees the append-only triggers; a transactional test drops them afterwards
    only so that the test database can be flushed between tests."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and "db" not in request.fixturenames:
        yield
        return
    from django.db import connection

    from store_edge.ledger.append_only import CREATE_TRIGGERS, DROP_TRIGGERS

    request.getfixturevalue("transactional_db" if _transactional(marker) else "db")
    with connection.cursor() as cursor:
        for statement in CREATE_TRIGGERS:
            cursor.execute(statement)
    yield
    if _transactional(marker):
        with connection.cursor() as cursor:
            for statement in DROP_TRIGGERS:
                cursor.execute(statement)


def _transactional(marker: pytest.Mark | None) -> bool:
    return bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture
def staff(db: None) -> None:
    """A supervisor (77, PIN 4321) and a cashier (12, PIN 1234)."""
    from store_edge.staff.services import staff_member_create

    staff_member_create(code="77", name="Sam Supervisor", role="supervisor", pin="4321")
    staff_member_create(code="12", name="Cat Cashier", role="cashier", pin="1234")


def wait_until(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def _device_worker(lane: Lane, kind: str, protocol: str, port: str,
                   options: str = "{}") -> DeviceWorker:  # fmt: skip
    """Attach a device to the lane as an operator would, and run the gateway's worker for it."""
    call_command("add_lane_device", lane=lane.number, kind=kind, protocol=protocol, port=port,
                 options=options)  # fmt: skip
    worker = DeviceWorker(DeviceConfig.of(LaneDevice.objects.get(kind=kind)))
    worker.start()
    return worker


def _stopped(worker: DeviceWorker) -> None:
    worker.stop.set()
    assert worker.thread is not None
    worker.thread.join(timeout=5)


@pytest.fixture
def printer(relay: None, lane: Lane) -> Iterator[PrinterSimulator]:
    """The lane's receipt printer: the simulator over TCP, and the gateway's worker for it."""
    simulator = PrinterSimulator()
    worker = _device_worker(lane, "printer", "escpos", simulator.address)
    yield simulator
    _stopped(worker)
    simulator.close()


@pytest.fixture
def terminal(relay: None, lane: Lane) -> Iterator[ZvtSimulator]:
    """The lane's ZVT card terminal (1.5 s for a customer to pay), simulated over TCP."""
    simulator = ZvtSimulator()
    worker = _device_worker(lane, "terminal", "zvt", simulator.address,
                            '{"payment_seconds": 1.5}')  # fmt: skip
    yield simulator
    _stopped(worker)
    simulator.close()
