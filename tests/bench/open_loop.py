"""Scan and sale latency with 20 lanes at the rate a busy store rings: open loop.

Each lane scans twice a second and completes a sale every 20 s (it pays the amount due in
cash, then completes; the next scans go to the lane's next basket). Requests leave on their
schedule whether or not earlier ones have answered, and a scan's latency counts from when
it was due, not from when it left: a store that stalls is charged for every scan that
waited behind the stall (no coordinated omission). The driver's own lateness is reported,
and the run refused when the driver, not the store, fell behind.

The saturated figures are the scan and sale benchmarks' own (wrk, as fast as the store
answers); `make bench` prints their p99 beside these.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench.stats import percentile

LANES = 20
SCAN_INTERVAL_S = 0.5
SALE_INTERVAL_S = 20.0
RUN_S = 40.0
WARM_UP_S = 4.0
# The driver is late when it sends a request more than this after it was due. The run is
# refused when its p99 lateness passes DRIVER_BEHIND_P99_MS: lateness only ever adds to the
# figures (they count from when a request was due), but past that the driver, sharing the
# box's two cores with the store, would be what is measured.
DRIVER_LATE_MS = 5.0
DRIVER_BEHIND_P99_MS = 10.0


@dataclass(frozen=True, slots=True)
class Event:
    due: float  # seconds after the start
    kind: str  # "scan" or "sale"
    basket: int  # the lane's basket, counted from 0


def lane_schedule(lane: int, *, lanes: int = LANES, seconds: float = RUN_S,
                  scan_interval: float = SCAN_INTERVAL_S,
                  sale_interval: float = SALE_INTERVAL_S) -> list[Event]:  # fmt: skip
    """The events of one lane: scans every `scan_interval`, a sale every `sale_interval`.

    Lanes are staggered over the intervals, as real lanes are: they do not all scan in the
    same millisecond, nor all pay in the same second."""
    if not 0 <= lane < lanes:
        raise ValueError(f"lane {lane} is not one of {lanes}")
    scan_offset = scan_interval * lane / lanes
    sales: list[float] = []
    if math.isfinite(sale_interval):  # an infinite interval: scans only (a warm-up)
        sale_offset = sale_interval * (lane + 1) / lanes
        count = math.ceil(seconds / sale_interval)
        sales = [t for k in range(count) if (t := sale_offset + k * sale_interval) < seconds]
    events = [Event(t, "sale", k) for k, t in enumerate(sales)]
    step = 0
    while (due := scan_offset + step * scan_interval) < seconds:
        basket = sum(1 for t in sales if t <= due)
        events.append(Event(due, "scan", basket))
        step += 1
    return sorted(events, key=lambda e: (e.due, e.kind != "sale"))


def baskets_needed(*, seconds: float = RUN_S, sale_interval: float = SALE_INTERVAL_S) -> int:
    """Baskets a lane works through in a run: one per sale, and the one left open."""
    return math.ceil(seconds / sale_interval) + 1


@dataclass
class Tally:
    """Latencies by kind (ms) and how late the driver sent each request (ms)."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    lateness: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(self, kind: str, *, due: float, sent: float, answered: float) -> None:
        self.latencies.setdefault(kind, []).append((answered - due) * 1000)
        self.lateness.append(max(sent - due, 0.0) * 1000)

    def late_share(self) -> float:
        """The share of requests the driver sent more than DRIVER_LATE_MS after they were due."""
        if not self.lateness:
            return 0.0
        return sum(1 for late in self.lateness if late > DRIVER_LATE_MS) / len(self.lateness)

    def summary(self, elapsed: float) -> dict[str, float]:
        out = {
            "requests_per_s": sum(map(len, self.latencies.values())) / elapsed,
            "driver_late_share": self.late_share(),
            "driver_lateness_p99_ms": percentile(self.lateness, 99) if self.lateness else 0.0,
        }
        for kind, values in sorted(self.latencies.items()):
            out[f"{kind}_p50_ms"] = percentile(values, 50)
            out[f"{kind}_p99_ms"] = percentile(values, 99)
            out[f"{kind}_count"] = float(len(values))
        return out


@dataclass
class Lane:
    token: str
    baskets: list[str]
    pending: dict[int, list[asyncio.Task[None]]] = field(default_factory=dict)


