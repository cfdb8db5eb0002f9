"""Lane API: find products by code or by name."""

from decimal import Decimal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from store_edge.catalog.selectors import product_search
from store_edge.lanes.auth import LANE_AUTH

router = Router(auth=LANE_AUTH, tags=["catalogue"])


class ProductQuery(Schema):
    q: str = Field(default="", max_length=100)
    limit: int = Field(default=20, ge=1, le=100)


class ProductOut(Schema):
    sku: str
    name: str
    barcodes: list[str]
    plu: str
    price: Decimal
    unit: str
    category: str


@router.get("/products", response=list[ProductOut])
def products_find(request: HttpRequest, filters: Query[ProductQuery]) -> list[ProductOut]:
    products = product_search(query=filters.q, limit=filters.limit)
    return [
        ProductOut(
            sku=p.sku,
            name=p.name,
            barcodes=[b.code for b in p.barcodes.all()],
            plu=p.plu,
            price=p.price,
            unit=p.unit,
            category=p.category,
        )
        for p in products
    ]
