"""Reads of the catalogue replica."""

from devices.barcodes import BarcodeError, ScannedCode, parse_code
from store_edge.catalog.models import ConfigState, Product


class ProductNotFound(LookupError):
    """No product in the catalogue in force carries this code."""


def product_for_code(*, scanned: ScannedCode) -> Product:
    """Return the product a scanned code designates, with its tax class."""
    products = Product.objects.select_related("tax_class")
    if scanned.plu is not None:
        product = products.filter(plu=scanned.plu).first()
    else:
        product = products.filter(barcodes__gtin=scanned.gtin).first()
    if product is None:
        raise ProductNotFound(f"No product with code {scanned.value.lstrip('0') or '0'}")
    return product


def config_state() -> ConfigState:
    """Return the config version in force (version 0 before the first pull)."""
    state, _ = ConfigState.objects.get_or_create(id=1)
    return state


def product_search(*, query: str, limit: int) -> list[Product]:
    """Return products whose code is `query`, then products whose name contains it."""
    query = query.strip()
    found: list[Product] = []
    if query.isdigit():
        try:
            found = [product_for_code(scanned=parse_code(query))]
        except (BarcodeError, ProductNotFound):
            found = list(Product.objects.filter(sku=query)[:1])
    seen = {p.id for p in found}
    by_name = (
        Product.objects.filter(name__icontains=query).exclude(id__in=seen).order_by("name")
        if query
        else Product.objects.order_by("name")
    )
    found.extend(by_name[: max(limit - len(found), 0)])
    return found[:limit]
