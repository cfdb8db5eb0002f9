"""HQ's report pages at scale: 500 stores and 10 million sale lines in PostgreSQL (made by
generate_sales), every report asked for over real HTTP with the filters an analyst uses."""

from __future__ import annotations

import os
import re
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from tests.bench.stats import percentile
from tests.bench.sync_bench import running_hq
from tests.processes import manage

STORES = int(os.environ.get("BENCH_REPORT_STORES", "500"))
LINES = int(os.environ.get("BENCH_REPORT_LINES", "10000000"))
ROUNDS = 3

ANALYST = """
from django.contrib.auth.models import Group, User
user = User.objects.create_user("bench-analyst", password="bench-analyst-pass")
user.groups.add(Group.objects.get(name="Analyst"))
"""


def _signed_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, page.text[:500]
    answer = client.post("/login/", data={
        "csrfmiddlewaretoken": token.group(1), "username": "bench-analyst",
        "password": "bench-analyst-pass", "next": "/reports/"})  # fmt: skip
    if answer.status_code != 302:
        raise SystemExit(f"could not sign in: {answer.status_code}")
    return client


def report_latencies(tmp: Path, catalogue: Path) -> dict[str, float]:
    with running_hq(tmp, "reports", catalogue) as env:
        started = time.monotonic()
        out = manage("cloud_hq.settings", "generate_sales", "--stores", str(STORES), "--lines",
                     str(LINES), env=env, timeout=3600)  # fmt: skip
        print(f"  {out.strip().splitlines()[-1]} ({time.monotonic() - started:.0f} s)",
              flush=True)  # fmt: skip
        manage("cloud_hq.settings", "shell", "-c", ANALYST, env=env)
        client = _signed_in(env["HQ_URL"])
        slugs = re.findall(r'href="/reports/([a-z-]+)/"', client.get("/reports/").text)
        today = datetime.now(UTC).date()
        periods = [
            {"start": today - timedelta(days=29), "end": today},
            {"start": today - timedelta(days=89), "end": today},
            {"start": today - timedelta(days=29), "end": today, "region": "region-3"},
            {"start": today - timedelta(days=6), "end": today, "stores": "G0042"},
            {"start": today - timedelta(days=29), "end": today, "category": "drinks"},
        ]
        timings: dict[str, list[float]] = {slug: [] for slug in slugs}
        for _ in range(ROUNDS):
            for slug in slugs:
                for period in periods:
                    began = time.perf_counter()
                    answer = client.get(f"/reports/{slug}/", params=period)
                    timings[slug].append((time.perf_counter() - began) * 1000)
                    if answer.status_code != 200:
                        raise SystemExit(f"{slug} {period}: {answer.status_code}")
    every = [t for values in timings.values() for t in values]
    p95 = percentile(every, 95)
    for slug, values in sorted(timings.items(), key=lambda kv: -max(kv[1])):
        print(f"  {slug}: median {statistics.median(values):.0f} ms, worst {max(values):.0f} ms",
              flush=True)  # fmt: skip
    print(f"  {len(every)} report pages: p95 {p95:.0f} ms", flush=True)
    return {"p95_ms": p95, "pages": float(len(every))}
