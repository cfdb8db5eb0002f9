"""The lowest price of the 30 days before a reduction (EU Omnibus directive, Art. 6a): HQ
records what each published version priced, works out the prior price of every reduction
per store, flags those that need a look, and publishes them to the store (protocol 2).

The price history below is worked out by hand (D = 40 days ago, N = now):

  water 100001   0.79 from D-40; S0001's own book 0.69 from D-20 to D-15; list 0.99 from D-10
  bread 200036   2.49 from D-40; a 50 % promotion D-8 to D-7 (1.24); a chain book 1.99 from N+2d
  cola  100002   new at D-5, 1.29
  drinks -30 %   a promotion on the drinks category from N+1d (water and cola)

  water at S0001: lowest of [N+1d-30d, N+1d) = 0.69 (its own book); 0.99 less 30 % = 0.69:
                  not below it → flagged
  water at S0002: lowest 0.79 (no own book); 0.69 is below → fine
  cola, both:     known since D-5 only → flagged; lowest 1.29, reduced 0.90
  bread, both:    the book's 1.99 against 1.24 (the 50 % promotion D-8) → flagged
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from unittest.mock import patch

import pytest
from django.test import Client

from cloud_hq.publishing.models import PriceHistory, PriorPrice
from tests.cloud_hq.conftest import (
    COLA,
    StoreClient,
    StoreCredentials,
    catalog_document,
    refused_command,
    run_command,
)

D = Decimal
NOW = datetime.now(UTC).replace(microsecond=0)


def days(n: float) -> datetime:
    return NOW + timedelta(days=n)


@contextmanager
def clock(at: datetime) -> Iterator[None]:
    with patch("django.utils.timezone.now", return_value=at):
        yield


def publish_at(at: datetime) -> None:
    with clock(at):
        run_command("publish_config")


COLA_PRODUCT = {"sku": "100002", "name": "Cola 1 l", "barcodes": [COLA], "price": "1.29",
                "tax_class": "STD", "unit": "each", "category": "drinks"}  # fmt: skip


def window(start: datetime, end: datetime) -> dict[str, str]:
    return {"starts": start.isoformat(), "ends": end.isoformat()}


@pytest.fixture
def history(import_catalog: Any, hq: StoreClient, other_store: StoreCredentials) -> None:
    document = catalog_document()
    with clock(days(-40)):
        import_catalog(document)
    publish_at(days(-40))
    document["price_books"] = [{"code": "S1-OWN", "scope": "store", "store": "S0001", "prices": [
        {"sku": "100001", "price": "0.69", **window(days(-20), days(-15))}]}]  # fmt: skip
    with clock(days(-25)):
        import_catalog(document)
    publish_at(days(-25))
    document["products"][0]["price"] = "0.99"
    document["promotions"] = [{"code": "BREAD-HALF", "name": "Bread half price",
                               "kind": "percent_off", "skus": ["200036"], "percent": "50",
                               **window(days(-8), days(-7))}]  # fmt: skip
    with clock(days(-10)):
        import_catalog(document)
    publish_at(days(-10))
    document["products"].append(COLA_PRODUCT)  # new: the versions before had none
    with clock(days(-5)):
        import_catalog(document)
    publish_at(days(-5))
    document["promotions"].append({"code": "DRINKS-30", "name": "Drinks 30 % off",
                                   "kind": "percent_off", "categories": ["drinks"],
                                   "percent": "30", **window(days(1), days(8))})  # fmt: skip
    document["price_books"].append({"code": "CHAIN-BREAD", "scope": "chain", "prices": [
        {"sku": "200036", "price": "1.99", **window(days(2), days(9)), }]})  # fmt: skip
    import_catalog(document)


def reductions() -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """The reductions of the newest version (each version has its own)."""
    newest = PriorPrice.objects.order_by("-config__version").values("config")[:1]
    return {
        (p.store_id, p.sku, p.reference): (p.reduced_price, p.prior_price, p.flag)
        for p in PriorPrice.objects.filter(config__in=newest)
    }


def test_prices_are_recorded_only_where_a_version_changed_them(history: None) -> None:
    publish_at(NOW)
    water = list(PriceHistory.objects.filter(sku="100001").order_by("version")
                 .values_list("version", "price", "latest"))  # fmt: skip
    # v1 0.79; v2 the same list price with S0001's book; v3 0.99; v4 (the cola's) and v5
    # (bread's book) leave it as it was: not recorded again.
    assert water == [(1, D("0.79"), False), (2, D("0.79"), False), (3, D("0.99"), True)]
    assert PriceHistory.objects.filter(sku="4011").count() == 1
    assert PriceHistory.objects.filter(latest=True).count() == 4


def test_each_reduction_gets_the_lowest_price_of_the_30_days_before(history: None) -> None:
    publish_at(NOW)
    found = reductions()
    assert set(found) == {
        (store, sku, reference)
        for store in ("S0001", "S0002")
        for sku, reference in (("100001", "DRINKS-30"), ("100002", "DRINKS-30"),
                               ("200036", "price"))
    }  # fmt: skip
    water_s1 = found[("S0001", "100001", "DRINKS-30")]
    assert water_s1[:2] == (D("0.69"), D("0.69"))
    assert "0.69 is not below the lowest price of the 30 days before (0.69)" in water_s1[2]
    assert found[("S0002", "100001", "DRINKS-30")] == (D("0.69"), D("0.79"), "")
    for store in ("S0001", "S0002"):
        cola = found[(store, "100002", "DRINKS-30")]
        assert cola[:2] == (D("0.90"), D("1.29"))
        assert "go back to" in cola[2] and "less than 30 days" in cola[2]
        bread = found[(store, "200036", "price")]
        assert bread[:2] == (D("1.99"), D("1.24"))  # the half-price week counts
        assert "1.99 is not below the lowest price of the 30 days before (1.24)" in bread[2]


def test_flags_are_shown_before_publishing_and_nothing_is_published(history: None) -> None:
    from cloud_hq.publishing.models import ConfigVersion

    versions = ConfigVersion.objects.count()
    with clock(NOW):
        refusal = refused_command("publish_config", check=True)
    assert "need a look before publishing" in refusal.message
    assert ConfigVersion.objects.count() == versions
    assert not PriorPrice.objects.filter(config__version=versions + 1).exists()


def test_a_check_with_nothing_flagged_passes(import_catalog: Any, hq: StoreClient) -> None:
    document = catalog_document()
    with clock(days(-40)):
        import_catalog(document)
    publish_at(days(-40))
    document["promotions"] = [{"code": "WATER-10", "name": "Water 10 % off",
                               "kind": "percent_off", "skus": ["100001"], "percent": "10",
                               **window(days(1), days(8))}]  # fmt: skip
    import_catalog(document)
    with clock(NOW):
        out = run_command("publish_config", check=True).stdout
    assert "1 reduction(s) would be announced, 0 flagged" in out
    assert "S0001 100001 WATER-10" in out and "0.71, lowest 30-day 0.79" in out


def test_the_store_is_sent_its_own_prior_prices(
    history: None, hq: StoreClient, client: Client
) -> None:
    publish_at(NOW)
    second = hq.get("config", headers={"X-Edge-Protocol": "2"}).json()
    water = [p for p in second["prior_prices"] if p["sku"] == "100001"]
    assert [(p["reference"], p["price"]) for p in water] == [("DRINKS-30", "0.69")]
    first = hq.get("config", headers={"X-Edge-Protocol": "1"}).json()
    assert "prior_prices" not in first  # a store of protocol 1 refuses what it does not know


def test_the_reductions_report_lists_flagged_ones_first(history: None, client: Client) -> None:
    from django.contrib.auth.models import Group, User

    publish_at(NOW)
    user = User.objects.create_user("ana", password="x" * 12)
    user.groups.add(Group.objects.get(name="Analyst"))
    client.force_login(user)
    answer = client.get("/reports/reductions/", {"start": days(0).date(), "end": days(9).date(),
                                                 "stores": "S0002"})  # fmt: skip
    assert answer.status_code == 200
    rows = answer.context["report"].rows
    assert [(r[1], r[3], r[6], r[7], bool(r[8])) for r in rows] == [
        ("100002", "DRINKS-30", D("0.90"), D("1.29"), True),
        ("200036", "price", D("1.99"), D("1.24"), True),
        ("100001", "DRINKS-30", D("0.69"), D("0.79"), False),
    ]


def test_a_store_registered_after_the_publish_gets_its_reductions_too(history: None) -> None:
    from tests.cloud_hq.conftest import register_store

    publish_at(NOW)
    register_store(name="Köln", code="S0003")
    found = reductions()
    # like S0002 (no book of its own), worked out from the version's own prices
    assert found[("S0003", "100001", "DRINKS-30")] == (D("0.69"), D("0.79"), "")
    assert found[("S0003", "200036", "price")][:2] == (D("1.99"), D("1.24"))


def test_a_book_reduction_already_running_at_the_first_publish_is_announced_and_flagged(
    import_catalog: Any, hq: StoreClient
) -> None:
    """HQ's first publish, with a chain book that took water to 0.59 two days ago: HQ has no
    history of it, yet the reduction is announced (what the version says it cost before:
    the list price 0.79) and flagged for its short history."""
    document = catalog_document()
    document["price_books"] = [{"code": "CHAIN-WATER", "scope": "chain", "prices": [
        {"sku": "100001", "price": "0.59", **window(days(-2), days(5))}]}]  # fmt: skip
    import_catalog(document)
    publish_at(NOW)
    reduced, prior, flag = reductions()[("S0001", "100001", "price")]
    assert (reduced, prior) == (D("0.59"), D("0.79"))
    assert "less than 30 days" in flag
    sent = hq.get("config", headers={"X-Edge-Protocol": "2"}).json()["prior_prices"]
    assert [(p["sku"], p["price"]) for p in sent] == [("100001", "0.79")]
