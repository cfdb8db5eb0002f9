"""The device gateway as a process on simulated devices: the lane API takes a weighed item's
weight from the scale and refuses a moving one."""

import time
from decimal import Decimal

import httpx
import pytest

from devices.simulators import ScaleSimulator
from tests.processes import System

pytestmark = pytest.mark.e2e


def add_bananas(lane: httpx.Client) -> httpx.Response:
    basket = lane.post("/baskets").json()
    return lane.post(f"/baskets/{basket['id']}/items", json={"code": "4011"})


def test_a_weighed_item_takes_the_simulated_scales_weight(system: System) -> None:
    system.start("hq")
    system.store_manage("sync_now", "--pull-only")
    scale = ScaleSimulator(system.tmp / "ttyScale1", "toledo8217")
    scale.state.weight = Decimal("0.512")
    try:
        system.store_manage("add_lane_device", "--lane", "1", "--kind", "scale",
                            "--protocol", "toledo8217", "--port", str(scale.path))  # fmt: skip
        system.start("store")
        system.start("gateway")
        with system.lane() as lane:
            deadline = time.monotonic() + 20
            answer = add_bananas(lane)
            while answer.status_code != 200 and time.monotonic() < deadline:
                time.sleep(0.2)
                answer = add_bananas(lane)
            assert answer.status_code == 200, answer.text
            line = answer.json()["lines"][0]
            assert (line["sku"], line["weight_kg"]) == ("4011", "0.512")
            scale.state.motion = True
            time.sleep(1.0)
            refused = add_bananas(lane)
            assert refused.status_code == 422
            assert "moving" in refused.json()["detail"]
    finally:
        scale.close()
