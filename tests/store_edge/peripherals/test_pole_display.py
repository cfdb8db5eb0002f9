"""A lane's pole display: the gateway's own worker (real Redis, the display simulated on a
pty) shows what the lane's requests give it — a welcome, each line as it is scanned with
the total, what is paid and what is left, the change and a thank-you, then the welcome
again; a display unplugged and plugged back shows the current screen; a lane without one,
or a Redis that is away, costs a scan nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from devices.displays.simulator import PoleDisplaySimulator
from store_edge.lanes.models import Lane
from store_edge.peripherals import pole
from store_edge.peripherals import relay as peripherals
from store_edge.peripherals.gateway import DeviceWorker
from tests.store_edge.conftest import (
    BANANAS,
    BREAD,
    WATER,
    LaneClient,
    _device_worker,
    _stopped,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

WELCOME = ["      Welcome       ", "     Test store     "]


@pytest.fixture
def display(relay: None, lane: Lane, tmp_path: Path) -> Iterator[PoleDisplaySimulator]:
    simulator = PoleDisplaySimulator(tmp_path / "display0")
    pole.forget_poles()
    worker = _device_worker(lane, "display", "escpos_display", str(simulator.path))
    simulator.worker = worker  # type: ignore[attr-defined]
    yield simulator
    _stopped(worker)
    simulator.close()
    peripherals.relay().delete(pole.pole_key(1), pole.pole_wake_key(1))
    pole.forget_poles()


def shows(display: PoleDisplaySimulator, top: str, bottom: str) -> None:
    try:
        wait_until(lambda: display.lines == [top, bottom], timeout=5)
    except AssertionError:
        raise AssertionError(f"the display shows {display.lines}, not {[top, bottom]}") from None


def test_the_customer_follows_the_sale_on_the_pole_display(
    lane_api: LaneClient, display: PoleDisplaySimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    shows(display, *WELCOME)
    basket_id = lane_api.new_basket()
    assert display.lines == WELCOME
    lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    shows(display, "Sparkling water 0.79", "Total           0.79")
    lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD, "quantity": 2})
    shows(display, "2 x Wholegrain  4.98", "Total           5.77")
    lane_api.post(f"/baskets/{basket_id}/items", {"code": BANANAS, "weight_kg": "1.250"})
    shows(display, "1.250 kg Banana 2.49", "Total           8.26")
    lane_api.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "5.00"})
    shows(display, "Paid            5.00", "To pay          3.26")
    monkeypatch.setattr(pole, "THANKS_SECONDS", 1)
    lane_api.post(f"/baskets/{basket_id}/payments", {"method": "cash", "amount": "5.00"})
    status, sale = lane_api.post(f"/baskets/{basket_id}/complete")
    assert status == 201
    shows(display, "Change          1.74", "     Thank you      ")
    shows(display, *WELCOME)  # a second later: the next customer is welcome


def test_a_voided_last_line_shows_the_welcome_and_a_card_sale_its_total(
    lane_api: LaneClient, display: PoleDisplaySimulator
) -> None:
    basket_id = lane_api.new_basket()
    _, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    shows(display, "Sparkling water 0.79", "Total           0.79")
    lane_api.delete(f"/baskets/{basket_id}/items/{basket['lines'][0]['id']}")
    shows(display, *WELCOME)
    lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD})
    lane_api.post(f"/baskets/{basket_id}/payments", {"method": "card", "amount": "2.49",
                  "terminal_reference": "T-9", "card_last4": "4242"})  # fmt: skip
    status, _ = lane_api.post(f"/baskets/{basket_id}/complete")
    assert status == 201
    shows(display, "Total           2.49", "     Thank you      ")


def test_a_display_plugged_back_in_shows_the_screen_of_now(
    lane_api: LaneClient, display: PoleDisplaySimulator
) -> None:
    worker: DeviceWorker = display.worker  # type: ignore[attr-defined]
    shows(display, *WELCOME)
    display.unplug()
    basket_id = lane_api.new_basket()
    status, _ = lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    assert status == 200  # the sale goes on without the display
    wait_until(lambda: not worker.health.connected and worker.health.errors > 0)
    display.screen.initialise()  # a display powered up again is blank
    display.plug()
    shows(display, "Sparkling water 0.79", "Total           0.79")
    assert worker.health.connected and worker.health.last_error == ""


def test_a_lane_without_a_display_or_with_redis_away_scans_as_before(
    lane_api: LaneClient,
    relay: None,
    lane: Lane,
    settings,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    pole.forget_poles()
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    assert peripherals.relay().get(pole.pole_key(1)) is None  # no display: nothing written
    call_command("add_lane_device", lane=1, kind="display", protocol="escpos_display",
                 port=str(tmp_path / "display0"))  # fmt: skip
    pole.forget_poles()
    working, settings.REDIS_URL = settings.REDIS_URL, "redis://127.0.0.1:1/0"  # nobody there
    peripherals.forget_clients()
    started = time.monotonic()
    status, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    assert status == 200 and basket["total"] == "1.58"
    assert time.monotonic() - started < 1.0  # the screen is skipped, the scan is not held
    settings.REDIS_URL = working
    peripherals.forget_clients()
    pole.forget_poles()


def test_a_display_is_attached_with_its_own_protocol_only(lane: Lane) -> None:
    with pytest.raises(CommandError, match="does not speak escpos"):
        call_command("add_lane_device", lane=1, kind="display", protocol="escpos",
                     port="/dev/ttyUSB1")  # fmt: skip
    for port in ("10.0.0.7:9100", "ttyUSB1", "COM3"):
        with pytest.raises(CommandError, match="its serial port"):
            call_command("add_lane_device", lane=1, kind="display", protocol="escpos_display",
                         port=port)  # fmt: skip
    call_command("add_lane_device", lane=1, kind="display", protocol="escpos_display",
                 port="/dev/ttyUSB1")  # fmt: skip
