"""Merchandisers keep master data in HQ's admin; the forms hold it to the catalogue file's
rules (a bad barcode, price or promotion is refused with a message and nothing is saved)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from cloud_hq.catalog.models import Barcode, PriceBook, Product, Promotion, TaxClass
from tests.cloud_hq.conftest import catalog_document, ean13

OAT_MILK = ean13("401234567890")


@pytest.fixture
def merchandiser(client: Client, import_catalog: Any) -> Client:
    import_catalog(catalog_document())
    user = User.objects.create_user("mia", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name="Merchandiser"))
    client.force_login(user)
    return client


def product_form(**changes: str) -> dict[str, str]:
    form = {
        "sku": "300001", "name": "Oat milk 1 l", "price": "1.49", "unit": "each",
        "tax_class": str(TaxClass.objects.get(code="STD").pk), "category": "", "plu": "",
        "barcodes-TOTAL_FORMS": "1", "barcodes-INITIAL_FORMS": "0",
        "barcodes-MIN_NUM_FORMS": "0", "barcodes-MAX_NUM_FORMS": "1000",
        "barcodes-0-code": OAT_MILK,
    }  # fmt: skip
    form.update(changes)
    return form


def test_a_product_with_its_barcode_is_added(merchandiser: Client) -> None:
    answer = merchandiser.post("/admin/hq_catalog/product/add/", product_form())
    assert answer.status_code == 302, answer.content.decode()[:2000]
    product = Product.objects.get(sku="300001")
    assert Barcode.objects.get(product=product).gtin == "0" + OAT_MILK


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"barcodes-0-code": OAT_MILK[:-1] + str((int(OAT_MILK[-1]) + 1) % 10)}, "check digit"),
        ({"price": "-1.00"}, "greater than or equal to 0"),
        ({"sku": "bad sku!"}, "String should match pattern"),
        ({"plu": "12"}, "is not a PLU"),
        ({"name": "Oat\x00milk"}, "Null characters are not allowed"),
    ],
)
def test_a_bad_product_is_refused_with_a_message(
    merchandiser: Client, changes: dict[str, str], message: str
) -> None:
    answer = merchandiser.post("/admin/hq_catalog/product/add/", product_form(**changes))
    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert not Product.objects.filter(sku__in=["300001", "bad sku!"]).exists()


def test_a_barcode_another_product_has_is_refused(merchandiser: Client) -> None:
    held = Barcode.objects.first()
    assert held is not None
    answer = merchandiser.post("/admin/hq_catalog/product/add/",
                               product_form(**{"barcodes-0-code": held.code}))  # fmt: skip
    assert "is already the barcode of" in answer.content.decode()
    assert not Product.objects.filter(sku="300001").exists()


def promotion_form(**changes: str) -> dict[str, str]:
    form = {
        "code": "OAT20", "name": "20 % off oat milk", "kind": "percent_off",
        "starts_0": "2026-12-01", "starts_1": "00:00:00",
        "ends_0": "2026-12-08", "ends_1": "00:00:00",
        "definition": '{"percent": "20", "skus": ["100001"]}',
    }  # fmt: skip
    form.update(changes)
    return form


def test_a_future_dated_promotion_is_scheduled(merchandiser: Client) -> None:
    answer = merchandiser.post("/admin/hq_catalog/promotion/add/", promotion_form())
    assert answer.status_code == 302, answer.content.decode()[:3000]
    promotion = Promotion.objects.get(code="OAT20")
    assert promotion.definition["percent"] == "20"
    assert promotion.definition["code"] == "OAT20"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"definition": '{"skus": ["100001"]}'}, "percent"),
        ({"definition": "[1, 2]"}, "The definition is a JSON object."),
        ({"definition": '{"percent": "20", "colour": "red"}'}, "Extra inputs are not permitted"),
        ({"ends_0": "2026-11-01"}, "ends must be after starts"),
    ],
)
def test_a_bad_promotion_is_refused_with_a_message(
    merchandiser: Client, changes: dict[str, str], message: str
) -> None:
    answer = merchandiser.post("/admin/hq_catalog/promotion/add/", promotion_form(**changes))
    assert answer.status_code == 200
    assert message in answer.content.decode()
    assert not Promotion.objects.filter(code="OAT20").exists()


def test_a_price_book_names_its_scope(merchandiser: Client) -> None:
    form = {"code": "NORTH", "scope": "region", "region": "", "store": "",
            "entries-TOTAL_FORMS": "0", "entries-INITIAL_FORMS": "0",
            "entries-MIN_NUM_FORMS": "0", "entries-MAX_NUM_FORMS": "1000"}  # fmt: skip
    answer = merchandiser.post("/admin/hq_catalog/pricebook/add/", form)
    assert "A region&#x27;s price book names its region." in answer.content.decode()
    form.update({"region": "north", "entries-TOTAL_FORMS": "1", "entries-0-sku": "100001",
                 "entries-0-price": "0.69", "entries-0-starts_0": "2026-12-01",
                 "entries-0-starts_1": "00:00:00"})  # fmt: skip
    answer = merchandiser.post("/admin/hq_catalog/pricebook/add/", form)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert PriceBook.objects.get(code="NORTH").entries.get().price == Decimal("0.69")


def test_store_keys_are_shown_without_their_secret_and_not_added_by_hand(
    client: Client, store: Any
) -> None:
    admin = User.objects.create_superuser("root", password="x" * 12)
    client.force_login(admin)
    page = client.get("/admin/hq_stores/store/S0001/change/").content.decode()
    assert store.key_id in page
    assert store.secret not in page
    assert client.get("/admin/hq_stores/storekey/add/").status_code == 403


def test_a_merchandiser_publishes_from_the_admin(merchandiser: Client) -> None:
    from cloud_hq.publishing.models import ConfigVersion

    page = merchandiser.get("/admin/hq_publishing/configversion/")
    assert b'id="publish-now"' in page.content
    assert merchandiser.get("/admin/hq_publishing/configversion/publish/").status_code == 405
    answer = merchandiser.post("/admin/hq_publishing/configversion/publish/", follow=True)
    assert answer.status_code == 200
    version = ConfigVersion.objects.get()
    assert f"Published config v{version.version}: 3 products".encode() in answer.content


def test_an_analyst_cannot_publish(client: Client, import_catalog: Any) -> None:
    from cloud_hq.publishing.models import ConfigVersion

    import_catalog(catalog_document())
    user = User.objects.create_user("ana", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name="Analyst"))
    client.force_login(user)
    assert client.post("/admin/hq_publishing/configversion/publish/").status_code == 403
    assert not ConfigVersion.objects.exists()
