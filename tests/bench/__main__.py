"""`make bench`: measure the product against ceilings taken in the same run, on this machine.

Writes var/bench/results.json as {"name": {"value", "unit", "ceiling", "ratio"}}.
Needs `wrk` (Debian package) for the HTTP figures and Debian's `chromium` for the lane page's.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from deploy.local.redis_server import free_port
from tests.bench.raw_sqlite import raw_sales_per_second
from tests.processes import ROOT, Service, base_env, gunicorn, manage, wait_http

RESULTS = ROOT / "var" / "bench" / "results.json"
LUA = Path(__file__).with_name("work.lua")
WRK_THREADS = 2
LANES = 20
PREPARED_SALES = 8000


def wrk(url: str, work_file: Path, *, mode: str, seconds: int) -> dict[str, float]:
    """Drive `url` with wrk (20 connections, like 20 lanes) and return rate and latencies."""
    result = subprocess.run(
        ["wrk", "-t", str(WRK_THREADS), "-c", str(LANES), "-d", f"{seconds}s", "--latency",
         "-s", str(LUA), url],
        env={**os.environ, "WORK_FILE": str(work_file), "WORK_MODE": mode,
             "WORK_STRIDE": str(WRK_THREADS)},
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    )  # fmt: skip
    out = result.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)

    def percentile(p: str) -> float:
        found = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
        assert found, out
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {
        "rate": rate,
        "errors": float(errors.group(1)) if errors else 0.0,
        "socket_errors": 1.0 if socket_errors else 0.0,
        "p50_ms": percentile("50"),
        "p99_ms": percentile("99"),
    }


def figure(value: float, unit: str, ceiling: float) -> dict[str, float | str]:
    return {"value": round(value, 3), "unit": unit, "ceiling": round(ceiling, 3),
            "ratio": round(value / ceiling, 4) if ceiling else 0.0}  # fmt: skip


class Store:
    """A store database prepared for one benchmark, served by gunicorn."""

    def __init__(self, tmp: Path, catalogue: Path, name: str, **fixture: str) -> None:
        self.dir = tmp / name
        self.dir.mkdir()
        self.env = base_env(DATABASE_URL=f"sqlite:///{self.dir / 'store.sqlite3'}",
                            VAR_DIR=str(self.dir), DJANGO_SETTINGS_MODULE="store_edge.settings",
                            LOG_LEVEL="ERROR")  # fmt: skip
        out = self.dir / "work.json"
        argv = [sys.executable, "-m", "tests.bench.store_fixture", str(catalogue), str(out)]
        for key, value in fixture.items():
            argv += [f"--{key}"] + ([] if value == "" else [value])
        subprocess.run(argv, env=self.env, cwd=ROOT, check=True, timeout=900)
        self.work_file = self.dir / "work.txt"
        self.work_file.write_text(
            "".join(
                f"{w['token']} {w['basket']} {w['code']}\n" for w in json.loads(out.read_text())
            )
        )

    def serve(self, settings: str = "store_edge.settings") -> Service:
        self.port = free_port()
        env = {**self.env, "DJANGO_SETTINGS_MODULE": settings}
        log = self.dir / f"web-{settings}.log"
        service = Service(settings, gunicorn("store_edge", self.port), env, log)
        service.start()
        wait_http(f"http://127.0.0.1:{self.port}/health", service=service)
        return service

    def summary(self) -> dict[str, object]:
        summary: dict[str, object] = json.loads(
            manage("store_edge.settings", "ledger_summary", env=self.env)
        )
        return summary


SCAN_ROUNDS = 4
SCAN_ROUND_SECONDS = 3


def bench_scan(tmp: Path, catalogue: Path) -> dict[str, dict[str, float | str]]:
    """Scans per second against the ceiling (the same store, middleware and workers, one plain
    JSON view): both served at once and driven in turn, a few seconds each, so that the
    machine's speed drifting during the run weighs on both figures alike."""
    store = Store(tmp, catalogue, "scan", baskets="4000", lanes=str(LANES))
    servers: dict[str, tuple[Service, int]] = {}
    runs: dict[str, list[dict[str, float]]] = {"ceiling": [], "scan": []}
    try:
        for label, settings in (("ceiling", "tests.bench.plain_settings"),
                                ("scan", "store_edge.settings")):  # fmt: skip
            servers[label] = (store.serve(settings), store.port)
            wrk(f"http://127.0.0.1:{store.port}", store.work_file, mode="scan", seconds=2)  # warm
        for _ in range(SCAN_ROUNDS):
            for label, (_, port) in servers.items():
                run = wrk(f"http://127.0.0.1:{port}", store.work_file, mode="scan",
                          seconds=SCAN_ROUND_SECONDS)  # fmt: skip
                if run["errors"]:
                    raise SystemExit(f"{label}: {run['errors']} non-2xx answers")
                runs[label].append(run)
    finally:
        for service, _ in servers.values():
            service.stop()
    rates = {label: sum(r["rate"] for r in done) / len(done) for label, done in runs.items()}
    for label, done in runs.items():
        rounds = ", ".join(f"{r['rate']:.0f}" for r in done)
        print(f"  {label}: {rates[label]:.1f} req/s (rounds: {rounds})", flush=True)
    return {"scan_requests_per_s": figure(rates["scan"], "req/s", rates["ceiling"])}


