"""HQ's reports against a seeded data set whose totals are worked out by hand, pushed by two
stores through the real ingest; filters, CSV export, bad input, and who may read what."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection  # noqa: F401 - the skipif condition reads it
from django.test import Client

from cloud_hq.reporting.models import ProductDay, SalesHour, ShrinkDay, TenderDay
from cloud_hq.stores.models import Store
from tests.cloud_hq.conftest import StoreClient, StoreCredentials, Till, catalog_document

D = Decimal
DAY = "2026-11-20"


@pytest.fixture
def seeded(
    client: Client, import_catalog: Any, store: StoreCredentials, other_store: StoreCredentials
) -> dict[str, Till]:
    """S0001 (north): sale A 09:00 (3 water 2.37 + 1 bread 2.49 = 4.86, cash 5.00),
    sale B 10:30 (2 water 1.58, cash 2.00), B refunded 11:00 (−1.58); a delivery of 24
    water, damage −2, waste −1, then a count of 15 water (it expected 18: −3).
    S0002 (south): sale C 14:00 (4 bread 9.96, cash 10.00)."""
    import_catalog(catalog_document())
    Store.objects.filter(code="S0001").update(region="north")
    Store.objects.filter(code="S0002").update(region="south")
    north, south = Till(), Till()
    north.at = north.at.replace(hour=9)
    sale_a = north.sale(("100001", "3", "0.79"), ("200036", "1", "2.49"))
    north.at = north.at.replace(hour=10, minute=30)
    sale_b = north.sale(("100001", "2", "0.79"))
    north.at = north.at.replace(hour=11, minute=0)
    refund_b = north.refund(sale_b)
    stock = uuid.uuid4()
    moves = [
        north._entry("delivery", stock, sku="100001", quantity="24.000"),
        north._entry("adjustment", stock, sku="100001", quantity="-2.000"),
        north._entry("waste", stock, sku="100001", quantity="-1.000"),
        north._entry("count", stock, sku="100001", quantity="15.000"),
    ]
    south.at = south.at.replace(hour=14)
    sale_c = south.sale(("200036", "4", "2.49"))
    for credentials, entries in ((store, [*sale_a, *sale_b, *refund_b, *moves]),
                                 (other_store, sale_c)):  # fmt: skip
        answer = StoreClient(client, credentials).push(entries)
        assert answer.status_code == 200, answer.content
        assert answer.json()["quarantined"] == []
    return {"north": north, "south": south}


@pytest.fixture
def analyst(client: Client, db: None) -> Client:
    return _signed_in(client, "ana", "Analyst")


def _signed_in(client: Client, name: str, role: str | None, **flags: bool) -> Client:
    user = User.objects.create_user(name, password="x" * 12, **flags)
    if role:
        user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


def page(client: Client, slug: str, **query: Any) -> Any:
    answer = client.get(f"/reports/{slug}/", {"start": DAY, "end": DAY, **query})
    assert answer.status_code == 200, answer.content[:500]
    return answer.context["report"]


def test_sales_by_store_day_and_hour_add_up_to_what_was_rung(seeded: Any, analyst: Client) -> None:
    rows = page(analyst, "sales-by-store").rows
    assert rows == [
        ["S0002", "Hamburg Altona", 1, 0, D("9.96"), D("0.00"), D("9.96"), D("9.96")],
        ["S0001", "Berlin Mitte", 2, 1, D("6.44"), D("-1.58"), D("4.86"), D("3.22")],
    ]
    by_hour = {row[0]: row[1:3] for row in page(analyst, "sales-by-hour").rows}
    assert by_hour == {"09:00": [1, D("4.86")], "10:00": [1, D("1.58")],
                       "11:00": [0, D("-1.58")], "14:00": [1, D("9.96")]}  # fmt: skip
    (day,) = page(analyst, "sales-by-day").rows
    assert day[1:6] == [3, 1, D("16.40"), D("-1.58"), D("14.82")]
    (basket,) = page(analyst, "baskets").rows
    # 3 sales: 4 + 2 + 4 items, 2 + 1 + 1 lines, 16.40 in all.
    assert basket[1:5] == [3, D("3.33"), D("1.33"), D("5.47")]


def test_products_categories_and_tenders(seeded: Any, analyst: Client) -> None:
    top = page(analyst, "top-products").rows
    assert [(r[0], r[2], r[3], r[4]) for r in top] == [
        ("200036", "bakery", D("5.000"), D("12.45")),
        ("100001", "drinks", D("3.000"), D("2.37")),  # 3 + 2 sold, 2 taken back
    ]
    assert [r[0] for r in page(analyst, "bottom-products").rows] == ["100001", "200036"]
    mix = {r[0]: (r[2], r[3]) for r in page(analyst, "category-mix").rows}
    assert mix == {"bakery": (D("12.45"), D("84.0")), "drinks": (D("2.37"), D("16.0"))}
    # Cash less the change given: 4.86 + 1.58 − 1.58 + 9.96.
    assert page(analyst, "tender-mix").rows == [["cash", 4, D("14.82"), D("100.0")]]
    returned = page(analyst, "returns").rows
    assert returned == [["S0001", "Berlin Mitte", 1, D("-1.58"), 2, D("50.0")]]


def test_taxes_per_store_and_class_as_the_receipts_printed_them(
    seeded: Any, analyst: Client, client: Client
) -> None:
    from tests.cloud_hq.conftest import register_store

    # S0001: A 4.86 (net 4.08, VAT 0.78), B 1.58 (1.33, 0.25), B's refund −1.58; S0002: C 9.96
    # (8.37, 1.59). And a New York store: 3 waters at 0.79 with 8.875 % sales tax on top.
    new_york = register_store(name="Manhattan", code="NY1")
    till = Till()
    entries = till.sale(("100001", "3", "0.79"))
    entries[0]["payload"].update(tax_total="0.21", total="2.58", amount_paid="3.00",
                                 change="0.42")  # fmt: skip
    entries[0]["payload"]["tenders"][0]["amount"] = "3.00"
    entries[0]["payload"]["taxes"] = [{"tax_class": "NY", "rate": "0.08875", "inclusive": False,
                                       "net": "2.37", "tax": "0.21", "gross": "2.58"}]  # fmt: skip
    assert StoreClient(client, new_york).push(entries).json()["quarantined"] == []

    report = page(analyst, "taxes")
    assert report.rows == [
        ["NY1", "Manhattan", "NY", "8.875", "on top", 1, D("2.37"), D("0.21"), D("2.58")],
        ["S0001", "Berlin Mitte", "STD", "19", "included", 3, D("4.08"), D("0.78"), D("4.86")],
        ["S0002", "Hamburg Altona", "STD", "19", "included", 1, D("8.37"), D("1.59"), D("9.96")],
    ]
    exported = analyst.get("/reports/taxes/", {"start": DAY, "end": DAY, "format": "csv"})
    lines = list(csv.reader(io.StringIO(exported.content.decode())))
    assert lines[1] == ["NY1", "Manhattan", "NY", "8.875", "on top", "1", "2.37", "0.21", "2.58"]
    # One store asked for: only its rows.
    assert [row[0] for row in page(analyst, "taxes", stores="S0002").rows] == ["S0002"]


def test_stock_and_shrink(seeded: Any, analyst: Client) -> None:
    stock = {(r[0], r[1]): (r[3], r[6]) for r in page(analyst, "stock").rows}
    assert stock == {
        ("S0001", "100001"): (D("15.000"), ""),
        ("S0001", "200036"): (D("-1.000"), "negative"),
        ("S0002", "200036"): (D("-4.000"), "negative"),
    }
    shrink = {r[1]: r[2:] for r in page(analyst, "shrink").rows}
    assert shrink == {
        "count": [1, D("-3.000"), D("-2.37")],
        "adjustment": [1, D("-2.000"), D("-1.58")],
        "waste": [1, D("-1.000"), D("-0.79")],
    }


def test_filters_narrow_by_region_store_category_and_date(seeded: Any, analyst: Client) -> None:
    assert [r[0] for r in page(analyst, "sales-by-store", region="south").rows] == ["S0002"]
    assert [r[0] for r in page(analyst, "sales-by-store", stores=["S0001"]).rows] == ["S0001"]
    assert [r[0] for r in page(analyst, "top-products", category="drinks").rows] == ["100001"]
    assert page(analyst, "sales-by-store", start="2026-11-21", end="2026-11-30").rows == []
    answer = analyst.get("/reports/top-products/", {"start": DAY, "end": DAY,
                                                    "category": "drinks"})  # fmt: skip
    assert b"does not apply" not in answer.content
    answer = analyst.get("/reports/sales-by-store/", {"start": DAY, "end": DAY,
                                                      "category": "drinks"})  # fmt: skip
    assert b"The category filter does not apply to this report." in answer.content


def test_a_first_visit_shows_the_last_seven_days(seeded: Any, analyst: Client) -> None:
    answer = analyst.get("/reports/sales-by-store/")
    assert answer.status_code == 200
    period = answer.context["form"].report_filter()
    assert period.end - period.start == timedelta(days=6)


def test_summaries_are_kept_once_per_push_even_when_a_batch_is_replayed(
    client: Client, import_catalog: Any, store: StoreCredentials, till: Till
) -> None:
    import_catalog(catalog_document())
    hq = StoreClient(client, store)
    sale = till.sale(("100001", "2", "0.79"))
    for _ in range(3):
        assert hq.push(sale).status_code == 200
    assert SalesHour.objects.get().sales_total == D("1.58")
    assert ProductDay.objects.get().quantity == D("2.000")
    assert TenderDay.objects.get().count == 1
    assert not ShrinkDay.objects.exists()


def test_csv_export_has_the_pages_rows_and_quotes_formulas(seeded: Any, analyst: Client) -> None:
    Store.objects.filter(code="S0002").update(name='=HYPERLINK("http://x","y")')
    answer = analyst.get("/reports/sales-by-store/", {"start": DAY, "end": DAY, "format": "csv"})
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="sales-by-store_20261120-20261120.csv"' in answer["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0] == ["Store", "Name", "Sales", "Returns", "Sales total", "Returns total", "Net",
                       "Average basket"]  # fmt: skip
    assert rows[1] == ["S0002", "'=HYPERLINK(\"http://x\",\"y\")", "1", "0", "9.96", "0.00",
                       "9.96", "9.96"]  # fmt: skip
    assert rows[2][:3] == ["S0001", "Berlin Mitte", "2"]
    assert rows[2][5] == "-1.58"  # a negative number stays a number


def test_every_report_renders_and_exports_with_and_without_data(
    seeded: Any, analyst: Client
) -> None:
    from cloud_hq.reporting.selectors import REPORTS

    for slug in REPORTS:
        for day in (DAY, "2025-01-01"):
            answer = analyst.get(f"/reports/{slug}/", {"start": day, "end": day})
            assert answer.status_code == 200, slug
            exported = analyst.get(f"/reports/{slug}/", {"start": day, "end": day,
                                                         "format": "csv"})  # fmt: skip
            assert exported.status_code == 200, slug
            assert (
                exported.content.decode()
                .splitlines()[0]
                .startswith(answer.context["report"].columns[0].title)
            )


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-11-21", "end": "2026-11-20"}, b"The period ends before it starts."),
        ({"start": "2026-13-01", "end": DAY}, b"Enter a valid date."),
        ({"start": "2020-01-01", "end": DAY}, b"At most 366 days at a time."),
        ({"start": DAY, "end": DAY, "stores": "S9999"}, b"Select a valid choice."),
        ({"start": DAY, "end": DAY, "region": "x" * 5000}, b"Select a valid choice."),
        ({"start": DAY, "end": DAY, "category": "'; DROP TABLE x;--"}, b"Select a valid choice."),
        ({"start": "\x00", "end": DAY}, b"Enter a valid date."),
    ],
)
def test_bad_filters_are_refused_with_a_message(
    seeded: Any, analyst: Client, query: dict[str, str], message: bytes
) -> None:
    answer = analyst.get("/reports/sales-by-store/", query)
    assert answer.status_code == 400
    assert message in answer.content
    assert "report" not in answer.context


def test_unknown_reports_and_other_methods(analyst: Client) -> None:
    assert analyst.get("/reports/nothing-here/").status_code == 404
    assert analyst.post("/reports/sales-by-store/").status_code == 405


@pytest.mark.parametrize(
    ("role", "reports", "fleet", "admin_catalog"),
    [
        ("Analyst", 200, 403, None),
        ("Support", 403, 200, None),
        ("Merchandiser", 403, 403, 200),
        ("HQ admin", 200, 200, 200),
        (None, 403, 403, None),
    ],
)
def test_each_role_reaches_its_own_pages(
    client: Client, db: None, role: str | None, reports: int, fleet: int, admin_catalog: int | None
) -> None:
    _signed_in(client, "someone", role, is_staff=True)
    assert client.get("/reports/sales-by-store/").status_code == reports
    assert client.get("/fleet/").status_code == fleet
    if admin_catalog is not None:
        assert client.get("/admin/hq_catalog/product/").status_code == admin_catalog
    else:
        assert client.get("/admin/hq_catalog/product/").status_code == 403


def test_without_signing_in_the_pages_send_you_to_sign_in(client: Client, db: None) -> None:
    for url in ("/reports/", "/reports/sales-by-store/", "/fleet/", "/fleet/S0001/"):
        answer = client.get(url)
        assert answer.status_code == 302
        assert answer["Location"].startswith("/login/?next=")


def test_an_analyst_signs_in_on_hqs_own_page_not_the_admins(client: Client, db: None) -> None:
    user = User.objects.create_user("ana", password="ana-password-1")
    user.groups.add(Group.objects.get(name="Analyst"))
    page = client.get("/login/?next=/reports/")
    assert page.status_code == 200
    refused = client.post("/login/", {"username": "ana", "password": "wrong", "next": "/reports/"})
    assert refused.status_code == 200
    assert b"Please enter a correct username and password" in refused.content
    answer = client.post("/login/", {"username": "ana", "password": "ana-password-1",
                                     "next": "/reports/"})  # fmt: skip
    assert answer.status_code == 302 and answer["Location"] == "/reports/"
    assert client.get("/reports/sales-by-store/").status_code == 200
    assert client.get("/admin/").status_code == 302  # not staff: the admin is not theirs
    client.post("/logout/")
    assert client.get("/reports/").status_code == 302


def test_roles_are_kept_in_step_after_migrate(db: None) -> None:
    from cloud_hq.reporting.roles import roles_ensure

    analyst = Group.objects.get(name="Analyst")
    analyst.permissions.clear()
    roles_ensure()
    codes = {f"{p.content_type.app_label}.{p.codename}" for p in analyst.permissions.all()}
    assert codes == {"hq_reporting.view_reports"}
    merchandiser = Group.objects.get(name="Merchandiser")
    assert merchandiser.permissions.filter(codename="change_product").exists()
    assert not merchandiser.permissions.filter(codename="view_reports").exists()


def _summaries() -> dict[str, list[tuple[Any, ...]]]:
    from cloud_hq.reporting.models import ProductDayChain
    from cloud_hq.reporting.rebuild import SUMMARIES

    held = {}
    for model in (*SUMMARIES, ProductDayChain):
        columns = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        held[model.__name__] = sorted(model._default_manager.values_list(*columns))
    return held


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the rebuild runs on PostgreSQL")
def test_a_rebuild_from_what_hq_holds_equals_what_ingest_kept(seeded: Any, client: Client) -> None:
    from django.core.management import call_command

    from tests.cloud_hq.conftest import StoreClient, register_store

    # A promotion's line and a store that only the rebuild is asked about.
    third = register_store(name="Third", code="S0003")
    till = Till()
    entries = till.sale(("100001", "2", "0.79"))
    line = entries[0]["payload"]["lines"][0]
    line.update(
        base_amount="1.58",
        amount="1.26",
        adjustments=[{"promotion": "P20", "amount": "-0.32", "reason": "20 % off"}],
    )
    entries[0]["payload"].update(discount_total="-0.32", subtotal="1.26", total="1.26",
                                 tax_total="0.20", change="0.74")  # fmt: skip
    entries[0]["payload"]["taxes"][0].update(net="1.06", tax="0.20", gross="1.26")
    assert StoreClient(client, third).push(entries).json()["quarantined"] == []
    from cloud_hq.reporting.services import chain_refresh

    chain_refresh()
    kept = _summaries()
    assert kept["PromotionDay"] == [("S0003", date(2026, 11, 20), "P20", 1, D("-0.32"), D("1.26"))]
    out = io.StringIO()
    call_command("rebuild_reports", stdout=out)
    assert "saleshour: 5 rows" in out.getvalue()
    assert _summaries() == kept
    call_command("rebuild_reports", "--store", "S0002", stdout=io.StringIO())
    assert _summaries() == kept


def test_pushes_mark_days_and_the_chain_summary_catches_up(seeded: Any, analyst: Client) -> None:
    from cloud_hq.reporting.models import ChainDirtyDay, ProductDayChain
    from cloud_hq.reporting.services import chain_refresh

    assert list(ChainDirtyDay.objects.values_list("day", flat=True)) == [date(2026, 11, 20)]
    assert not ProductDayChain.objects.exists()  # pushes never touch the chain rows
    page(analyst, "top-products")  # a chain-wide report refreshes the marked days first
    assert not ChainDirtyDay.objects.exists()
    chain = dict(ProductDayChain.objects.values_list("sku", "amount"))
    assert chain == {"100001": D("2.37"), "200036": D("12.45")}
    assert chain_refresh() == []  # nothing marked: nothing done
