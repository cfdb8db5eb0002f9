"""The memory of one store web worker serving a catalogue of 200,000 products, after a
warm-up of scans across it (its caches filled as a day's trading fills them)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import psutil

from tests.processes import base_env, manage

PRODUCTS = 200_000
WARM_UP_BASKETS = 5000  # each with a code of its own, drawn across the catalogue


def rss_mib(pid: int) -> float:
    """The resident memory of a process, in MiB (psutil.NoSuchProcess once it is gone)."""
    return psutil.Process(pid).memory_info().rss / (1 << 20)


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers of its master)."""
    return sorted(child.pid for child in psutil.Process(pid).children())


def worker_rss(tmp: Path, store_class: Any, wrk: Any) -> dict[str, float]:
    catalogue = tmp / "catalogue-rss.json"
    manage("cloud_hq.settings", "generate_demo_catalog", "--products", str(PRODUCTS), "--out",
           str(catalogue), env=base_env(VAR_DIR=str(tmp)))  # fmt: skip
    store = store_class(tmp, catalogue, "rss", baskets=str(WARM_UP_BASKETS), lanes="20")
    with closing(sqlite3.connect(store.dir / "store.sqlite3")) as db:
        held = db.execute("SELECT COUNT(*) FROM catalog_product").fetchone()[0]
    if held != PRODUCTS:
        raise SystemExit(f"the store holds {held} products, not {PRODUCTS}")
    service = store.serve()
    try:
        assert service.process is not None  # noqa: S101 - serve() started it
        run = wrk(f"http://127.0.0.1:{store.port}", store.work_file, mode="scan", seconds=15)
        if run["errors"]:
            raise SystemExit(f"rss warm-up: {run['errors']} non-2xx answers")
        workers = children(service.process.pid)
        if not workers:
            raise SystemExit("no gunicorn worker found under the master")
        sizes = [rss_mib(pid) for pid in workers]
    finally:
        service.stop()
    print(f"  {PRODUCTS} products, {run['rate'] * 15:.0f} warm-up scans; "
          f"workers' RSS {', '.join(f'{s:.1f}' for s in sizes)} MiB", flush=True)  # fmt: skip
    return {"rss_mib": max(sizes)}