def bench_durable_sales(tmp: Path, catalogue: Path) -> dict[str, dict[str, float | str]]:
    store = Store(tmp, catalogue, "complete", baskets=str(PREPARED_SALES), lines="10",
                  lanes=str(LANES), paid="")  # fmt: skip
    service = store.serve()
    try:
        started = time.monotonic()
        run = wrk(f"http://127.0.0.1:{store.port}", store.work_file, mode="complete", seconds=8)
        elapsed = time.monotonic() - started
    finally:
        service.stop()
    summary = store.summary()
    sales, entries = int(str(summary["sales"])), int(str(summary["entries"]))
    if sales >= PREPARED_SALES:
        raise SystemExit("every prepared basket was completed: prepare more to measure")
    print(f"  complete: {run}; {sales} sales", flush=True)
    rate = sales / min(elapsed, 8.0)
    ceiling = raw_sales_per_second(tmp / "raw.sqlite3", lines=10, seconds=5)
    print(f"  raw SQLite FULL loop: {ceiling:.1f} sales/s", flush=True)
    # Each sale writes its document and one stock movement per line: 11 entries here, and
    # the raw loop writes the same 11 rows per transaction.
    entries_rate = entries / min(elapsed, 8.0)
    return {
        "durable_sales_per_s": figure(rate, "sales/s", ceiling),
        "ledger_entries_per_s": figure(entries_rate, "entries/s", ceiling * 11),
    }


