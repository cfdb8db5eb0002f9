"""HQ staff in headless Chromium against HQ and a store under gunicorn: a merchandiser
schedules a price change and a promotion in the admin and publishes; the store pulls; the
lane sells at the old price until the change starts and at the new price after it; an
analyst signs in, reads the sales report with the sale in it and exports it as CSV;
support reads the fleet page."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_sale_travels import ring_sale
from tests.lane_browser import VIEWPORT, chromium, screenshots_dir
from tests.processes import running_system

pytestmark = pytest.mark.e2e

STAFF = """
from django.contrib.auth.models import Group, User
for name, role, staff in (("mia", "Merchandiser", True), ("ana", "Analyst", False),
                          ("sam", "Support", False)):
    user = User.objects.create_user(name, password=name + "-password-1", is_staff=staff)
    user.groups.add(Group.objects.get(name=role))
"""


def plain_products(catalog: Path, count: int) -> list[dict[str, Any]]:
    """Packaged products no promotion of the file touches."""
    document = json.loads(catalog.read_text())
    groups = {g["code"]: set(g.get("skus", [])) for g in document.get("groups", [])}
    promoted: set[str] = set()
    categories: set[str] = set()
    for promotion in document.get("promotions", []):
        promoted.update(promotion.get("skus", []))
        categories.update(promotion.get("categories", []))
        for group in promotion.get("groups", []):
            promoted.update(groups.get(group, set()))
    for group in groups.values():
        promoted.update(group)
    return [p for p in document["products"]
            if p["barcodes"] and p["unit"] == "each" and p["sku"] not in promoted
            and p.get("category") not in categories][:count]  # fmt: skip


def sold(lane: httpx.Client, codes: list[str]) -> dict[str, Any]:
    """Ring and pay the codes; the sale as the store keeps it, with its lines."""
    sale = ring_sale(lane, codes)
    detail: dict[str, Any] = lane.get(f"/sales/{sale['id']}").json()
    return detail


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as running:
        yield running


# What the pages' Content-Security-Policy blocked (an inline script or style, say): nothing.
BLOCKED: list[str] = []


def signed_in_nobody(browser: Browser) -> Page:
    page = browser.new_context(viewport=VIEWPORT).new_page()  # type: ignore[arg-type]
    page.on("console", lambda m: BLOCKED.append(m.text) if m.type == "error" else None)
    return page


def signed_in(browser: Browser, url: str, name: str) -> Page:
    page = browser.new_context(viewport=VIEWPORT).new_page()  # type: ignore[arg-type]
    page.on("console", lambda m: BLOCKED.append(m.text) if "Content Security" in m.text else None)
    page.goto(url)
    page.fill("#id_username", name)
    page.fill("#id_password", f"{name}-password-1")
    page.click("[type=submit]")
    return page


def test_a_scheduled_price_and_promotion_reach_the_lane_and_the_report(
    tmp_path: Path, catalog_file: Path, browser: Browser
) -> None:
    shots = screenshots_dir(tmp_path)
    changed, halved = plain_products(catalog_file, 2)
    with running_system(tmp_path, catalog_file) as system:
        system.start("hq")
        system.start("store")
        system.hq_manage("shell", "-c", STAFF)
        starts = (datetime.now(UTC) + timedelta(seconds=25)).replace(microsecond=0)
        new_price = (Decimal(changed["price"]) - Decimal("0.10")).quantize(Decimal("0.01"))

        # The merchandiser schedules the price change and a promotion, then publishes.
        mia = signed_in(browser, f"{system.hq_url}/admin/login/", "mia")
        mia.goto(f"{system.hq_url}/admin/hq_catalog/pricebook/add/")
        mia.fill("#id_code", "AUTUMN")
        mia.select_option("#id_scope", "chain")
        mia.fill("#id_entries-0-sku", changed["sku"])
        mia.fill("#id_entries-0-price", str(new_price))
        mia.fill("#id_entries-0-starts_0", starts.strftime("%Y-%m-%d"))
        mia.fill("#id_entries-0-starts_1", starts.strftime("%H:%M:%S"))
        mia.screenshot(path=str(shots / "hq-price-change.png"), full_page=True)
        mia.click("[name=_save]")
        expect(mia.locator(".messagelist")).to_contain_text("was added successfully")

        mia.goto(f"{system.hq_url}/admin/hq_catalog/promotion/add/")
        mia.fill("#id_code", "HALF")
        mia.fill("#id_name", "Half price")
        mia.select_option("#id_kind", "percent_off")
        now = datetime.now(UTC) - timedelta(minutes=1)
        mia.fill("#id_starts_0", now.strftime("%Y-%m-%d"))
        mia.fill("#id_starts_1", now.strftime("%H:%M:%S"))
        mia.fill("#id_ends_0", (now + timedelta(days=7)).strftime("%Y-%m-%d"))
        mia.fill("#id_ends_1", "00:00:00")
        mia.fill("#id_definition", json.dumps({"percent": "50", "skus": [halved["sku"]]}))
        mia.click("[name=_save]")
        expect(mia.locator(".messagelist")).to_contain_text("was added successfully")

        mia.goto(f"{system.hq_url}/admin/hq_publishing/configversion/")
        mia.click("#publish-now")
        expect(mia.locator(".messagelist")).to_contain_text("Published config v2")
        mia.screenshot(path=str(shots / "hq-published.png"), full_page=True)

        # The store pulls; before the change starts the lane sells at the old price.
        system.store_manage("sync_now", "--pull-only")
        with system.lane() as lane:
            before = sold(lane, [changed["barcodes"][0], halved["barcodes"][0]])
            assert datetime.now(UTC) < starts, "the sale before the change came too late"
            prices = {line["sku"]: line for line in before["lines"]}
            assert Decimal(prices[changed["sku"]]["unit_price"]) == Decimal(changed["price"])
            half = (Decimal(halved["price"]) / 2).quantize(Decimal("0.01"))
            assert Decimal(prices[halved["sku"]]["amount"]) == half
            time.sleep(max(0.0, (starts - datetime.now(UTC)).total_seconds()) + 1)
            after = sold(lane, [changed["barcodes"][0]])
            assert Decimal(after["lines"][0]["unit_price"]) == new_price
        system.store_manage("sync_now", "--push-only")

        # The analyst reads today's sales and exports them.
        ana = signed_in(browser, f"{system.hq_url}/login/?next=/reports/", "ana")
        expect(ana.locator("h1")).to_have_text("Reports")
        ana.click("text=Sales by store")
        expect(ana.locator("table tbody tr").first).to_contain_text(system.store_id)
        total = Decimal(before["total"]) + Decimal(after["total"])
        row = ana.locator("table tbody tr").first.inner_text()
        assert f"{total:.2f}" in row.replace(",", "")
        ana.screenshot(path=str(shots / "hq-sales-report.png"), full_page=True)
        with ana.expect_download() as download:
            ana.click("text=Export CSV")
        exported = Path(download.value.path()).read_text()
        rows = list(csv.reader(io.StringIO(exported)))
        assert rows[0][:3] == ["Store", "Name", "Sales"]
        assert rows[1][0] == system.store_id and rows[1][2] == "2"
        assert rows[1][6] == f"{total:.2f}"
        ana.click("text=Top products")
        expect(ana.locator("svg.chart")).to_be_visible()
        ana.screenshot(path=str(shots / "hq-top-products.png"), full_page=True)

        # Support reads the fleet (the store has not sent a heartbeat: it needs attention).
        sam = signed_in(browser, f"{system.hq_url}/login/?next=/fleet/", "sam")
        expect(sam.locator("tr.attention")).to_contain_text(system.store_id)
        sam.screenshot(path=str(shots / "hq-fleet.png"), full_page=True)

        # Both APIs' docs render from their own static files (a store may be offline).
        for base in (system.store_url, system.hq_url):
            docs = signed_in_nobody(browser)
            docs.goto(f"{base}/api/v1/docs")
            expect(docs.locator(".opblock").first).to_be_visible(timeout=20_000)
        assert BLOCKED == [], BLOCKED
