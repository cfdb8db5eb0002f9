"""The store's sync services against a real HQ under gunicorn, over real HTTP."""

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from store_edge.catalog.models import PriorPrice, Product, TaxClass
from store_edge.catalog.selectors import StorePlace, config_stamp, config_state, store_place
from store_edge.ledger.models import LedgerEntry
from store_edge.sync import services
from store_edge.sync.client import HQClient, HQRefused, HQUnreachable
from store_edge.sync.models import SyncState
from store_edge.sync.selectors import pending_entries
from tests.processes import System, free_port, running_hq
from tests.store_edge.conftest import LaneClient


@pytest.fixture(scope="module")
def hq(tmp_path_factory: pytest.TempPathFactory, catalog_file: Path) -> Iterator[System]:
    with running_hq(tmp_path_factory.mktemp("hq"), catalog_file) as running:
        yield running


@pytest.fixture
def hq_client(hq: System, db: None) -> Iterator[HQClient]:
    """A client for a store freshly registered at HQ (HQ holds nothing of it yet)."""
    store_id, store_key = hq.register_store()
    with HQClient(base_url=hq.hq_url, store_id=store_id, store_key=store_key) as hq_client:
        yield hq_client


def hq_summary(hq: System, hq_client: HQClient) -> dict:
    return json.loads(hq.hq_manage("ledger_summary", "--store", hq_client.store_id))


def test_a_pull_applies_the_published_catalogue_once(hq: System, hq_client: HQClient) -> None:
    assert services.config_pull(client=hq_client) == 1
    assert Product.objects.count() == 300
    assert set(TaxClass.objects.values_list("code", flat=True)) == {"STD", "RED", "ZERO"}
    assert Product.objects.get(plu="4011").unit == "kg"
    state = config_state()
    assert (state.version, state.store_name, state.currency) == (1, "Test store", "EUR")
    # A second pull is answered 304 and changes nothing
    assert services.config_pull(client=hq_client) is None
    assert SyncState.objects.get().last_pull_at is not None


def test_sales_are_pushed_and_acknowledged_up_to_hqs_mark(
    hq: System, hq_client: HQClient, lane_token: str, settings: object
) -> None:
    # Given the catalogue and three sales rung at the lane (2 entries each)
    services.config_pull(client=hq_client)
    lane = LaneClient(lane_token)
    code = Product.objects.exclude(barcodes=None).first().barcodes.first().code
    for _ in range(3):
        lane.ring([{"code": code}])
    # When the store pushes in batches of two entries
    settings.SYNC_BATCH_ROWS = 2  # type: ignore[attr-defined]
    result = services.ledger_push(client=hq_client)
    # Then HQ holds all six entries and the store knows it
    assert (result.sent, result.acked_seq, result.pending) == (6, 6, 0)
    summary = hq_summary(hq, hq_client)
    assert (summary["last_seq"], summary["entries"], summary["sales"]) == (6, 6, 3)
    assert lane.get("/sync/status")[1]["hq_reachable"] is True


def test_a_lost_acknowledgement_resends_and_hq_counts_once(hq: System, hq_client: HQClient,
                                                            lane_token: str) -> None:  # fmt: skip
    services.config_pull(client=hq_client)
    lane = LaneClient(lane_token)
    code = Product.objects.exclude(barcodes=None).first().barcodes.first().code
    lane.ring([{"code": code, "quantity": 2}])
    services.ledger_push(client=hq_client)
    # Given the store forgot HQ's answer (a crash before the ack was written)
    SyncState.objects.filter(id=1).update(acked_seq=0)
    # When it pushes again
    result = services.ledger_push(client=hq_client)
    # Then HQ answers with the same mark and holds each entry once
    assert result.acked_seq == 2
    summary = hq_summary(hq, hq_client)
    assert (summary["entries"], summary["sales"]) == (2, 1)


def test_an_unreachable_hq_leaves_everything_pending_and_selling_goes_on(
    lane_token: str, catalog: None
) -> None:
    lane = LaneClient(lane_token)
    lane.ring([{"code": "4006381333931"}])
    offline = HQClient(base_url=f"http://127.0.0.1:{free_port()}", store_id="S9999",
                       store_key="k." + "x" * 40, timeout=2)  # fmt: skip
    with pytest.raises(HQUnreachable):
        services.ledger_push(client=offline)
    state = SyncState.objects.get()
    assert state.offline_since is not None
    assert "unreachable" in state.last_error
    assert pending_entries() == 2
    # The lane still sells while HQ is away
    lane.ring([{"code": "4006381333931"}])
    assert pending_entries() == 4
    assert lane.get("/sync/status")[1]["hq_reachable"] is False


