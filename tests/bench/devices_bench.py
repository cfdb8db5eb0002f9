"""The devices that close a sale, timed end to end over a real gunicorn store, Redis and the
device gateway (manage.py run_devices), with the printer and the ZVT terminal simulators on
TCP ports of this machine:

- receipt_print_ms: from the lane asking to complete a cash sale to the last byte of its
  receipt (the drawer kick after the cut) at the printer;
- card_payment_overhead_ms: the till's own time around a card payment, on a terminal that
  answers at once: the lane's POST /payments wall time, less the terminal's own time from
  being asked for the amount to its completion being acknowledged.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from deploy.local.redis_server import redis_for
from devices.printers.simulator import PrinterSimulator
from devices.terminals.simulator import ZvtSimulator
from tests.bench.stats import percentile
from tests.processes import ROOT, Service, manage

if TYPE_CHECKING:
    from tests.bench.__main__ import Store

SALES = 30
WATER = "4000001000005"


def _ready(client: httpx.Client, kinds: set[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        devices = client.get("/api/v1/lane/peripherals").json()["devices"]
        if {d["kind"] for d in devices if d["connected"]} >= kinds:
            return
        time.sleep(0.2)
    raise SystemExit(f"the gateway did not connect the lane's {sorted(kinds)}")


def _basket(client: httpx.Client, code: str) -> dict[str, Any]:
    basket = client.post("/api/v1/baskets").json()
    answer = client.post(f"/api/v1/baskets/{basket['id']}/items", json={"code": code})
    if answer.status_code != 200:
        raise SystemExit(f"scan refused: {answer.text}")
    return dict(answer.json())


def device_figures(tmp: Path, catalogue: Path, store_class: type[Store]) -> dict[str, float]:
    store = store_class(tmp, catalogue, "devices", baskets="0", lanes="1")
    redis_url, redis_process = redis_for(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), data_dir=tmp / "redis-devices"
    )
    store.env.update(REDIS_URL=redis_url, REDIS_KEY_PREFIX=f"bench_devices_{tmp.name}")
    token = manage("store_edge.settings", "issue_lane_token", "--lane", "1", env=store.env).strip()
    printer, terminal = PrinterSimulator(), ZvtSimulator()
    for kind, protocol, port in (("printer", "escpos", printer.address),
                                 ("terminal", "zvt", terminal.address)):  # fmt: skip
        manage("store_edge.settings", "add_lane_device", "--lane", "1", "--kind", kind,
               "--protocol", protocol, "--port", port, env=store.env)  # fmt: skip
    web = store.serve()
    gateway = Service("gateway", [sys.executable, str(ROOT / "manage.py"), "run_devices"],
                      store.env, store.dir / "gateway.log").start()  # fmt: skip
    prints: list[float] = []
    overheads: list[float] = []
    terminal_ms: list[float] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{store.port}", timeout=30,
                          headers={"Authorization": f"Bearer {token}"}) as client:  # fmt: skip
            _ready(client, {"printer", "terminal"})
            for index in range(SALES + 2):  # the first two warm the workers
                basket = _basket(client, WATER)
                cash = {"method": "cash", "amount": basket["cash_due"]}
                paid = client.post(f"/api/v1/baskets/{basket['id']}/payments", json=cash)
                if paid.status_code != 200:
                    raise SystemExit(f"cash refused: {paid.text}")
                asked = time.time()
                done = client.post(f"/api/v1/baskets/{basket['id']}/complete")
                if done.status_code != 201 or done.json()["receipt_printer"] != "queued":
                    raise SystemExit(f"completion: {done.status_code} {done.text}")
                kicks = index + 1
                deadline = time.monotonic() + 10
                while printer.decoder.drawer_kicks < kicks and time.monotonic() < deadline:
                    time.sleep(0.002)
                if printer.decoder.drawer_kicks < kicks or printer.print_byte_at is None:
                    raise SystemExit("the receipt did not reach the printer")
                if index >= 2:
                    prints.append((printer.print_byte_at - asked) * 1000)
            printed = len(printer.receipts)
            for index in range(SALES + 2):
                basket = _basket(client, WATER)
                started = time.time()
                card = {"method": "card", "amount": basket["amount_due"]}
                paid = client.post(f"/api/v1/baskets/{basket['id']}/payments", json=card)
                wall = (time.time() - started) * 1000
                if paid.status_code != 200:
                    raise SystemExit(f"card payment: {paid.status_code} {paid.text}")
                charge = terminal.charges[-1]
                if not charge.told_at:
                    raise SystemExit("the terminal never sent its completion")
                own = (charge.told_at - charge.asked_at) * 1000
                if index >= 2:
                    overheads.append(wall - own)
                    terminal_ms.append(own)
                done = client.post(f"/api/v1/baskets/{basket['id']}/complete")
                if done.status_code != 201:
                    raise SystemExit(f"completion: {done.status_code} {done.text}")
                printer.wait_receipts(printed + index + 1, timeout=10)
    finally:
        gateway.stop()
        web.stop()
        printer.close()
        terminal.close()
        if redis_process is not None:
            redis_process.kill()
            redis_process.wait()
    if len(terminal.approved()) != SALES + 2:
        raise SystemExit(f"{len(terminal.approved())} cards charged for {SALES + 2} payments")
    print(f"  receipt printed (ms): median {statistics.median(prints):.1f}, "
          f"p95 {percentile(prints, 95):.1f}, max {max(prints):.1f}", flush=True)  # fmt: skip
    print(f"  card payment, the till's own time (ms): median {statistics.median(overheads):.1f}, "
          f"p95 {percentile(overheads, 95):.1f}; the terminal's: median "
          f"{statistics.median(terminal_ms):.1f}", flush=True)  # fmt: skip
    return {"print_ms": statistics.median(prints), "overhead_ms": statistics.median(overheads)}
