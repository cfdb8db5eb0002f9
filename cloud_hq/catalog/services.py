"""Import master data: all of a catalogue file, or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cloud_hq.catalog.catalog_file import (
    EARLIEST,
    LATEST,
    CatalogFile,
    CatalogFileError,
    group_loop_problems,
)
from cloud_hq.catalog.models import (
    Barcode,
    Category,
    PriceBook,
    PriceEntry,
    Product,
    ProductGroup,
    Promotion,
    TaxClass,
)
from cloud_hq.stores.models import Store
from devices.barcodes import normalize_gtin

CHUNK = 2000


@dataclass(frozen=True)
class ImportResult:
    tax_classes: int
    products_created: int
    products_updated: int
    barcodes: int
    groups: int = 0
    promotions: int = 0
    prices: int = 0


def catalog_import(*, catalog: CatalogFile) -> ImportResult:
    """Upsert the file's tax classes and products (with their barcodes) in one transaction.

    Products missing from the file are left as they are. Any conflict with what HQ already
    holds (an unknown tax class, a barcode or PLU on another product) imports nothing.
    """
    with transaction.atomic():
        for tax in catalog.tax_classes:
            TaxClass.objects.update_or_create(
                code=tax.code, defaults={"rate": tax.rate, "inclusive": tax.inclusive}
            )
        tax_ids = dict(TaxClass.objects.values_list("code", "id"))
        _check_against_database(catalog, tax_ids)
        category_ids = _categories({p.category for p in catalog.products if p.category})
        existing: set[str] = set()
        for skus in _chunks([p.sku for p in catalog.products]):
            existing.update(Product.objects.filter(sku__in=skus).values_list("sku", flat=True))
            # PLUs and barcodes may move between products in one file: free them first.
            Product.objects.filter(sku__in=skus).exclude(plu="").update(plu="")
            Barcode.objects.filter(product__sku__in=skus).delete()
        ids: dict[str, int] = {}
        for start in range(0, len(catalog.products), CHUNK):
            chunk = catalog.products[start : start + CHUNK]
            Product.objects.bulk_create(
                [
                    Product(
                        sku=p.sku,
                        name=p.name,
                        price=p.price,
                        unit=p.unit,
                        tax_class_id=tax_ids[p.tax_class],
                        category_id=category_ids.get(p.category),
                        plu=p.plu,
                    )
                    for p in chunk
                ],
                update_conflicts=True,
                unique_fields=["sku"],
                update_fields=[
                    "name",
                    "price",
                    "unit",
                    "tax_class",
                    "category",
                    "plu",
                    "updated_at",
                ],
            )
            ids.update(
                Product.objects.filter(sku__in=[p.sku for p in chunk]).values_list("sku", "id")
            )
        Barcode.objects.bulk_create(
            (
                Barcode(code=code, gtin=normalize_gtin(code), product_id=ids[p.sku])
                for p in catalog.products
                for code in p.barcodes
            ),
            batch_size=CHUNK,
        )
        _check_promotions_against_database(catalog)
        _import_promotions(catalog)
    created = len({p.sku for p in catalog.products} - existing)
    return ImportResult(
        tax_classes=len(catalog.tax_classes),
        products_created=created,
        products_updated=len(catalog.products) - created,
        barcodes=sum(len(p.barcodes) for p in catalog.products),
        groups=len(catalog.groups),
        promotions=len(catalog.promotions),
        prices=sum(len(b.prices) for b in catalog.price_books),
    )


def _import_promotions(catalog: CatalogFile) -> None:
    for group in catalog.groups:
        ProductGroup.objects.update_or_create(
            code=group.code,
            defaults={"skus": group.skus, "categories": group.categories, "groups": group.groups},
        )
    was_active = {code: d.get("active", True) for code, d in
                  Promotion.objects.values_list("code", "definition")}  # fmt: skip
    now = timezone.now()
    for promotion in catalog.promotions:
        back = promotion.code in was_active and not was_active[promotion.code] and promotion.active
        Promotion.objects.update_or_create(
            code=promotion.code,
            defaults={
                **({"added_at": now} if back else {}),  # withdrawn, then brought back
                "name": promotion.name,
                "kind": promotion.kind,
                "starts": window_instant(promotion.starts),
                "ends": window_instant(promotion.ends),
                "local_window": promotion.local_window,
                "definition": promotion.model_dump(mode="json", exclude_none=True),
            },
        )
    for book in catalog.price_books:
        row, _ = PriceBook.objects.update_or_create(
            code=book.code,
            defaults={"scope": book.scope, "region": book.region, "store": book.store},
        )
        row.entries.all().delete()  # a book's prices are the file's
        PriceEntry.objects.bulk_create(
            (
                PriceEntry(book=row, sku=p.sku, price=p.price, starts=p.starts, ends=p.ends)
                for p in book.prices
            ),
            batch_size=CHUNK,
        )


def window_instant(bound: datetime) -> datetime:
    """A window bound as HQ keeps it: an instant as it is, a store-local time read in HQ's
    zone (what the admin shows; publishing keeps it without offset)."""
    if bound.tzinfo is None:
        return timezone.make_aware(bound, timezone.get_default_timezone())
    return bound


def _check_promotions_against_database(catalog: CatalogFile) -> None:
    """Every SKU, group and store a promotion or a price book names must exist."""
    problems: list[str] = []
    referenced = {sku for p in catalog.promotions for sku in p.skus}
    referenced |= {sku for g in catalog.groups for sku in g.skus}
    referenced |= {p.sku for b in catalog.price_books for p in b.prices}
    known: set[str] = set()
    for skus in _chunks(sorted(referenced)):
        known.update(Product.objects.filter(sku__in=skus).values_list("sku", flat=True))
    members = {g.code: list(g.groups) for g in ProductGroup.objects.all()}
    members.update({g.code: g.groups for g in catalog.groups})
    stores = set(Store.objects.values_list("code", flat=True))
    targets: list[tuple[str, int, list[str], list[str]]] = [
        *(("groups", i, g.skus, g.groups) for i, g in enumerate(catalog.groups)),
        *(("promotions", i, p.skus, p.groups) for i, p in enumerate(catalog.promotions)),
    ]
    for name, index, skus, groups in targets:
        if unknown := sorted(set(skus) - known):
            problems.append(f"{name}[{index}].skus: unknown SKU {', '.join(unknown[:5])}")
        if missing := sorted(set(groups) - set(members)):
            problems.append(f"{name}[{index}].groups: unknown group {', '.join(missing)}")
    problems += group_loop_problems(catalog, members)
    for index, promotion in enumerate(catalog.promotions):
        if unknown := sorted(set(promotion.stores) - stores):
            problems.append(f"promotions[{index}].stores: unknown store {', '.join(unknown)}")
    for index, book in enumerate(catalog.price_books):
        if book.store and book.store not in stores:
            problems.append(f"price_books[{index}].store: unknown store {book.store}")
        if unknown := sorted({p.sku for p in book.prices} - known):
            problems.append(f"price_books[{index}].prices: unknown SKU {', '.join(unknown[:5])}")
    if problems:
        raise CatalogFileError(sorted(set(problems)))


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[start : start + CHUNK] for start in range(0, len(items), CHUNK)]


def _categories(codes: set[str]) -> dict[str, int]:
    Category.objects.bulk_create([Category(code=c) for c in codes], ignore_conflicts=True)
    return dict(Category.objects.filter(code__in=codes).values_list("code", "id"))


def _check_against_database(catalog: CatalogFile, tax_ids: dict[str, int]) -> None:
    problems: list[str] = []
    index_of = {p.sku: i for i, p in enumerate(catalog.products)}
    for index, product in enumerate(catalog.products):
        if product.tax_class not in tax_ids:
            problems.append(f"products[{index}].tax_class: unknown tax class {product.tax_class}")
    gtins = {normalize_gtin(code): p.sku for p in catalog.products for code in p.barcodes}
    for batch in _chunks(list(gtins)):
        taken = Barcode.objects.filter(gtin__in=batch).exclude(
            product__sku__in=[gtins[g] for g in batch]
        )
        for gtin, owner in taken.values_list("gtin", "product__sku"):
            if owner not in index_of:
                problems.append(
                    f"products[{index_of[gtins[gtin]]}].barcodes: {gtin.lstrip('0')} "
                    f"belongs to {owner} at HQ"
                )
    plus = {p.plu: p.sku for p in catalog.products if p.plu}
    clashes = Product.objects.filter(plu__in=list(plus)).filter(~Q(sku__in=list(plus.values())))
    for plu, owner in clashes.values_list("plu", "sku"):
        if owner not in index_of:
            problems.append(f"products[{index_of[plus[plu]]}].plu: {plu} belongs to {owner} at HQ")
    if problems:
        raise CatalogFileError(problems)


@dataclass(frozen=True)
class CatalogDiff:
    """What importing a file would change in the products: new, changed (field: old → new)
    and unchanged; and in the promotions: new, changed, withdrawn (`active: false`) and
    brought back."""

    new: list[str]
    changed: dict[str, list[str]]
    unchanged: int
    promotions_new: list[str] = field(default_factory=list)
    promotions_changed: dict[str, list[str]] = field(default_factory=dict)
    promotions_withdrawn: list[str] = field(default_factory=list)
    promotions_restored: list[str] = field(default_factory=list)


def catalog_diff(*, catalog: CatalogFile) -> CatalogDiff:
    new: list[str] = []
    changed: dict[str, list[str]] = {}
    unchanged = 0
    for start in range(0, len(catalog.products), CHUNK):
        chunk = catalog.products[start : start + CHUNK]
        held = {
            p.sku: p
            for p in Product.objects.filter(sku__in=[c.sku for c in chunk])
            .select_related("tax_class", "category")
            .prefetch_related("barcodes")
        }
        for product in chunk:
            before = held.get(product.sku)
            if before is None:
                new.append(product.sku)
                continue
            now = {"name": product.name, "price": str(product.price), "unit": product.unit,
                   "tax_class": product.tax_class, "category": product.category,
                   "plu": product.plu,
                   "barcodes": ",".join(sorted(map(normalize_gtin, product.barcodes)))}  # fmt: skip
            was = {"name": before.name, "price": str(before.price), "unit": before.unit,
                   "tax_class": before.tax_class.code,
                   "category": before.category.code if before.category else "",
                   "plu": before.plu,
                   "barcodes": ",".join(sorted(b.gtin for b in before.barcodes.all()))}  # fmt: skip
            differences = [f"{field}: {was[field]} → {now[field]}"
                           for field in now if now[field] != was[field]]  # fmt: skip
            if differences:
                changed[product.sku] = differences
            else:
                unchanged += 1
    diff = CatalogDiff(new=new, changed=changed, unchanged=unchanged)
    _promotions_diff(catalog, diff)
    return diff


def _promotions_diff(catalog: CatalogFile, diff: CatalogDiff) -> None:
    held = dict(Promotion.objects.values_list("code", "definition"))
    for promotion in catalog.promotions:
        now = promotion.model_dump(mode="json", exclude_none=True)
        was = held.get(promotion.code)
        if was is None:
            diff.promotions_new.append(promotion.code)
            continue
        active, was_active = now.get("active", True), was.get("active", True)
        if was_active and not active:
            diff.promotions_withdrawn.append(promotion.code)
        elif active and not was_active:
            diff.promotions_restored.append(promotion.code)
        differences = [f"{key}: {was.get(key, '—')} → {now.get(key, '—')}"
                       for key in sorted((set(now) | set(was)) - {"active"})
                       if now.get(key) != was.get(key)]  # fmt: skip
        if differences:
            diff.promotions_changed[promotion.code] = differences


def catalog_export() -> dict[str, Any]:
    """The master data HQ holds as a catalogue file (import_catalog reads it back as is)."""
    barcodes: dict[int, list[str]] = {}
    for product_id, code in Barcode.objects.order_by("id").values_list("product_id", "code"):
        barcodes.setdefault(product_id, []).append(code)
    products = [
        {"sku": p.sku, "name": p.name, "barcodes": barcodes.get(p.id, []), "plu": p.plu,
         "price": str(p.price), "tax_class": p.tax_class.code, "unit": p.unit,
         "category": p.category.code if p.category else ""}
        for p in Product.objects.select_related("tax_class", "category").order_by("sku")
    ]  # fmt: skip
    books = []
    for book in PriceBook.objects.prefetch_related("entries").order_by("code"):
        prices = [
            {"sku": e.sku, "price": str(e.price),
             **({"starts": e.starts.isoformat()} if e.starts else {}),
             **({"ends": e.ends.isoformat()} if e.ends else {})}
            for e in sorted(book.entries.all(), key=_entry_order)
        ]  # fmt: skip
        books.append({"code": book.code, "scope": book.scope, "region": book.region,
                      "store": book.store, "prices": prices})  # fmt: skip
    return {
        "tax_classes": [
            {"code": t.code, "rate": t.rate_text, "inclusive": t.inclusive}
            for t in TaxClass.objects.order_by("code")
        ],  # fmt: skip
        "products": products,
        "groups": [
            {"code": g.code, "skus": g.skus, "categories": g.categories, "groups": g.groups}
            for g in ProductGroup.objects.order_by("code")
        ],  # fmt: skip
        "promotions": [p.definition for p in Promotion.objects.order_by("code")],
        "price_books": books,
    }


def _entry_order(entry: PriceEntry) -> tuple[str, datetime, datetime, Decimal]:
    # An entry without a start runs from the beginning, one without an end to the last day.
    return (entry.sku, entry.starts or EARLIEST, entry.ends or LATEST, entry.price)