def test_a_wrong_key_is_refused_and_nothing_is_acknowledged(
    hq: System, hq_client: HQClient, lane_token: str, catalog: None
) -> None:
    LaneClient(lane_token).ring([{"code": "4006381333931"}])
    forged = HQClient(base_url=hq.hq_url, store_id=hq_client.store_id,
                      store_key=hq_client.store_key[:-4] + "AAAA")  # fmt: skip
    with pytest.raises(HQRefused) as refused:
        services.ledger_push(client=forged)
    assert refused.value.status == 401
    assert SyncState.objects.get().acked_seq == 0
    assert hq_summary(hq, hq_client)["entries"] == 0


def hostile_hq(routes: dict[str, httpx.Response]) -> HQClient:
    """An HQ that answers what a test needs; for answers the real HQ never gives."""

    def answer(request: httpx.Request) -> httpx.Response:
        for prefix, response in routes.items():
            if request.url.path.endswith(prefix):
                return response
        return httpx.Response(404, json={"detail": "no route"})

    return HQClient(base_url="http://hq.invalid", store_id="S0001", store_key="k." + "x" * 40,
                    transport=httpx.MockTransport(answer), retries=0)  # fmt: skip


MANIFEST = {
    "version": 5,
    "published_at": "2026-11-20T08:00:00Z",
    "store": {"name": "Store", "currency": "EUR"},
    "tax_classes": [{"code": "STD", "rate": "0.1900", "inclusive": True}],
    "product_pages": 1,
    "products_total": 1,
}
PRIOR = {"sku": "1", "reference": "WATER-20", "starts": "2026-11-20T08:00:00Z", "ends": None,
         "price": "0.69"}  # fmt: skip
GOOD_PRODUCT = {"sku": "1", "name": "Water", "barcodes": ["4006381333931"], "plu": "",
                "price": "0.79", "tax_class": "STD", "unit": "each", "category": ""}  # fmt: skip


@pytest.mark.parametrize(
    ("manifest", "products"),
    [
        ({**MANIFEST, "surprise": 1}, [GOOD_PRODUCT]),
        ({**MANIFEST, "store": {**MANIFEST["store"], "country": "DEU"}}, [GOOD_PRODUCT]),
        ({**MANIFEST, "prior_prices": [{**PRIOR, "price": "-0.01"}]}, [GOOD_PRODUCT]),
        (
            {**MANIFEST, "prior_prices": [{**PRIOR, "starts": "2026-11-20T08:00:00"}]},
            [GOOD_PRODUCT],
        ),
        ({**MANIFEST, "prior_prices": [{**PRIOR, "sku": "1" * 33}]}, [GOOD_PRODUCT]),
        ({**MANIFEST, "prior_prices": [{**PRIOR, "price": "0.691"}]}, [GOOD_PRODUCT]),
        ({**MANIFEST, "prior_prices": [{**PRIOR, "card": "4111111111111111"}]}, [GOOD_PRODUCT]),
        # (A well-formed zone name this store's tzdata lacks is taken, not refused: see
        # test_a_zone_this_store_does_not_know_is_taken_and_the_box_zone_holds.)
        (
            {**MANIFEST, "store": {**MANIFEST["store"], "time_zone": "Europe/Ber lin"}},
            [GOOD_PRODUCT],
        ),  # fmt: skip
        (
            {**MANIFEST, "store": {**MANIFEST["store"], "time_zone": "../../etc/passwd"}},
            [GOOD_PRODUCT],
        ),
        (
            {**MANIFEST, "store": {**MANIFEST["store"], "time_zone": "Europe/" + "B" * 80}},
            [GOOD_PRODUCT],
        ),
        ({**MANIFEST, "version": "five"}, [GOOD_PRODUCT]),
        ({**MANIFEST, "products_total": 2}, [GOOD_PRODUCT]),
        (MANIFEST, [{**GOOD_PRODUCT, "price": "-1.00"}]),
        (MANIFEST, [{**GOOD_PRODUCT, "tax_class": "NOPE"}]),
        (MANIFEST, [{**GOOD_PRODUCT, "barcodes": ["4006381333932"]}]),
        ({**MANIFEST, "products_total": 2}, [GOOD_PRODUCT, {**GOOD_PRODUCT, "sku": "2"}]),
    ],
)
def test_an_invalid_config_is_refused_and_the_old_version_stays(
    catalog: None, manifest: dict, products: list[dict]
) -> None:
    before = (config_state().version, Product.objects.count())
    hostile = hostile_hq({
        "/config": httpx.Response(200, json=manifest),
        "/products": httpx.Response(200, json={"version": 5, "page": 1, "products": products}),
    })  # fmt: skip
    with pytest.raises(services.ConfigRejected):
        services.config_pull(client=hostile)
    assert (config_state().version, Product.objects.count()) == before
    assert SyncState.objects.get().last_error