def bench_pricing(tmp: Path, catalogue: Path) -> dict[str, dict[str, float | str]]:
    # In a process of its own, like the store's workers: the other benchmarks' leftovers
    # would make the garbage collector part of the figure.
    out = subprocess.run(
        [sys.executable, "-c", "from tests.bench.pricing_bench import pricing_median_ms as m,"
         " contested_median_ms as c; print(m()); print(m(runs=50, dense=True)); print(c())"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=600,
    ).stdout.split()  # fmt: skip
    median, dense, contested = float(out[-3]), float(out[-2]), float(out[-1])
    print(f"  median {median:.3f} ms", flush=True)
    print(f"  (every line a promoted product: median {dense:.3f} ms)", flush=True)
    print(f"  contested basket (40 lines, 8 promotions on each unit): median {contested:.3f} ms",
          flush=True)  # fmt: skip
    # Absolute targets: the ceilings are what a cashier may wait for pricing (2 ms for a
    # shopper's basket, 10 ms for the contested one).
    return {"pricing_100_lines_5000_promotions_ms": figure(median, "ms", 2.0),
            "pricing_contested_basket_ms": figure(contested, "ms", 10.0)}  # fmt: skip


def bench_lane(tmp: Path, catalogue: Path) -> dict[str, dict[str, float | str]]:
    from tests.bench.lane_bench import lane_figures

    measured = lane_figures(tmp, Store)
    # Absolute targets: what a cashier will wait for.
    return {
        "lane_first_load_ms": figure(measured["load_ms"], "ms", 1000.0),
        "lane_scan_to_display_ms": figure(measured["scan_ms"], "ms", 100.0),
    }


def bench_ingest(tmp: Path, catalogue: Path) -> dict[str, dict[str, float | str]]:
    from tests.bench.sync_bench import ingest_rate

    measured = ingest_rate(tmp, catalogue)
    return {
        "hq_ingest_events_per_s": figure(measured["rate"], "events/s", measured["ceiling"]),
    }


def bench_catchup(tmp: Path, catalogue: Path) -> dict[str, dict[str, float | str]]:
    from tests.bench.sync_bench import catch_up

    measured = catch_up(tmp, catalogue, Store)
    return {"catchup_72h_seconds": figure(measured["seconds"], "s", 120.0)}


def bench_snapshot(tmp: Path, catalogue: Path) -> dict[str, dict[str, float | str]]:
    from tests.bench.sync_bench import snapshot_apply

    measured = snapshot_apply(tmp)
    return {
        "config_snapshot_200k_seconds": figure(measured["seconds"], "s", 30.0),
        "config_snapshot_200k_peak_rss_mib": figure(measured["rss_mib"], "MiB", 256.0),
    }


def bench_reports(tmp: Path, catalogue: Path) -> dict[str, dict[str, float | str]]:
    from tests.bench.report_bench import report_latencies

    measured = report_latencies(tmp, catalogue)
    # An absolute target: an analyst's page answers within two seconds.
    return {"hq_report_p95_ms": figure(measured["p95_ms"], "ms", 2000.0)}


def bench_fleet(tmp: Path, catalogue: Path) -> dict[str, dict[str, float | str]]:
    from tests.bench.sync_bench import fleet_simulation

    measured = fleet_simulation(tmp, catalogue)
    # No ceiling: how many stores' 5-minute pushes one HQ web worker (one core) absorbs.
    return {"fleet_stores_per_hq_core": figure(measured["stores_per_hq_core"], "stores", 0.0)}


def bench_open_loop(tmp: Path, catalogue: Path) -> dict[str, dict[str, float | str]]:
    from tests.bench.open_loop import open_loop_figures

    measured = open_loop_figures(tmp, catalogue, Store)
    # Absolute targets: what a cashier waits for on a scan and on "Pay" in a busy store.
    return {
        "scan_p99_ms": figure(measured["scan_p99_ms"], "ms", 25.0),
        "sale_p99_ms": figure(measured["sale_p99_ms"], "ms", 50.0),
    }


def bench_rss(tmp: Path, catalogue: Path) -> dict[str, dict[str, float | str]]:
    from tests.bench.worker_rss import worker_rss

    measured = worker_rss(tmp, Store, wrk)
    # An absolute target: a store box runs several workers beside the gateway and Celery.
    return {"store_worker_rss_mib": figure(measured["rss_mib"], "MiB", 150.0)}


def bench_devices(tmp: Path, catalogue: Path) -> dict[str, dict[str, float | str]]:
    from tests.bench.devices_bench import device_figures

    measured = device_figures(tmp, catalogue, Store)
    # Absolute targets: the receipt is out while the customer packs; the till adds nothing a
    # customer at the terminal would notice.
    return {
        "receipt_print_ms": figure(measured["print_ms"], "ms", 300.0),
        "card_payment_overhead_ms": figure(measured["overhead_ms"], "ms", 100.0),
    }


BENCHES = ("scan", "sales", "open_loop", "pricing", "lane", "devices", "ingest", "catchup",
           "snapshot", "rss", "reports", "fleet")  # fmt: skip


def main() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit(
            "the benchmarks need wrk (Debian's wrk): make bench installs it, "
            "or python3 deploy/local/system_packages.py bench"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    with tempfile.TemporaryDirectory(prefix="bench-") as name:
        tmp = Path(name)
        catalogue = tmp / "catalogue.json"
        manage("cloud_hq.settings", "generate_demo_catalog", "--products", "5000", "--out",
               str(catalogue), env=base_env(VAR_DIR=str(tmp)))  # fmt: skip
        chosen = sys.argv[1:] or list(BENCHES)
        benches = {"scan": bench_scan, "sales": bench_durable_sales, "pricing": bench_pricing,
                   "open_loop": bench_open_loop, "rss": bench_rss,
                   "lane": bench_lane, "devices": bench_devices,
                   "ingest": bench_ingest, "catchup": bench_catchup,
                   "snapshot": bench_snapshot, "reports": bench_reports,
                   "fleet": bench_fleet}  # fmt: skip
        for bench in [benches[name] for name in chosen]:
            print(f"{bench.__name__}:", flush=True)
            results.update(bench(tmp, catalogue))
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    for name, value in sorted(results.items()):
        print(f"{name}: {value['value']} {value['unit']} (ceiling {value['ceiling']}, "
              f"ratio {value['ratio']})")  # fmt: skip


if __name__ == "__main__":
    main()
