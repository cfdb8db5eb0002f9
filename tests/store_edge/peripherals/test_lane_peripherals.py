"""What the lane's devices report to the page."""

import time
from decimal import Decimal

from devices.scales import Reading, ScaleStatus
from store_edge.peripherals import relay as peripherals
from store_edge.staff.services import (
    PinGivenAt,
)
from tests.store_edge.conftest import WATER, LaneClient

AT = PinGivenAt(lane_id=None, address="192.0.2.7")


def test_the_page_reads_the_lanes_scans_and_scale_reading(lane_api: LaneClient,
                                                          relay: None) -> None:  # fmt: skip
    status, quiet = lane_api.get("/lane/peripherals")
    assert (status, quiet["scans"], quiet["scale"], quiet["gateway"]) == (200, [], None, True)
    peripherals.publish_scan(1, WATER)
    peripherals.publish_reading(1, Reading(Decimal("0.512"), "kg", True, ScaleStatus.OK, 1.0))
    _, seen = lane_api.get("/lane/peripherals?since=0")
    assert [s["code"] for s in seen["scans"]] == [WATER]
    assert (seen["scale"]["weight"], seen["scale"]["stable"]) == ("0.512", True)
    _, later = lane_api.get(f"/lane/peripherals?since={seen['scans'][0]['at']}")
    assert later["scans"] == []
    assert lane_api.get("/lane/peripherals?since=yesterday")[0] == 422


def test_the_page_is_told_when_the_device_relay_is_away(lane_api: LaneClient, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    peripherals.forget_clients()
    try:
        started = time.monotonic()
        status, answer = lane_api.get("/lane/peripherals")
        assert (status, answer["gateway"], answer["scans"]) == (200, False, [])
        assert time.monotonic() - started < 2
    finally:
        peripherals.forget_clients()
    assert Decimal(answer["now"]) > 0