BERLIN = {"name": "Store", "currency": "EUR", "country": "de", "time_zone": "Europe/Berlin"}


def test_the_country_and_time_zone_hq_publishes_are_the_stores(catalog: None) -> None:
    hostile = hostile_hq({
        "/config": httpx.Response(200, json={**MANIFEST, "store": BERLIN}),
        "/products": httpx.Response(200, json={"version": 5, "page": 1,
                                              "products": [GOOD_PRODUCT]}),
    })  # fmt: skip
    assert services.config_pull(client=hostile) == 5
    place = store_place(config_stamp())
    assert (place.country, place.zone) == ("de", ZoneInfo("Europe/Berlin"))


def test_the_prior_prices_hq_publishes_replace_the_last_ones(catalog: None) -> None:
    PriorPrice.objects.create(sku="9", reference="OLD", starts="2026-01-01T00:00:00Z",
                              price=Decimal("1.00"))  # fmt: skip
    hostile = hostile_hq({
        "/config": httpx.Response(200, json={**MANIFEST, "prior_prices": [PRIOR]}),
        "/products": httpx.Response(200, json={"version": 5, "page": 1,
                                              "products": [GOOD_PRODUCT]}),
    })  # fmt: skip
    assert services.config_pull(client=hostile) == 5
    assert list(PriorPrice.objects.values_list("sku", "reference", "price")) == [
        ("1", "WATER-20", Decimal("0.69"))]  # fmt: skip


def test_a_new_profile_of_the_version_in_force_is_taken_without_a_new_catalogue(
    catalog: None, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    # Given the store on v1 with no country or zone from HQ: its own settings hold
    settings.STORE_COUNTRY, settings.TIME_ZONE = "se", "Europe/Stockholm"
    before, products = config_stamp(), Product.objects.count()
    assert store_place(before) == StorePlace("se", ZoneInfo("Europe/Stockholm"))

    # When HQ places the store in Berlin (same version: a new ETag, not a new catalogue)
    hostile = hostile_hq(
        {
            "/config": httpx.Response(
                200, json={**MANIFEST, "version": 1, "store": BERLIN}, headers={"ETag": '"v1-p2"'}
            )
        }
    )
    assert services.config_pull(client=hostile) is None

    # Then the store is in Berlin from now on, with the catalogue it had
    after = config_stamp()
    assert after[0] == 1 and after != before and Product.objects.count() == products
    assert store_place(after) == StorePlace("de", ZoneInfo("Europe/Berlin"))
    assert config_state().etag == '"v1-p2"'
    # and the operator is told to set the box's own clock zone to match (receipts, admin)
    assert "set TIME_ZONE=Europe/Berlin" in caplog.text


def test_an_older_config_version_is_never_applied(catalog: None) -> None:
    hostile = hostile_hq({"/config": httpx.Response(200, json={**MANIFEST, "version": 1})})
    assert services.config_pull(client=hostile) is None
    assert config_state().version == 1


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (httpx.Response(500, text="boom"), HQUnreachable),
        (httpx.Response(200, text="not json"), HQUnreachable),
        (httpx.Response(200, json={"high_water_mark": "x"}), HQRefused),
        (httpx.Response(422, json={"detail": "bad entry"}), HQRefused),
    ],
)
def test_a_bad_push_answer_acknowledges_nothing(
    lane_token: str, catalog: None, response: httpx.Response, error: type[Exception]
) -> None:
    LaneClient(lane_token).ring([{"code": "4006381333931"}])
    with pytest.raises(error):
        services.ledger_push(client=hostile_hq({"/events": response}))
    assert SyncState.objects.get().acked_seq == 0
    assert LedgerEntry.objects.count() == 2


def test_hq_cannot_acknowledge_more_than_the_store_wrote(lane_token: str, catalog: None) -> None:
    LaneClient(lane_token).ring([{"code": "4006381333931"}])
    answer = {"high_water_mark": 999, "accepted": 2, "duplicates": 0}
    result = services.ledger_push(client=hostile_hq({"/events": httpx.Response(200, json=answer)}))
    assert result.acked_seq == 2
    assert Decimal(pending_entries()) == 0