class Driver:
    """Runs the lanes' schedules against a store at `base`."""

    def __init__(self, port: int, lanes: list[Lane], codes: list[str], *, seed: int = 11) -> None:
        self.host, self.port = "127.0.0.1", port
        self.lanes = lanes
        self.codes = codes
        self.rng = random.Random(seed)  # noqa: S311 - which product is scanned
        self.tally = Tally()
        self.measuring = False

    async def _request(self, lane: Lane, method: str, path: str,
                       body: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
        """One HTTP/1.1 request on a connection of its own (gunicorn's sync workers close
        each one), written by hand: an HTTP client library costs a few milliseconds a
        request on a small box, which would be counted as the store's."""
        payload = b"" if body is None else json.dumps(body).encode()
        head = (f"{method} /api/v1/{path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Authorization: Bearer {lane.token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n")  # fmt: skip
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(head.encode() + payload)
            answer = await reader.read()
        finally:
            writer.close()
        status, text = http_answer(answer)
        if status not in (200, 201):  # a completed sale is created: 201
            self.tally.failures.append(f"{method} {path}: {status} {text[:200]}")
            return {}
        result: dict[str, Any] = json.loads(text)
        return result

    async def scan(self, lane: Lane, event: Event, start: float) -> None:
        due = start + event.due
        sent = time.monotonic()
        path = f"baskets/{lane.baskets[event.basket]}/items"
        await self._request(lane, "POST", path, {"code": self.rng.choice(self.codes)})
        if self.measuring:
            self.tally.add("scan", due=due, sent=sent, answered=time.monotonic())

    async def sale(self, lane: Lane, event: Event) -> None:
        """Pay what is due in cash once the basket's scans have answered, then complete."""
        await asyncio.gather(*lane.pending.pop(event.basket, []))
        basket = lane.baskets[event.basket]
        due_amount = (await self._request(lane, "GET", f"baskets/{basket}")).get("amount_due")
        if due_amount not in (None, "0.00"):
            await self._request(lane, "POST", f"baskets/{basket}/payments",
                                {"method": "cash", "amount": due_amount})  # fmt: skip
        sent = time.monotonic()
        await self._request(lane, "POST", f"baskets/{basket}/complete")
        if self.measuring:
            # A sale's figure is its completion, from when it was sent: what the cashier
            # waits for after the last tender.
            self.tally.add("sale", due=sent, sent=sent, answered=time.monotonic())

    async def run(self, seconds: float, *, measuring: bool,
                  sale_interval: float = SALE_INTERVAL_S) -> float:  # fmt: skip
        """Every lane's schedule, open loop; returns the seconds it took."""
        self.measuring = measuring
        for lane in self.lanes:
            lane.pending.clear()  # an earlier run's scans have all answered
        start = time.monotonic() + 0.2
        await asyncio.gather(*(self._lane(n, lane, start, seconds, sale_interval)
                               for n, lane in enumerate(self.lanes)))  # fmt: skip
        return time.monotonic() - start

    async def _lane(self, number: int, lane: Lane, start: float, seconds: float,
                    sale_interval: float) -> None:  # fmt: skip
        running: list[asyncio.Task[None]] = []
        for event in lane_schedule(number, lanes=len(self.lanes), seconds=seconds,
                                   sale_interval=sale_interval):  # fmt: skip
            await asyncio.sleep(max(start + event.due - time.monotonic(), 0))
            if event.kind == "scan":
                task = asyncio.create_task(self.scan(lane, event, start))
                lane.pending.setdefault(event.basket, []).append(task)
            else:
                task = asyncio.create_task(self.sale(lane, event))
            running.append(task)
        await asyncio.gather(*running)


def http_answer(raw: bytes) -> tuple[int, str]:
    """The status and body of an HTTP/1.1 answer read to its end (not chunked)."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    parts = head.split(b" ", 2)
    if (
        not separator
        or len(parts) < 2
        or not parts[0].startswith(b"HTTP/1.")
        or not parts[1].isdigit()
    ):
        raise ValueError(f"not an HTTP answer: {raw[:80]!r}")
    return int(parts[1]), body.decode("utf-8", errors="replace")


def lanes_of(work_file: Path) -> list[Lane]:
    """The lanes of a store fixture's work list, each with its baskets in order."""
    by_token: dict[str, list[str]] = {}
    for item in json.loads(work_file.read_text()):
        by_token.setdefault(item["token"], []).append(item["basket"])
    return [Lane(token, baskets) for token, baskets in by_token.items()]


def open_loop_figures(tmp: Path, catalogue: Path, store_class: Any) -> dict[str, float]:
    """Run the open-loop mix against a store under gunicorn."""
    document = json.loads(catalogue.read_text())
    codes = [
        p["barcodes"][0] for p in document["products"] if p["barcodes"] and p["unit"] == "each"
    ]
    # The store of the same fixture, the same lanes and the same catalogue as the scan figure.
    store = store_class(tmp, catalogue, "open-loop", baskets=str(LANES * baskets_needed()),
                        lanes=str(LANES))  # fmt: skip
    service = store.serve()
    try:
        driver = Driver(store.port, lanes_of(store.dir / "work.json"), codes)
        # Scans only while warming up, into each lane's first basket.
        asyncio.run(driver.run(WARM_UP_S, measuring=False, sale_interval=math.inf))
        elapsed = asyncio.run(driver.run(RUN_S, measuring=True))
    finally:
        service.stop()
    if driver.tally.failures:
        raise SystemExit(f"{len(driver.tally.failures)} failed requests, e.g. "
                         f"{driver.tally.failures[:3]}")  # fmt: skip
    measured = driver.tally.summary(elapsed)
    print("  " + ", ".join(f"{k} {v:.3f}" for k, v in measured.items()), flush=True)
    if measured["driver_lateness_p99_ms"] > DRIVER_BEHIND_P99_MS:
        raise SystemExit("the driver fell behind its schedule: the figures would be the "
                         "driver's, not the store's")  # fmt: skip
    return measured
