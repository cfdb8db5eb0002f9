"""The lane and its devices: a weighed item takes its scale's stable weight through the
gateway; labels carry their price or weight; expired items are refused. Real Redis, real
pseudo-terminals, the gateway's own worker threads."""

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from biip.checksums import gs1_price_weight_check_digit, gs1_standard_check_digit
from django.utils import timezone

from devices.simulators import ScaleSimulator, ScannerSimulator
from store_edge.baskets.models import BasketLine
from store_edge.catalog.models import Barcode, ConfigState, Product
from store_edge.lanes.models import Lane
from store_edge.peripherals import gateway
from store_edge.peripherals import relay as peripherals
from store_edge.peripherals.gateway import DeviceConfig, DeviceWorker
from store_edge.peripherals.models import DeviceKind, LaneDevice
from tests.store_edge.conftest import BANANAS, LaneClient, wait_until


def relayed() -> dict:
    """The lane's scale reading as the gateway relayed it (empty before the first)."""
    raw = peripherals.relay().get(peripherals.scale_key(1))
    return json.loads(raw) if raw else {}


@pytest.fixture
def scale(relay: None, lane: Lane, tmp_path: Path) -> Iterator[ScaleSimulator]:
    simulator = ScaleSimulator(tmp_path / "ttyScale", "sics")
    device = LaneDevice.objects.create(lane=lane, kind=DeviceKind.SCALE, protocol="sics",
                                       port=str(simulator.path))  # fmt: skip
    worker = DeviceWorker(DeviceConfig.of(device))
    worker.start()
    yield simulator
    worker.stop.set()
    assert worker.thread is not None
    worker.thread.join(timeout=5)
    simulator.close()


def add_bananas(lane_api: LaneClient) -> tuple[int, dict]:
    basket_id = lane_api.new_basket()
    return lane_api.post(f"/baskets/{basket_id}/items", {"code": BANANAS})


def test_a_weighed_item_takes_the_stable_weight_of_the_lanes_scale(
    lane_api: LaneClient, scale: ScaleSimulator
) -> None:
    scale.state.weight = Decimal("0.512")
    wait_until(lambda: relayed().get("weight") == "0.512")
    status, basket = add_bananas(lane_api)
    assert status == 200, basket
    assert (basket["lines"][0]["weight_kg"], basket["lines"][0]["amount"]) == ("0.512", "1.02")


def test_a_moving_scale_is_refused_with_a_message(lane_api: LaneClient,
                                                  scale: ScaleSimulator) -> None:  # fmt: skip
    scale.state.weight, scale.state.motion = Decimal("0.700"), True
    wait_until(lambda: relayed().get("weight") == "0.700" and not relayed().get("stable"))
    status, answer = add_bananas(lane_api)
    assert status == 422
    assert "moving" in answer["detail"]
    assert BasketLine.objects.count() == 0


def test_an_unplugged_scale_is_reported_and_its_reading_refused(
    lane_api: LaneClient, scale: ScaleSimulator
) -> None:
    scale.state.weight = Decimal("0.300")
    wait_until(lambda: any(h["connected"] for h in peripherals.device_health().values()))
    scale.unplug()
    wait_until(lambda: not any(h["connected"] for h in peripherals.device_health().values()))
    time.sleep(1.1)  # the last reading is now too old to sell
    status, answer = add_bananas(lane_api)
    assert status == 422
    assert "not answering" in answer["detail"] or "too old" in answer["detail"]
    health = next(iter(peripherals.device_health().values()))
    assert health["errors"] >= 1 and health["last_error"]
    scale.plug()  # and it comes back on its own
    wait_until(lambda: any(h["connected"] for h in peripherals.device_health().values()))
    wait_until(lambda: add_bananas(lane_api)[0] == 200)


def test_a_lane_without_a_scale_asks_for_the_weight(lane_api: LaneClient, relay: None) -> None:
    status, answer = add_bananas(lane_api)
    assert status == 422
    assert "no scale" in answer["detail"]