class Recording(httpx.HTTPTransport):
    """The real HTTP transport, remembering each path asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.raw_path.decode())
        return super().handle_request(request)


def test_a_store_one_version_behind_pulls_only_what_changed(
    hq: System, db: None, tmp_path: Path, catalog_file: Path
) -> None:
    store_id, store_key = hq.register_store()
    recorder = Recording()
    with HQClient(base_url=hq.hq_url, store_id=store_id, store_key=store_key,
                  transport=recorder) as client:  # fmt: skip
        assert services.config_pull(client=client) is not None
        version = config_state().version
        before = Product.objects.count()
        # HQ changes one price and adds one product, and publishes
        document = json.loads(catalog_file.read_text())
        changed = document["products"][10]
        changed["price"] = str(Decimal(changed["price"]) + Decimal("1.00"))
        new_line = {"sku": "990001", "name": "New line", "barcodes": [], "price": "1.50",
                    "tax_class": "STD", "unit": "each"}  # fmt: skip
        document["products"].append(new_line)
        edited = tmp_path / "catalogue.json"
        edited.write_text(json.dumps(document))
        hq.hq_manage("import_catalog", str(edited), "--publish")
        recorder.paths.clear()
        assert services.config_pull(client=client) == version + 1
    assert recorder.paths[0].endswith(f"/config?since={version}")
    pages = f"/api/v1/stores/{store_id}/config/{version + 1}/products"
    assert recorder.paths[1:] == [f"{pages}?page=1&since={version}"]
    assert Product.objects.count() == before + 1
    assert Product.objects.get(sku=changed["sku"]).price == Decimal(changed["price"])
    assert Product.objects.get(sku="990001").name == "New line"


def test_a_pull_that_fails_midway_leaves_the_version_in_force_and_no_spool(
    catalog: None, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.VAR_DIR = Path(settings.VAR_DIR)
    manifest = {**MANIFEST, "product_pages": 2, "products_total": 2}
    pages = iter([
        httpx.Response(200, json={"version": 5, "page": 1, "products": [GOOD_PRODUCT]}),
        httpx.Response(503),
    ])  # fmt: skip

    def answer(request: httpx.Request) -> httpx.Response:
        return (
            httpx.Response(200, json=manifest)
            if request.url.path.endswith("/config")
            else next(pages)
        )

    client = HQClient(base_url="http://hq.invalid", store_id="S0001", store_key="k." + "x" * 40,
                      transport=httpx.MockTransport(answer), retries=0)  # fmt: skip
    with pytest.raises(HQUnreachable):
        services.config_pull(client=client)
    assert (config_state().version, Product.objects.count()) == (1, 3)
    assert not list((settings.VAR_DIR / "store" / "spool").glob("*.jsonl"))


BOTH_TAXES = [{"code": "STD", "rate": "0.1900", "inclusive": True},
              {"code": "RED", "rate": "0.0700", "inclusive": True}]  # fmt: skip
DELTA = {**MANIFEST, "delta_from": 1, "tax_classes": BOTH_TAXES}


@pytest.mark.parametrize(
    ("manifest", "products", "message"),
    [
        ({**DELTA, "delta_from": 4}, [GOOD_PRODUCT], "delta from v4"),
        ({**DELTA, "removed": ["1"]}, [GOOD_PRODUCT], "both changed and removed"),
        ({**DELTA, "catalogue_total": 99}, [{**GOOD_PRODUCT, "barcodes": []}], "should hold 99"),
        ({**DELTA, "tax_classes": MANIFEST["tax_classes"]}, [GOOD_PRODUCT], "tax class still used"),
        # the delta's barcode is held by another product the delta leaves alone
        (DELTA, [{**GOOD_PRODUCT, "sku": "NEW"}], "does not apply"),
    ],
)
def test_a_delta_that_does_not_fit_is_refused_and_the_old_version_stays(
    catalog: None, manifest: dict, products: list[dict], message: str
) -> None:
    before = sorted(Product.objects.values_list("sku", "price"))
    hostile = hostile_hq({
        "/config": httpx.Response(200, json=manifest),
        "/products": httpx.Response(200, json={"version": 5, "page": 1, "products": products}),
    })  # fmt: skip
    with pytest.raises(services.ConfigRejected, match=message):
        services.config_pull(client=hostile)
    assert config_state().version == 1
    assert sorted(Product.objects.values_list("sku", "price")) == before


def test_a_delta_changes_removes_and_keeps_the_rest(catalog: None) -> None:
    water = Product.objects.get(barcodes__code="4006381333931")
    manifest = {**DELTA, "removed": ["4011"], "catalogue_total": 2}
    cheaper = {**GOOD_PRODUCT, "sku": water.sku, "name": water.name, "price": "0.69"}
    hostile = hostile_hq({
        "/config": httpx.Response(200, json=manifest),
        "/products": httpx.Response(200, json={"version": 5, "page": 1, "products": [cheaper]}),
    })  # fmt: skip
    assert services.config_pull(client=hostile) == 5
    assert sorted(Product.objects.values_list("sku", "price")) == [
        ("100001", Decimal("0.69")), ("200036", Decimal("2.49"))]  # fmt: skip
    assert Product.objects.get(sku="100001").barcodes.get().code == "4006381333931"
