"""GET /api/v1/stores/{id}/config: the newest published version in pages, with an ETag
"v<version>-d<deliveries>-s<stores>-p<profile>" that changes with anything the store must
pull. From sync protocol 2 the store's profile carries its country and time zone."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from cloud_hq.catalog.models import Product
from cloud_hq.stores.models import Store
from tests.cloud_hq.conftest import (
    COLA,
    WATER,
    CommandOutput,
    StoreClient,
    catalog_document,
    ean13,
    refused_command,
    register_store,
    run_command,
)

Import = Callable[..., CommandOutput]


def bigger_catalog() -> dict[str, Any]:
    """The small catalogue plus two drinks: five products."""
    document = catalog_document()
    document["products"] += [
        {"sku": "100002", "name": "Cola 1 l", "barcodes": [COLA], "price": "1.29",
         "tax_class": "STD", "unit": "each", "category": "drinks"},
        {"sku": "100003", "name": "Lemonade 1 l", "barcodes": [ean13("400000000013")],
         "price": "1.19", "tax_class": "STD", "unit": "each", "category": "drinks"},
    ]  # fmt: skip
    return document


def publish() -> str:
    return run_command("publish_config").stdout


def manifest(hq: StoreClient, **options: Any) -> dict[str, Any]:
    answer = hq.get("config", **options)
    assert answer.status_code == 200, answer.content
    return answer.json()


def all_pages(hq: StoreClient, version: int) -> list[dict[str, Any]]:
    """Fetch a version's pages from page 1 until HQ answers 404, and return their JSON."""
    pages = []
    while True:
        answer = hq.get(f"config/{version}/products?page={len(pages) + 1}")
        if answer.status_code == 404:
            return pages
        assert answer.status_code == 200, answer.content
        pages.append(answer.json())


def test_config_before_any_publish_is_not_found(hq: StoreClient) -> None:
    # When a store pulls before HQ published anything
    answer = hq.get("config")

    # Then HQ answers 404 with a reason
    assert answer.status_code == 404
    assert answer.json() == {"detail": "no config has been published yet"}


def test_published_manifest_describes_the_version_and_the_store(
    hq: StoreClient, import_catalog: Import
) -> None:
    # Given a catalogue imported and published
    import_catalog(catalog_document())
    assert "published config v1: 3 products in 1 page(s)" in publish()

    # When the store pulls its config
    answer = hq.get("config")

    # Then it gets the manifest of v1 with its own profile and the chain's stores
    assert answer.status_code == 200, answer.content
    assert answer["ETag"].startswith('"v1-d0-s1-p')  # version, deliveries, stores, profile
    body = answer.json()
    assert body.pop("published_at")
    assert body == {
        "version": 1,
        "store": {"name": "Berlin Mitte", "currency": "EUR", "region": "", "cash_rounding": None},
        "tax_classes": [
            {"code": "RED", "rate": "0.0700", "inclusive": True},
            {"code": "STD", "rate": "0.1900", "inclusive": True},
        ],
        "promotions": [],
        "stores": [{"code": "S0001", "name": "Berlin Mitte"}],
        "deliveries": [],
        "product_pages": 1,
        "products_total": 3,
        "delta_from": None,
        "removed": [],
        "catalogue_total": 3,
    }


def test_manifest_carries_each_stores_own_profile(
    client: Client, hq: StoreClient, import_catalog: Import
) -> None:
    # Given a store that sells in Swiss francs, and a published config
    zurich = StoreClient(client, register_store(name="Zürich HB", code="ZH1", currency="CHF"))
    import_catalog(catalog_document())
    publish()

    # When both stores pull
    # Then each sees its own name and currency
    profile = {"region": "", "cash_rounding": None}
    assert manifest(hq)["store"] == {"name": "Berlin Mitte", "currency": "EUR", **profile}
    assert manifest(zurich)["store"] == {"name": "Zürich HB", "currency": "CHF", **profile}


def test_protocol_2_carries_the_stores_country_and_time_zone(
    hq: StoreClient, import_catalog: Import
) -> None:
    # Given a store HQ places in Germany, in Berlin's zone, and a published config
    Store.objects.filter(code=hq.credentials.store_id).update(
        country="de", time_zone="Europe/Berlin"
    )
    import_catalog(catalog_document())
    publish()

    # When it pulls speaking protocol 2, and as a store of protocol 1 would
    second = manifest(hq, headers={"X-Edge-Protocol": "2"})["store"]
    first = manifest(hq, headers={"X-Edge-Protocol": "1"})["store"]

    # Then protocol 2 has both; protocol 1 neither (such a store refuses fields it does not know)
    assert (second["country"], second["time_zone"]) == ("de", "Europe/Berlin")
    assert first == {"name": "Berlin Mitte", "currency": "EUR", "region": "", "cash_rounding": None}