def test_a_serial_scanner_relays_its_scans(relay: None, lane: Lane, tmp_path: Path) -> None:
    simulator = ScannerSimulator(tmp_path / "ttyScan")
    device = LaneDevice.objects.create(lane=lane, kind=DeviceKind.SCANNER,
                                       protocol="serial_scanner", port=str(simulator.path),
                                       options={"prefix": "#"})  # fmt: skip
    worker = DeviceWorker(DeviceConfig.of(device))
    worker.start()
    try:
        wait_until(lambda: worker.health.connected)
        simulator.scan("]E04006381333931", prefix=b"#")
        simulator.write(b"\r\n")  # an empty line is not a scan
        wait_until(lambda: peripherals.relay().llen(peripherals.scans_key(1)) == 1)
        scan = json.loads(peripherals.relay().lindex(peripherals.scans_key(1), 0))
        assert scan["code"] == "]E04006381333931"
    finally:
        worker.stop.set()
        simulator.close()


@pytest.fixture
def scanner(relay: None, lane: Lane, tmp_path: Path) -> Iterator[ScannerSimulator]:
    simulator = ScannerSimulator(tmp_path / "ttyScan")
    device = LaneDevice.objects.create(lane=lane, kind=DeviceKind.SCANNER,
                                       protocol="serial_scanner",
                                       port=str(simulator.path))  # fmt: skip
    worker = DeviceWorker(DeviceConfig.of(device))
    worker.start()
    wait_until(lambda: worker.health.connected)
    yield simulator
    worker.stop.set()
    assert worker.thread is not None
    worker.thread.join(timeout=5)
    simulator.close()


def relayed_scans() -> list[dict]:
    return [json.loads(raw) for raw in peripherals.relay().lrange(peripherals.scans_key(1), 0, -1)]


def test_a_scan_waits_out_a_busy_relay(scanner: ScannerSimulator) -> None:
    """Redis holding every client for 1.2 s (as under a slow disk or a busy box) delays a
    scan; it does not lose it."""
    peripherals.relay().execute_command("CLIENT", "PAUSE", "1200", "ALL")
    scanner.scan("4006381333931")
    time.sleep(1.3)
    wait_until(lambda: len(relayed_scans()) == 1)
    assert relayed_scans()[0]["code"] == "4006381333931"


def ring_codes(lane_api: LaneClient, since: float) -> list[str]:
    status, answer = lane_api.get(f"/lane/peripherals?since={since}")
    assert status == 200
    return [scan["code"] for scan in answer["scans"]]


def test_a_scan_redis_takes_too_late_is_not_rung(lane_api: LaneClient,
                                                 scanner: ScannerSimulator) -> None:  # fmt: skip
    """Redis holding every client for 4 s: the cashier has scanned again by then, so the
    first scan must not ring late (the gateway drops it, or the page is not given it)."""
    opened = time.time()
    peripherals.relay().execute_command("CLIENT", "PAUSE", "4000", "ALL")
    scanner.scan("4006381333931")
    time.sleep(4.5)
    assert ring_codes(lane_api, opened) == []


def test_a_scan_relayed_twice_is_rung_once(lane_api: LaneClient, relay: None) -> None:
    """The gateway relays a scan again when Redis took it but the answer was lost: the copy
    carries the scan's id, and the page is given it once."""
    read_at = time.time()
    peripherals.publish_scan(1, "4006381333931", read_at, "scan-1")
    peripherals.publish_scan(1, "4006381333931", read_at, "scan-1")
    peripherals.publish_scan(1, "4006381333931", read_at + 0.01, "scan-2")  # scanned again
    assert len(relayed_scans()) == 3
    assert ring_codes(lane_api, read_at - 1) == ["4006381333931"] * 2


def test_a_late_scan_from_one_scanner_is_not_skipped(lane_api: LaneClient, relay: None) -> None:
    """Two scanners on a lane: scan A, read first, reaches Redis after scan B, which the page
    already rang. Scans are ordered as Redis takes them, so the page's cursor keeps A."""
    now = time.time()
    peripherals.publish_scan(1, "96385074", now, "b")
    _, answer = lane_api.get(f"/lane/peripherals?since={now - 1}")
    [seen_b] = answer["scans"]
    peripherals.publish_scan(1, "4006381333931", now - 1, "a")  # read a second before B
    assert ring_codes(lane_api, seen_b["at"]) == ["4006381333931"]


