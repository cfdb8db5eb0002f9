"""Store-facing config pull: the manifest (ETag "v<version>") and its product pages."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from cloud_hq.ingest.contract import DetailOut
from cloud_hq.publishing import selectors
from cloud_hq.stores.auth import StoreSignatureAuth, request_store
from cloud_hq.stores.models import Store

router = Router(auth=StoreSignatureAuth(), tags=["config"])


class TaxClassOut(Schema):
    code: str
    rate: str
    inclusive: bool


class StoreProfileOut(Schema):
    name: str
    currency: str
    region: str
    cash_rounding: str | None
    country: str | None = Field(
        default=None,
        description="sync protocol 2 on: ISO 3166 code, lower case, the layouts of the store's "
        "price and weight labels; empty: not set at HQ (the store keeps its own setting)",
    )
    time_zone: str | None = Field(
        default=None,
        description="sync protocol 2 on: IANA zone in which the store reads happy hours, "
        "weekdays and local promotion windows; empty: not set at HQ",
    )


class StoreOut(Schema):
    code: str
    name: str


class DeliveryLineOut(Schema):
    sku: str
    quantity: str


class DeliveryOut(Schema):
    reference: str
    supplier: str
    expected_at: datetime | None
    lines: list[DeliveryLineOut]


class PriorPriceOut(Schema):
    sku: str
    reference: str = Field(description="the promotion's code, or 'price' for a price book's")
    starts: datetime
    ends: datetime | None
    price: str = Field(description="the lowest price at this store in the 30 days before")


class ManifestOut(Schema):
    version: int
    published_at: datetime
    store: StoreProfileOut
    tax_classes: list[TaxClassOut]
    promotions: list[dict[str, Any]]
    stores: list[StoreOut]
    deliveries: list[DeliveryOut]
    prior_prices: list[PriorPriceOut] | None = Field(
        default=None,
        description="sync protocol 2 on: this store's price reductions in this version, each "
        "with the lowest price of the 30 days before it (EU Omnibus directive, Art. 6a)",
    )
    product_pages: int
    products_total: int
    delta_from: int | None = Field(
        description="set: the pages hold only what changed since this version (yours)"
    )
    removed: list[str] = Field(description="on a delta: SKUs no longer in the catalogue")
    catalogue_total: int = Field(description="products in the catalogue once applied")


class ConfigQuery(Schema):
    since: int | None = Field(default=None, ge=0, description="the version the store holds")


class PriceOut(Schema):
    price: str
    scope: str
    region: str
    store: str
    starts: datetime | None
    ends: datetime | None


class ProductOut(Schema):
    sku: str
    name: str
    barcodes: list[str]
    plu: str
    price: str
    tax_class: str
    unit: str
    category: str
    prices: list[PriceOut]


class PageOut(Schema):
    version: int
    page: int
    products: list[ProductOut]


class PageQuery(Schema):
    page: int = Field(default=1, ge=1, le=100000)
    since: int | None = Field(default=None, ge=1, description="pages of the delta since this")


@router.get(
    "/stores/{store_id}/config", response={200: ManifestOut, 404: DetailOut}, exclude_unset=True
)
def config_get(
    request: HttpRequest, response: HttpResponse, store_id: str, query: Query[ConfigQuery]
) -> Any:
    config = selectors.config_latest()
    if config is None:
        return Status(404, {"detail": "no config has been published yet"})
    store = request_store(request)
    Store.objects.filter(code=store.code).update(config_checked_at=timezone.now())
    protocol = getattr(request, "edge_protocol", 1)
    etag = selectors.config_etag(config=config, store=store, protocol=protocol)
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers={"ETag": etag})
    response["ETag"] = etag
    plan = selectors.delta_plan(config=config, since=query.since)
    return selectors.config_manifest(config=config, store=store, plan=plan, protocol=protocol)


@router.get("/stores/{store_id}/config/{version}/products", response={200: PageOut, 404: DetailOut})
def config_products(
    request: HttpRequest, store_id: str, version: int, query: Query[PageQuery]
) -> Any:
    page = selectors.config_page(
        version=version, number=query.page, store=request_store(request), since=query.since
    )
    if page is None:
        return Status(404, {"detail": f"config v{version} has no page {query.page}"})
    return page