def test_a_change_to_the_stores_profile_is_pulled_again(
    hq: StoreClient, import_catalog: Import
) -> None:
    # Given v1 pulled
    import_catalog(catalog_document())
    publish()
    etag = hq.get("config", headers={"X-Edge-Protocol": "2"})["ETag"]

    # When HQ moves the store to another time zone (no new config version)
    Store.objects.filter(code=hq.credentials.store_id).update(time_zone="Europe/Vienna")
    answer = hq.get("config", headers={"X-Edge-Protocol": "2", "If-None-Match": etag})

    # Then the store's ETag no longer matches: it gets v1 again, with the new zone
    assert answer.status_code == 200 and answer["ETag"] != etag
    assert answer.json()["version"] == 1
    assert answer.json()["store"]["time_zone"] == "Europe/Vienna"


def test_pull_with_the_current_etag_is_not_modified(
    hq: StoreClient, import_catalog: Import
) -> None:
    # Given v1 published and pulled
    import_catalog(catalog_document())
    publish()
    etag = hq.get("config")["ETag"]

    # When the store asks again with the ETag it holds
    answer = hq.get("config", headers={"If-None-Match": etag})

    # Then nothing is sent again
    assert answer.status_code == 304 and answer["ETag"] == etag and not answer.content


def test_later_publish_yields_the_next_version(hq: StoreClient, import_catalog: Import) -> None:
    # Given v1 published, then a price change published
    import_catalog(catalog_document())
    publish()
    v1_etag = hq.get("config")["ETag"]
    changed = catalog_document()
    changed["products"][0]["price"] = "0.89"
    import_catalog(changed)
    assert "published config v2" in publish()

    # When a store that holds v1 pulls
    answer = hq.get("config", headers={"If-None-Match": v1_etag})

    # Then it gets v2
    assert answer.status_code == 200
    assert answer["ETag"] == v1_etag.replace('"v1-', '"v2-')
    assert answer.json()["version"] == 2
    (page,) = all_pages(hq, 2)
    assert {p["sku"]: p["price"] for p in page["products"]}["100001"] == "0.89"


def test_pages_return_every_product_exactly_once(
    hq: StoreClient, import_catalog: Import, settings
) -> None:
    # Given five products published in pages of two
    settings.CONFIG_PAGE_SIZE = 2
    import_catalog(bigger_catalog())
    publish()
    body = manifest(hq)
    assert (body["product_pages"], body["products_total"]) == (3, 5)

    # When the store fetches pages 1 to 3
    pages = all_pages(hq, 1)

    # Then each page is numbered, holds at most two products, and together they hold
    # every product exactly once, as the catalogue says
    assert [(p["version"], p["page"], len(p["products"])) for p in pages] == [
        (1, 1, 2),
        (1, 2, 2),
        (1, 3, 1),
    ]
    products = [product for page in pages for product in page["products"]]
    assert sorted(p["sku"] for p in products) == ["100001", "100002", "100003", "200036", "4011"]
    by_sku = {p["sku"]: p for p in products}
    assert by_sku["100001"] == {
        "sku": "100001",
        "name": "Sparkling water 1 l",
        "barcodes": [WATER],
        "plu": "",
        "price": "0.79",
        "tax_class": "STD",
        "unit": "each",
        "category": "drinks",
        "prices": [],
    }
    assert (by_sku["4011"]["plu"], by_sku["4011"]["unit"]) == ("4011", "kg")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("config/1/products?page=4", 404),
        ("config/2/products?page=1", 404),
        ("config/1/products?page=0", 422),
        ("config/1/products?page=two", 422),
    ],
)
def test_page_outside_the_published_version_is_refused(
    hq: StoreClient, import_catalog: Import, settings, path: str, status: int
) -> None:
    # Given v1 published in three pages
    settings.CONFIG_PAGE_SIZE = 2
    import_catalog(bigger_catalog())
    publish()

    # When the store asks for a page that does not exist
    answer = hq.get(path)

    # Then HQ answers a client error
    assert answer.status_code == status


