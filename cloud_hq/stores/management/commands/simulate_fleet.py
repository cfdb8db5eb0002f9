"""Many virtual stores pushing at once against a running HQ: how many stores' 5-minute
pushes it absorbs. Registers its stores in HQ's database (codes V0001…), then each pushes
one interval's sales, signed and gzipped over HTTP, a few at a time."""

from __future__ import annotations

import json
import threading
import time
from queue import Empty, Queue
from typing import Any

import httpx
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cloud_hq.catalog.models import Product
from cloud_hq.stores.fleet_simulation import push, store_ledger
from cloud_hq.stores.services import store_key_issue, store_register

INTERVAL_SECONDS = 300


class Command(BaseCommand):
    help = "Push one sync interval of sales from many virtual stores at once; print the rate."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hq-url", required=True)
        parser.add_argument("--stores", type=int, default=100)
        parser.add_argument("--sales", type=int, default=25,
                            help="sales per store per interval (25: 300 an hour)")  # fmt: skip
        parser.add_argument("--lines", type=int, default=5)
        parser.add_argument("--concurrency", type=int, default=8)
        parser.add_argument("--hq-cores", type=float, default=1.0,
                            help="cores of HQ's web workers (stores per core)")  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        stores, sales, lines = options["stores"], options["sales"], options["lines"]
        concurrency, cores = options["concurrency"], options["hq_cores"]
        if not (1 <= stores <= 10_000 and 1 <= sales <= 1000 and 1 <= lines <= 100
                and 1 <= concurrency <= 64 and cores > 0):  # fmt: skip
            raise CommandError("stores 1–10000, sales 1–1000, lines 1–100, concurrency 1–64")
        if not options["hq_url"].startswith(("http://", "https://")):
            raise CommandError("--hq-url is HQ's address, e.g. http://127.0.0.1:8000")
        skus = [(s, str(p)) for s, p in Product.objects.filter(unit="each")
                .order_by("sku").values_list("sku", "price")[:5000]]  # fmt: skip
        if not skus:
            raise CommandError("import a catalogue first (import_catalog)")
        queue: Queue[tuple[str, str, list[dict[str, Any]]]] = Queue()
        for n in range(stores):
            store = store_register(name=f"Virtual store {n + 1}")
            key = store_key_issue(store=store)
            queue.put((store.code, key, store_ledger(skus, sales, lines=lines)))
        failures: list[str] = []
        pushed = [0]
        lock = threading.Lock()

        def worker() -> None:
            with httpx.Client(timeout=120) as client:
                while True:
                    try:
                        code, key, entries = queue.get_nowait()
                    except Empty:
                        return
                    try:
                        push(client, base_url=options["hq_url"], store_id=code, store_key=key,
                             entries=entries)  # fmt: skip
                        with lock:
                            pushed[0] += len(entries)
                    except (RuntimeError, httpx.HTTPError) as exc:
                        failures.append(str(exc))

        started = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        if failures:
            raise CommandError(f"{len(failures)} pushes failed, e.g. {failures[0]}")
        per_second = stores / seconds
        self.stdout.write(json.dumps({
            "stores": stores, "entries": pushed[0], "seconds": round(seconds, 2),
            "stores_per_second": round(per_second, 2),
            "stores_per_hq_core": round(per_second * INTERVAL_SECONDS / cores, 1),
        }))  # fmt: skip