def test_a_broken_relay_connection_reads_as_redis_away(relay: None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """redis-py can report a socket that broke mid-answer as a ValueError from its closed
    buffer; the gateway must read that as the relay away, not as its device failing."""

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("I/O operation on closed file.")

    monkeypatch.setattr(redis.connection.Connection, "read_response", broken)
    with pytest.raises(redis.ConnectionError, match="relay connection broke"):
        peripherals.publish_scan(1, "4006381333931")
    monkeypatch.undo()
    peripherals.publish_scan(1, "4006381333931")  # the next one connects afresh
    assert [s["code"] for s in relayed_scans()] == ["4006381333931"]


def test_a_scan_the_relay_cannot_take_in_time_is_dropped_and_reported(
    relay: None,
    lane: Lane,
    settings,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """Past a few seconds the cashier has scanned the item again: a late copy would ring it
    twice, so it is dropped, and the device's health says a scan was lost."""
    device = LaneDevice.objects.create(lane=lane, kind=DeviceKind.SCANNER,
                                       protocol="serial_scanner", port="/dev/null")  # fmt: skip
    worker = DeviceWorker(DeviceConfig.of(device))
    attempts: list[float] = []

    def away(lane_number: int, code: str, read_at: float | None = None,
             scan_id: str | None = None) -> None:  # fmt: skip
        attempts.append(time.monotonic())
        raise redis.ConnectionError("Connection refused")

    monkeypatch.setattr(gateway, "publish_scan", away)
    monkeypatch.setattr(gateway, "SCAN_FRESH_SECONDS", 1.0)
    started = time.monotonic()
    worker._relay_scan("4006381333931", time.time())
    assert 0.5 < time.monotonic() - started <= 1.6  # tried through the window, not long past it
    assert len(attempts) >= 3  # retried while it was still fresh
    assert "a scan was lost" in worker.health.last_error
    assert worker.health.errors == 1


def rcn(prefix_item: str, value: str) -> str:
    body = prefix_item + str(gs1_price_weight_check_digit(value)) + value
    return body + str(gs1_standard_check_digit(body))


@pytest.fixture
def labelled_cheese(catalog: None, settings) -> str:  # type: ignore[no-untyped-def]
    settings.STORE_COUNTRY = "de"
    from store_edge.catalog.models import TaxClass

    cheese = Product.objects.create(
        sku="300001",
        name="Gouda by the piece",
        price=Decimal("12.90"),
        unit="kg",
        tax_class=TaxClass.objects.get(code="RED"),
    )
    base = rcn("221234", "00000")  # the item's code with its price zeroed, as HQ publishes it
    Barcode.objects.create(gtin=base.zfill(14), code=base, product=cheese)
    yield rcn("221234", "00349")  # a label printed at the deli counter: 3.49


def test_a_price_printed_in_the_barcode_wins(lane_api: LaneClient, labelled_cheese: str) -> None:
    basket_id = lane_api.new_basket()
    status, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": labelled_cheese})
    assert status == 200, basket
    assert (basket["lines"][0]["amount"], basket["total"]) == ("3.49", "3.49")


def test_the_country_hq_publishes_reads_the_label(  # type: ignore[no-untyped-def]
    lane_api: LaneClient, labelled_cheese: str, settings
) -> None:
    # The store box has no STORE_COUNTRY; HQ placed the store in Germany (a new profile is a
    # new applied_at: the config in force is read again).
    settings.STORE_COUNTRY = ""
    ConfigState.objects.filter(id=1).update(country="de", applied_at=timezone.now())
    basket_id = lane_api.new_basket()
    status, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": labelled_cheese})
    assert status == 200, basket
    assert basket["total"] == "3.49"


def test_a_count_label_rings_its_pieces(lane_api: LaneClient, staff: None, settings) -> None:  # type: ignore[no-untyped-def]
    """A pack of loose rolls labelled in store with its count (GS1 Germany's prefix 25)."""
    settings.STORE_COUNTRY = "de"
    from store_edge.catalog.models import TaxClass

    reduced = TaxClass.objects.get(code="RED")
    rolls = Product.objects.create(sku="300002", name="Bread roll", price=Decimal("0.45"),
                                   unit="piece", tax_class=reduced)  # fmt: skip
    base = rcn("251234", "00000")
    Barcode.objects.create(gtin=base.zfill(14), code=base, product=rolls)
    basket_id = lane_api.new_basket()
    label = rcn("251234", "00006")
    status, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": label})
    assert status == 200, basket
    assert (basket["lines"][0]["quantity"], basket["total"]) == ("6.000", "2.70")
    status, answer = lane_api.post(f"/baskets/{basket_id}/items",
                                   {"code": label, "quantity": 2})  # fmt: skip
    assert (status, "the label gives the count (6)" in answer["detail"]) == (422, True)
    assert BasketLine.objects.filter(basket_id=basket_id).count() == 1
    # Brought back without its receipt: the pack's count comes back, not one piece.
    back = {"code": label, "quantity": 1, "supervisor": "77", "pin": "4321"}
    status, answer = lane_api.post("/returns/without-receipt", back)
    assert (status, "the label gives the count (6)" in answer["detail"]) == (422, True)
    status, refund = lane_api.post("/returns/without-receipt", {**back, "quantity": 6})
    assert (status, refund["total"]) == (201, "-2.70")


def test_a_store_label_that_rings_nothing_says_what_to_check(  # type: ignore[no-untyped-def]
    lane_api: LaneClient, labelled_cheese: str, settings
) -> None:
    basket_id = lane_api.new_basket()
    # The store's country is not set: the label's layout is unknown, and the answer says so.
    settings.STORE_COUNTRY = ""
    status, answer = lane_api.post(f"/baskets/{basket_id}/items", {"code": labelled_cheese})
    assert status == 404, answer
    assert "price or weight label printed in store" in answer["detail"]
    assert "set its country at HQ (register_store --country) or STORE_COUNTRY" in answer["detail"]
    # Set, but no product carries the label's item code.
    settings.STORE_COUNTRY = "de"
    status, answer = lane_api.post(f"/baskets/{basket_id}/items", {"code": rcn("229999", "00349")})
    assert status == 404, answer
    assert "read with DE's layout: no product carries its item code" in answer["detail"]
    # HQ places the store in France, whose GS1 organisation publishes no layout we read:
    # the label is not read as Germany's, and the answer says why.
    from django.utils import timezone

    from store_edge.catalog.models import ConfigState

    ConfigState.objects.update(country="fr", applied_at=timezone.now())
    status, answer = lane_api.post(f"/baskets/{basket_id}/items", {"code": labelled_cheese})
    assert status == 404, answer
    assert "country FR has no GS1 label layout" in answer["detail"]
    # A code of another kind that rings nothing gets the plain answer.
    status, answer = lane_api.post(f"/baskets/{basket_id}/items", {"code": "4000000000013"})
    assert (status, answer["detail"]) == (404, "No product with code 4000000000013")
    assert BasketLine.objects.filter(basket_id=basket_id).count() == 0


def test_the_store_country_is_checked_at_start(settings) -> None:  # type: ignore[no-untyped-def]
    from store_edge.baskets.checks import store_country

    for country in ("", "de", "se", "gb"):
        settings.STORE_COUNTRY = country
        assert store_country() == [], country
    settings.STORE_COUNTRY = "fr"  # GS1 France publishes no layout for store labels
    (warning,) = store_country()
    assert warning.id == "baskets.W001" and "'fr'" in warning.msg and "de, dk" in warning.hint


def test_an_expired_item_is_refused(lane_api: LaneClient) -> None:
    yesterday = (timezone.localdate() - timedelta(days=1)).strftime("%y%m%d")
    code = "]C1" + "01" + "04006381333931".zfill(14) + "17" + yesterday
    basket_id = lane_api.new_basket()
    status, answer = lane_api.post(f"/baskets/{basket_id}/items", {"code": code})
    assert status == 422
    assert "expired on" in answer["detail"]
    assert BasketLine.objects.count() == 0


def test_the_admin_shows_each_devices_health(lane_api: LaneClient, scale: ScaleSimulator,
                                             admin_client: object) -> None:  # fmt: skip
    scale.state.weight = Decimal("0.100")
    wait_until(lambda: any(h["connected"] for h in peripherals.device_health().values()))
    page = admin_client.get("/admin/peripherals/lanedevice/").content.decode()  # type: ignore[attr-defined]
    assert "sics" in page and str(scale.path) in page
    assert 'alt="True"' in page  # connected
