"""HQ's side of the wire contract: every answer HQ gives a store is what the store's own
wire models accept (loaded from the store's code by path: the two projects share no code)."""

import importlib.util
import itertools
import sys
from decimal import Decimal
from types import ModuleType
from typing import Any

import pytest

from cloud_hq.stores.models import Store
from tests.cloud_hq.catalog.test_import_catalog import Import
from tests.cloud_hq.conftest import StoreClient, Till, catalog_document
from tests.processes import ROOT


@pytest.fixture(scope="module")
def store_contract() -> ModuleType:
    path = ROOT / "store_edge" / "sync" / "contract.py"
    spec = importlib.util.spec_from_file_location("store_wire_contract", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_push_answers_are_what_the_store_reads(
    hq: StoreClient, till: Till, store_contract: ModuleType
) -> None:
    batch = till.sale(("100001", "2", "0.79"))
    bad = till.movement("100001", "-1.000")
    bad["kind"] = "gift_card_sold"
    answer = hq.push([*batch, bad])
    assert answer.status_code == 200
    read = store_contract.PushAnswerWire.model_validate(answer.json())
    assert read.quarantined[0].seq == 3
    batch[1]["quantity"] = "-9.000"  # the same seq with other content
    conflict = hq.push(batch)
    assert conflict.status_code == 409
    assert store_contract.ConflictAnswerWire.model_validate(conflict.json()).conflicts == [2]


def test_config_answers_are_what_the_store_reads(
    hq: StoreClient, import_catalog: Import, store_contract: ModuleType, settings: Any
) -> None:
    settings.CONFIG_DELTA_MAX_FRACTION = 1.0
    import_catalog(catalog_document(), "--publish")
    document = catalog_document()
    document["products"][0]["price"] = "0.99"
    import_catalog(document, "--publish")
    Store.objects.update(country="de", time_zone="Europe/Berlin")
    pulls = (("config", "config/2/products?page=1"),
             ("config?since=1", "config/2/products?page=1&since=1"))  # fmt: skip
    for (manifest_path, page_path), protocol in itertools.product(pulls, ("1", "2")):
        answer = hq.get(manifest_path, headers={"X-Edge-Protocol": protocol})
        manifest = store_contract.ConfigManifestWire.model_validate(answer.json())
        page = store_contract.ProductsPageWire.model_validate(hq.get(page_path).json())
        assert manifest.version == page.version == 2
    assert manifest.delta_from == 1 and [p.sku for p in page.products] == ["100001"]
    assert (manifest.store.country, manifest.store.time_zone) == ("de", "Europe/Berlin")


def test_a_store_of_protocol_1_reads_every_config_answer_hq_gives_it(
    hq: StoreClient, import_catalog: Import
) -> None:
    """The release before's store (its contract frozen in tests/contract) refuses fields it
    does not know: HQ's answers to it carry none of protocol 2's, local windows and all."""
    from tests.contract import store_wire_v1

    document = catalog_document()
    document["promotions"] = [
        {"code": "XMAS", "name": "Christmas water", "kind": "percent_off", "skus": ["100001"],
         "percent": "10", "starts": "2026-12-24T00:00:00", "ends": "2026-12-27T00:00:00"},
        {"code": "W5", "name": "Water 5 % off", "kind": "percent_off", "skus": ["100001"],
         "percent": "5", "starts": "2026-01-01T00:00:00+00:00",
         "ends": "2099-01-01T00:00:00+00:00"},
    ]  # fmt: skip
    document["price_books"] = [{"code": "CHAIN-WATER", "scope": "chain", "prices": [
        {"sku": "100001", "price": "0.59", "starts": "2026-01-01T00:00:00+00:00",
         "ends": "2099-01-01T00:00:00+00:00"}]}]  # fmt: skip
    import_catalog(document, "--publish")
    Store.objects.update(country="us", time_zone="America/New_York")
    answer = hq.get("config", headers={"X-Edge-Protocol": "1"})
    manifest = store_wire_v1.ConfigManifestWire.model_validate(answer.json())
    assert {p.code: p.starts.utcoffset() is not None for p in manifest.promotions} == {
        "XMAS": True, "W5": True}  # fmt: skip
    page = hq.get("config/1/products?page=1", headers={"X-Edge-Protocol": "1"})
    store_wire_v1.ProductsPageWire.model_validate(page.json())


def test_ledger_pages_are_what_the_store_reads(
    hq: StoreClient, till: Till, store_contract: ModuleType
) -> None:
    assert hq.push(till.sale(("100001", "2", "0.79"))).status_code == 200
    for query in ("ledger", "ledger?after=1&limit=1", "ledger?after=99"):
        answer = hq.get(query)
        assert answer.status_code == 200
        store_contract.LedgerPageWire.model_validate(answer.json())


def test_a_five_decimal_tax_rate_reaches_the_store_exactly(
    hq: StoreClient, import_catalog: Import, store_contract: ModuleType
) -> None:
    document = catalog_document()
    document["tax_classes"].append({"code": "NY", "rate": "0.08875", "inclusive": False})
    import_catalog(document, "--publish")
    published = hq.get("config").json()
    # four places where they hold the rate, as before: a store that reads no more takes them
    assert {t["code"]: t["rate"] for t in published["tax_classes"]} == {
        "NY": "0.08875", "RED": "0.0700", "STD": "0.1900"}  # fmt: skip
    manifest = store_contract.ConfigManifestWire.model_validate(published)
    ny = next(t for t in manifest.tax_classes if t.code == "NY")
    assert (ny.rate, ny.inclusive) == (Decimal("0.08875"), False)


def test_a_local_window_reaches_the_store_without_offset(
    hq: StoreClient, import_catalog: Import, store_contract: ModuleType
) -> None:
    document = catalog_document()
    document["promotions"] = [{"code": "XMAS", "name": "Christmas", "kind": "percent_off",
                               "skus": ["100001"], "percent": "10",
                               "starts": "2026-12-24T00:00:00",
                               "ends": "2026-12-27T00:00:00"}]  # fmt: skip
    import_catalog(document, "--publish")
    answer = hq.get("config", headers={"X-Edge-Protocol": "2"})
    (promotion,) = store_contract.ConfigManifestWire.model_validate(answer.json()).promotions
    assert (promotion.starts.isoformat(), promotion.ends.tzinfo) == ("2026-12-24T00:00:00", None)
