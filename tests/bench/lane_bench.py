"""The lane page in headless Chromium with a 200k-product catalogue: how long its first load
takes until a cashier can scan, and how long from a scan's Enter to the line on screen.

Both figures are measured by the page itself (performance.now(): from the navigation's
start to the page being ready; from the scanner's Enter to the frame after the basket is
drawn), over a real gunicorn store with its SQLite database and Redis."""

from __future__ import annotations

import json
import os
import random
import statistics
from pathlib import Path
from typing import TYPE_CHECKING

from deploy.local.redis_server import redis_for
from tests.bench.stats import percentile
from tests.lane_browser import Lane, chromium, wait_true
from tests.processes import base_env, manage

if TYPE_CHECKING:
    from tests.bench.__main__ import Store

PRODUCTS = 200_000
LOADS = 7
SCANS = 60


def lane_figures(tmp: Path, store_class: type[Store]) -> dict[str, float]:
    catalogue = tmp / "catalogue-200k.json"
    manage("cloud_hq.settings", "generate_demo_catalog", "--products", str(PRODUCTS), "--out",
           str(catalogue), env=base_env(VAR_DIR=str(tmp)))  # fmt: skip
    store = store_class(tmp, catalogue, "lane", baskets="0", lanes="1")
    redis_url, redis_process = redis_for(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), data_dir=tmp / "redis"
    )
    store.env.update(REDIS_URL=redis_url, REDIS_KEY_PREFIX=f"bench_{tmp.name}")
    token = manage("store_edge.settings", "issue_lane_token", "--lane", "1", env=store.env).strip()
    manage("store_edge.settings", "create_staff", "--code", "12", "--name", "Bench Cashier",
           "--role", "cashier", env={**store.env, "STAFF_PIN": "1234"})  # fmt: skip
    document = json.loads(catalogue.read_text())
    codes = [p["barcodes"][0] for p in document["products"] if p["barcodes"]]
    del document
    service = store.serve()
    try:
        with chromium() as browser:
            loads = []
            for _ in range(LOADS):
                lane = Lane(browser, f"http://127.0.0.1:{store.port}", tmp)
                lane.set_up(token)
                lane.sign_in("12", "1234")  # the sign-in lands on the lane page: its first load
                lane.ready()
                loads.append(float(lane.page.evaluate("window.posMetrics.ready")))
                lane.open_shift_if_asked()
                if len(loads) < LOADS:
                    lane.close()
            rng = random.Random(11)  # noqa: S311
            for count, code in enumerate(rng.sample(codes, SCANS), start=1):
                lane.wedge(code)
                wait_true(lane.page, f"window.posMetrics.scans.length === {count}")
            scans = [float(s["ms"]) for s in lane.page.evaluate("window.posMetrics.scans")]
            if lane.errors:
                raise SystemExit(f"the lane page failed: {lane.errors}")
    finally:
        service.stop()
        if redis_process is not None:
            redis_process.kill()
            redis_process.wait()
    print(f"  first loads (ms): {[round(x) for x in loads]}", flush=True)
    p95 = percentile(scans, 95)
    print(f"  scan to display (ms): median {statistics.median(scans):.1f}, p95 {p95:.1f}, "
          f"max {max(scans):.1f}", flush=True)  # fmt: skip
    return {"load_ms": statistics.median(loads), "scan_ms": statistics.median(scans)}