def test_publishing_again_never_changes_an_existing_version(
    hq: StoreClient, import_catalog: Import, settings
) -> None:
    # Given v1 published in pages of two
    settings.CONFIG_PAGE_SIZE = 2
    import_catalog(bigger_catalog())
    publish()
    v1_before = all_pages(hq, 1)

    # When prices change, a product is added, and v2 and v3 are published
    changed = bigger_catalog()
    for product in changed["products"]:
        product["price"] = "9.99"
    changed["products"].append(
        {"sku": "100004", "name": "Iced tea 1 l", "barcodes": [ean13("400000000014")],
         "price": "1.49", "tax_class": "STD", "unit": "each", "category": "drinks"}
    )  # fmt: skip
    import_catalog(changed)
    publish()
    publish()

    # Then v1's pages are exactly what they were, and v2 and v3 hold the new master data
    assert all_pages(hq, 1) == v1_before
    for version in (2, 3):
        products = [p for page in all_pages(hq, version) for p in page["products"]]
        assert len(products) == 6
        assert {p["price"] for p in products if p["sku"] != "100004"} == {"9.99"}
    assert manifest(hq)["version"] == 3


def test_promotions_and_price_books_travel_with_the_config(
    hq: StoreClient, client: Client, import_catalog: Import
) -> None:
    # Given a promotion on a group, and chain, region and store prices for water
    north = StoreClient(client, register_store(name="Hamburg", code="HH1", region="north"))
    document = catalog_document()
    document["groups"] = [{"code": "WATERS", "skus": ["100001"], "groups": ["FIZZ"]},
                          {"code": "FIZZ", "categories": ["drinks"]}]  # fmt: skip
    document["promotions"] = [{
        "code": "WATER-3FOR2", "name": "Water 3 for 2.00", "kind": "multi_buy",
        "groups": ["WATERS"], "quantity": 3, "price": "2.00", "stackable": False,
        "starts": "2026-01-01T00:00:00+00:00", "ends": "2099-01-01T00:00:00+00:00",
    }]  # fmt: skip
    document["price_books"] = [
        {"code": "CHAIN-2099", "scope": "chain",
         "prices": [{"sku": "100001", "price": "0.89", "starts": "2099-01-01T00:00:00+00:00"}]},
        {"code": "NORTH", "scope": "region", "region": "north",
         "prices": [{"sku": "100001", "price": "0.75"}]},
        {"code": "BERLIN", "scope": "store", "store": "S0001",
         "prices": [{"sku": "100001", "price": "0.69"}]},
    ]  # fmt: skip
    import_catalog(document)
    publish()

    # When each store pulls
    # Then the promotion arrives with its groups resolved into SKUs and categories
    (promotion,) = manifest(hq)["promotions"]
    assert (promotion["skus"], promotion["categories"]) == (["100001"], ["drinks"])
    assert "groups" not in promotion

    # And each store gets the chain's prices plus those of its own region or store only
    def water_prices(store: StoreClient) -> list[str]:
        page = store.get("config/1/products?page=1").json()
        water = next(p for p in page["products"] if p["sku"] == "100001")
        return sorted(p["price"] for p in water["prices"])

    assert water_prices(hq) == ["0.69", "0.89"]
    assert water_prices(north) == ["0.75", "0.89"]


def test_an_announced_delivery_changes_the_etag_and_travels_to_its_store_only(
    client: Client, hq: StoreClient, import_catalog: Import, write_json: Any
) -> None:
    # Given a published config the store already holds, and a second store
    other = StoreClient(client, register_store(name="Hamburg", code="HH1"))
    import_catalog(catalog_document())
    publish()
    etag = hq.get("config")["ETag"]

    # When HQ announces a delivery to S0001
    announced = run_command("announce_delivery", str(write_json({
        "store": "S0001", "reference": "DN-4711", "supplier": "Brunnen GmbH",
        "lines": [{"sku": "100001", "quantity": "24"}],
    }))).stdout  # fmt: skip
    assert "announced DN-4711 to S0001" in announced

    # Then the store's pull is no longer 304, and the manifest carries the delivery
    answer = hq.get("config", headers={"If-None-Match": etag})
    assert answer.status_code == 200
    assert answer.json()["deliveries"] == [{"reference": "DN-4711", "supplier": "Brunnen GmbH",
        "expected_at": None, "lines": [{"sku": "100001", "quantity": "24"}]}]  # fmt: skip
    assert other.get("config").json()["deliveries"] == []


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"store": "S9", "reference": "DN-1", "lines": [{"sku": "100001", "quantity": "1"}]},
         "unknown store"),
        ({"store": "S0001", "reference": "DN-1", "lines": [{"sku": "999", "quantity": "1"}]},
         "unknown SKU"),
        ({"store": "S0001", "reference": "DN-1", "lines": [{"sku": "100001", "quantity": "-1"}]},
         "greater than 0"),
        ({"store": "S0001", "reference": "DN-1", "lines": []}, "at least 1"),
        ({"store": "S0001", "reference": "DN 1", "lines": [{"sku": "100001", "quantity": "1"}]},
         "pattern"),
        ({"store": "S0001", "reference": "DN-1", "expected_at": "9999-12-31T23:59:59-23:59",
          "lines": [{"sku": "100001", "quantity": "1"}]}, "out of range"),
    ],
)  # fmt: skip
def test_a_bad_delivery_is_not_announced(
    hq: StoreClient, import_catalog: Import, write_json: Any, document: dict, problem: str
) -> None:
    import_catalog(catalog_document())
    refusal = refused_command("announce_delivery", str(write_json(document)))
    assert problem in refusal.stderr
    assert hq.get("config").status_code == 404  # nothing published, nothing announced


def changed_catalogue() -> dict:
    """The test catalogue with water's price changed and cola added."""
    document = catalog_document()
    document["products"][0]["price"] = "0.85"
    document["products"].append({"sku": "100002", "name": "Cola 0.33 l", "barcodes": [],
                                 "price": "0.99", "tax_class": "STD", "unit": "each"})  # fmt: skip
    return document


def test_a_store_behind_gets_only_what_changed_since_its_version(
    hq: StoreClient, import_catalog: Import, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.CONFIG_DELTA_MAX_FRACTION = 1.0  # a 3-product catalogue: every change is a third
    import_catalog(catalog_document(), "--publish")
    import_catalog(changed_catalogue())
    Product.objects.filter(sku="4011").delete()  # bananas leave the range
    assert "v2" in publish()
    assert "v3" in publish()  # v3 changes nothing more
    manifest = hq.get("config?since=1").json()
    assert (manifest["version"], manifest["delta_from"]) == (3, 1)
    assert (manifest["products_total"], manifest["catalogue_total"]) == (2, 3)
    assert manifest["removed"] == ["4011"]
    page = hq.get("config/3/products?page=1&since=1").json()
    assert [(p["sku"], p["price"]) for p in page["products"]] == [
        ("100001", "0.85"), ("100002", "0.99")]  # fmt: skip
    assert hq.get("config/3/products?page=2&since=1").status_code == 404
    # Up to date on v2: nothing changed since
    assert hq.get("config?since=2").json()["products_total"] == 0
    # A store with nothing, or claiming a future version, gets the whole snapshot
    for since in ("", "?since=0", "?since=9"):
        snapshot = hq.get(f"config{since}").json()
        assert (snapshot["delta_from"], snapshot["products_total"]) == (None, 3)
    assert hq.get("config?since=-1").status_code == 422
    assert hq.get("config?since=abc").status_code == 422


def test_a_version_that_changes_most_of_the_catalogue_is_pulled_whole(
    hq: StoreClient, import_catalog: Import, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.CONFIG_DELTA_MAX_FRACTION = 0.2
    import_catalog(catalog_document(), "--publish")
    import_catalog(changed_catalogue(), "--publish")
    assert hq.get("config?since=1").json()["delta_from"] is None


def test_a_withdrawn_promotion_is_shown_by_a_dry_run_and_published_no_more(
    hq: StoreClient, import_catalog: Import, write_json: Any
) -> None:
    water_10 = {"code": "WATER-10", "name": "Water 10 % off", "kind": "percent_off",
                "skus": ["100001"], "percent": "10", "starts": "2026-01-01T00:00:00+00:00",
                "ends": "2099-01-01T00:00:00+00:00"}  # fmt: skip
    document = catalog_document()
    document["promotions"] = [water_10]
    import_catalog(document)
    publish()
    assert [p["code"] for p in manifest(hq)["promotions"]] == ["WATER-10"]
    assert "active" not in manifest(hq)["promotions"][0]  # not a field of the store's contract

    # A file that withdraws it (its window untouched) and brings a new one, tried first
    document["promotions"] = [
        {**water_10, "active": False},
        {**water_10, "code": "WATER-20", "name": "Water 20 % off", "percent": "20"},
    ]
    out = run_command("import_catalog", str(write_json(document)), dry_run=True).stdout
    assert "promotions: 1 new, 0 changed, 1 withdrawn, 0 brought back" in out
    assert "withdrawn WATER-10 (published no more)" in out
    assert "new promotion WATER-20" in out
    assert [p["code"] for p in manifest(hq)["promotions"]] == ["WATER-10"]  # nothing kept

    import_catalog(document)
    publish()
    assert [p["code"] for p in manifest(hq)["promotions"]] == ["WATER-20"]

    # Brought back with a new percentage: the dry run says both.
    document["promotions"] = [{**water_10, "percent": "15"}]
    out = run_command("import_catalog", str(write_json(document)), dry_run=True).stdout
    assert "promotions: 0 new, 1 changed, 0 withdrawn, 1 brought back" in out
    assert "WATER-10: percent: 10 → 15" in out


def test_each_promotion_says_when_it_was_added_and_a_return_counts_as_new(
    hq: StoreClient, import_catalog: Import
) -> None:
    """Stores add competing promotions in the order they went live (see the engine): HQ
    sends when each was created, or withdrawn and brought back; a changed one keeps its."""
    water_10 = {"code": "WATER-10", "name": "Water 10 % off", "kind": "percent_off",
                "skus": ["100001"], "percent": "10", "starts": "2026-01-01T00:00:00+00:00",
                "ends": "2099-01-01T00:00:00+00:00"}  # fmt: skip
    water_20 = {**water_10, "code": "WATER-20", "name": "Water 20 % off", "percent": "20"}

    def added() -> dict[str, datetime]:
        publish()
        promotions = manifest(hq, headers={"X-Edge-Protocol": "2"})["promotions"]
        return {p["code"]: datetime.fromisoformat(p["added"]) for p in promotions}

    document = catalog_document()
    document["promotions"] = [water_10]
    import_catalog(document)
    first = added()["WATER-10"]
    document["promotions"] = [{**water_10, "percent": "12"}, water_20]
    import_catalog(document)
    changed = added()
    assert changed["WATER-10"] == first < changed["WATER-20"]  # changed: still as old
    document["promotions"] = [{**water_10, "active": False}, water_20]
    import_catalog(document)
    document["promotions"] = [water_10, water_20]
    import_catalog(document)
    back = added()
    assert back["WATER-20"] == changed["WATER-20"] < back["WATER-10"]  # back: as new
    # A store of protocol 1 refuses fields it does not know: it is not sent
    (old, _) = manifest(hq, headers={"X-Edge-Protocol": "1"})["promotions"]
    assert "added" not in old and old["code"] == "WATER-10"


def local_christmas(ends: str = "2026-12-27T00:00:00") -> dict[str, Any]:
    return {"code": "XMAS", "name": "Christmas water", "kind": "percent_off",
            "skus": ["100001"], "percent": "10", "starts": "2026-12-24T00:00:00",
            "ends": ends}  # fmt: skip


def test_a_local_window_reaches_each_store_as_its_protocol_reads_it(
    hq: StoreClient, import_catalog: Import
) -> None:
    # Given a store HQ places in New York, and a promotion to each store's own midnight
    Store.objects.filter(code=hq.credentials.store_id).update(time_zone="America/New_York")
    document = catalog_document()
    document["promotions"] = [local_christmas()]
    import_catalog(document)
    publish()

    # When the store pulls speaking protocol 2, and as a store of protocol 1 would
    (local,) = manifest(hq, headers={"X-Edge-Protocol": "2"})["promotions"]
    (instant,) = manifest(hq, headers={"X-Edge-Protocol": "1"})["promotions"]

    # Then protocol 2 reads the window without offset (its engine reads it by the store's
    # clock); protocol 1, which reads instants only, gets New York's midnights
    assert (local["starts"], local["ends"]) == ("2026-12-24T00:00:00", "2026-12-27T00:00:00")
    assert (instant["starts"], instant["ends"]) == (
        "2026-12-24T00:00:00-05:00", "2026-12-27T00:00:00-05:00")  # fmt: skip


def test_a_local_window_is_published_until_its_end_has_passed_in_every_zone(
    hq: StoreClient, import_catalog: Import, settings: Any
) -> None:
    # Given HQ on UTC and a local window that ended at 00:00 by HQ's clock: 20 hours ago,
    # and one that ended 27 hours ago
    settings.TIME_ZONE = "UTC"
    now = datetime.now(UTC)
    recent = (now - timedelta(hours=20)).replace(tzinfo=None, microsecond=0)
    long_ago = (now - timedelta(hours=27)).replace(tzinfo=None, microsecond=0)
    document = catalog_document()
    document["promotions"] = [
        {**local_christmas(), "code": "RECENT", "starts": "2026-01-01T00:00:00",
         "ends": recent.isoformat()},
        {**local_christmas(), "code": "OVER", "starts": "2026-01-01T00:00:00",
         "ends": long_ago.isoformat()},
    ]  # fmt: skip
    import_catalog(document)
    publish()

    # Then the first is still published (a store west of UTC is still inside it), the
    # second no more (over in every zone, UTC-12 included)
    codes = [p["code"] for p in manifest(hq, headers={"X-Edge-Protocol": "2"})["promotions"]]
    assert codes == ["RECENT"]
