"""HQ's reports: each reads the summary tables (or the reconciliation tables) with the
database doing the aggregation, and answers a `Report` the pages and CSV export share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from cloud_hq.catalog.models import Product, Promotion
from cloud_hq.ingest.models import LedgerEntry
from cloud_hq.publishing.models import ConfigVersion, PriorPrice
from cloud_hq.reconciliation.models import Conflict, PriceVariance, StockLevel
from cloud_hq.reporting.models import (
    ProductDay,
    ProductDayChain,
    PromotionDay,
    SalesHour,
    ShrinkDay,
    TaxDay,
    TenderDay,
)
from cloud_hq.stores.models import Store

ROW_LIMIT = 500
TOP = 25
ZERO = Decimal(0)


@dataclass(frozen=True)
class ReportFilter:
    start: date
    end: date
    stores: tuple[str, ...] = ()
    region: str = ""
    category: str = ""

    def store_codes(self) -> list[str] | None:
        """The stores asked for (by code or region); None: every store."""
        if not self.stores and not self.region:
            return None
        stores = Store.objects.all()
        if self.stores:
            stores = stores.filter(code__in=self.stores)
        if self.region:
            stores = stores.filter(region=self.region)
        return list(stores.values_list("code", flat=True))

    def days(self, model: type[models.Model]) -> QuerySet[Any]:
        """The model's rows of the period and stores asked for."""
        queryset = model._default_manager.filter(day__gte=self.start, day__lte=self.end)
        codes = self.store_codes()
        return queryset if codes is None else queryset.filter(store_id__in=codes)


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "text"  # text, int, money, quantity, percent, rate (exact, as text), date


@dataclass
class Report:
    slug: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    chart: tuple[int, int] | None = None  # (label column, value column) for a bar chart
    notes: list[str] = field(default_factory=list)
    uses_category: bool = False

    def bars(self) -> list[tuple[str, Any, float]]:
        """Chart bars: label, value, and length as a share of the longest (0..1)."""
        if self.chart is None or not self.rows:
            return []
        label, value = self.chart
        values = [row[value] or 0 for row in self.rows]
        longest = max((abs(v) for v in values), default=0) or 1
        return [(str(row[label]), v, float(abs(v) / longest))
                for row, v in zip(self.rows, values, strict=True)]  # fmt: skip


def _avg(total: Any, count: Any) -> Decimal | None:
    if not count:
        return None
    return (Decimal(total or 0) / Decimal(count)).quantize(Decimal("0.01"))


def _share(part: Any, whole: Any) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


MONEY_SUMS = {
    "sales": Sum("sales"), "returns": Sum("returns"), "items": Sum("items"),
    "lines": Sum("lines"), "sales_total": Sum("sales_total"),
    "returns_total": Sum("returns_total"), "discount_total": Sum("discount_total"),
}  # fmt: skip


def sales_by_store(f: ReportFilter) -> Report:
    names = dict(Store.objects.values_list("code", "name"))
    totals = f.days(SalesHour).values("store_id").annotate(**MONEY_SUMS)
    rows = [
        [t["store_id"], names.get(t["store_id"], ""), t["sales"], t["returns"],
         t["sales_total"], t["returns_total"], t["sales_total"] + t["returns_total"],
         _avg(t["sales_total"], t["sales"])]
        for t in totals.order_by("-sales_total")[:ROW_LIMIT]
    ]  # fmt: skip
    return Report(
        "sales-by-store", "Sales by store",
        [Column("Store"), Column("Name"), Column("Sales", "int"), Column("Returns", "int"),
         Column("Sales total", "money"), Column("Returns total", "money"),
         Column("Net", "money"), Column("Average basket", "money")],
        rows, chart=(0, 6),
    )  # fmt: skip


def sales_by_day(f: ReportFilter) -> Report:
    totals = f.days(SalesHour).values("day").annotate(**MONEY_SUMS).order_by("day")
    rows = [
        [t["day"], t["sales"], t["returns"], t["sales_total"], t["returns_total"],
         t["sales_total"] + t["returns_total"], _avg(t["sales_total"], t["sales"])]
        for t in totals[:ROW_LIMIT]
    ]  # fmt: skip
    return Report(
        "sales-by-day", "Sales by day",
        [Column("Day", "date"), Column("Sales", "int"), Column("Returns", "int"),
         Column("Sales total", "money"), Column("Returns total", "money"), Column("Net", "money"),
         Column("Average basket", "money")],
        rows, chart=(0, 5),
    )  # fmt: skip


def sales_by_hour(f: ReportFilter) -> Report:
    totals = f.days(SalesHour).values("hour").annotate(**MONEY_SUMS).order_by("hour")
    rows = [
        [f"{t['hour']:02d}:00", t["sales"], t["sales_total"] + t["returns_total"],
         _avg(t["sales_total"], t["sales"])]
        for t in totals
    ]  # fmt: skip
    return Report(
        "sales-by-hour", "Sales by hour of day",
        [Column("Hour"), Column("Sales", "int"), Column("Net", "money"),
         Column("Average basket", "money")],
        rows, chart=(0, 2),
    )  # fmt: skip


def baskets(f: ReportFilter) -> Report:
    totals = f.days(SalesHour).values("day").annotate(**MONEY_SUMS).order_by("day")
    rows = [
        [t["day"], t["sales"], _avg(t["items"], t["sales"]), _avg(t["lines"], t["sales"]),
         _avg(t["sales_total"], t["sales"]), _avg(-t["discount_total"], t["sales"])]
        for t in totals[:ROW_LIMIT]
    ]  # fmt: skip
    return Report(
        "baskets", "Basket size and value",
        [Column("Day", "date"), Column("Sales", "int"), Column("Items per basket", "quantity"),
         Column("Lines per basket", "quantity"), Column("Average basket", "money"),
         Column("Average discount", "money")],
        rows, chart=(0, 4),
    )  # fmt: skip


def _product_rows(totals: list[dict[str, Any]]) -> list[list[Any]]:
    products: dict[str, Any] = {
        p["sku"]: p
        for p in Product.objects.filter(sku__in=[t["sku"] for t in totals]).values(
            "sku", "name", "category__code"
        )
    }
    return [
        [t["sku"], products.get(t["sku"], {}).get("name", "(unknown SKU)"),
         products.get(t["sku"], {}).get("category__code") or "", t["quantity_sum"],
         t["amount_sum"], t["discount_sum"]]
        for t in totals
    ]  # fmt: skip


PRODUCT_COLUMNS = [Column("SKU"), Column("Name"), Column("Category"),
                   Column("Quantity", "quantity"), Column("Amount", "money"),
                   Column("Discount", "money")]  # fmt: skip


def _products_of(f: ReportFilter) -> QuerySet[Any]:
    """Product rows of the period: the chain's summary unless stores or a region are asked."""
    if f.store_codes() is None:
        return ProductDayChain.objects.filter(day__gte=f.start, day__lte=f.end)
    return f.days(ProductDay)


def _product_totals(f: ReportFilter) -> QuerySet[Any]:
    queryset = _products_of(f)
    if f.category:
        queryset = queryset.filter(category=f.category)
    totals: QuerySet[Any] = queryset.values("sku").annotate(
        quantity_sum=Sum("quantity"), amount_sum=Sum("amount"), discount_sum=Sum("discount")
    )
    return totals


def top_products(f: ReportFilter) -> Report:
    totals = list(_product_totals(f).order_by("-amount_sum", "sku")[:TOP])
    return Report("top-products", f"Top {TOP} products by amount", PRODUCT_COLUMNS,
                  _product_rows(totals), chart=(1, 4), uses_category=True)  # fmt: skip


def bottom_products(f: ReportFilter) -> Report:
    totals = list(_product_totals(f).order_by("amount_sum", "sku")[:TOP])
    return Report(
        "bottom-products", f"Bottom {TOP} products by amount (of those sold)", PRODUCT_COLUMNS,
        _product_rows(totals), chart=(1, 4), uses_category=True,
        notes=["Products not sold at all in the period are in the stock report."],
    )  # fmt: skip


def category_mix(f: ReportFilter) -> Report:
    queryset = _products_of(f)
    if f.category:
        queryset = queryset.filter(category=f.category)
    totals = list(
        queryset.values("category")
        .annotate(quantity_sum=Sum("quantity"), amount_sum=Sum("amount"))
        .order_by("-amount_sum")
    )
    whole = sum((t["amount_sum"] or ZERO for t in totals), ZERO)
    rows = [[t["category"] or "(none)", t["quantity_sum"], t["amount_sum"],
             _share(t["amount_sum"], whole)] for t in totals]  # fmt: skip
    return Report(
        "category-mix", "Category mix",
        [Column("Category"), Column("Quantity", "quantity"),
         Column("Amount", "money"), Column("Share %", "percent")],
        rows, chart=(0, 2), uses_category=True,
    )  # fmt: skip


def tender_mix(f: ReportFilter) -> Report:
    totals = list(f.days(TenderDay).values("method").annotate(
        count_sum=Sum("count"), amount_sum=Sum("amount")).order_by("-amount_sum"))  # fmt: skip
    whole = sum((t["amount_sum"] or ZERO for t in totals), ZERO)
    rows = [[t["method"], t["count_sum"], t["amount_sum"], _share(t["amount_sum"], whole)]
            for t in totals]  # fmt: skip
    return Report(
        "tender-mix", "Tender mix",
        [Column("Method"), Column("Payments", "int"), Column("Amount", "money"),
         Column("Share %", "percent")],
        rows, chart=(0, 2),
    )  # fmt: skip


def taxes(f: ReportFilter) -> Report:
    names = dict(Store.objects.values_list("code", "name"))
    totals = list(
        f.days(TaxDay).values("store_id", "tax_class", "rate", "inclusive")
        .annotate(receipts_sum=Sum("receipts"), net_sum=Sum("net"), tax_sum=Sum("tax"),
                  gross_sum=Sum("gross"))
        .order_by("store_id", "tax_class", "rate", "inclusive")[:ROW_LIMIT]
    )  # fmt: skip
    rows = [
        [t["store_id"], names.get(t["store_id"], ""), t["tax_class"],
         f"{(t['rate'] * 100).normalize():f}", "included" if t["inclusive"] else "on top",
         t["receipts_sum"], t["net_sum"], t["tax_sum"], t["gross_sum"]]
        for t in totals
    ]  # fmt: skip
    return Report(
        "taxes", "Taxes by store and class",
        [Column("Store"), Column("Name"), Column("Class"), Column("Rate %", "rate"),
         Column("Prices"), Column("Receipts", "int"), Column("Net", "money"),
         Column("Tax", "money"), Column("Gross", "money")],
        rows, chart=(0, 7),
        notes=["As the receipts printed it: tax rounded once per class on each receipt (half "
               "up), returns subtracting. 'Included': the shelf price holds the tax (VAT), "
               "gross is what the customer paid; 'on top': the tax was added at the till "
               "(US sales tax), net is the shelf price."],
    )  # fmt: skip


def reductions(f: ReportFilter) -> Report:
    latest = ConfigVersion.objects.order_by("-version").first()
    queryset = PriorPrice.objects.filter(config=latest).filter(
        Q(ends=None) | Q(ends__date__gte=f.start), starts__date__lte=f.end
    )
    codes = f.store_codes()
    if codes is not None:
        queryset = queryset.filter(store_id__in=codes)
    if f.category:
        queryset = queryset.filter(sku__in=Product.objects.filter(
            category__code=f.category).values("sku"))  # fmt: skip
    found = list(queryset.order_by("-flag", "store_id", "sku", "starts")[:ROW_LIMIT])
    names = dict(Product.objects.filter(sku__in={r.sku for r in found}).values_list("sku", "name"))
    rows = [
        [r.store_id, r.sku, names.get(r.sku, "(unknown SKU)"), r.reference,
         timezone.localtime(r.starts).date(),
         timezone.localtime(r.ends).date() if r.ends else None, r.reduced_price, r.prior_price,
         r.flag]
        for r in found
    ]  # fmt: skip
    return Report(
        "reductions", "Price reductions and their lowest 30-day prices",
        [Column("Store"), Column("SKU"), Column("Name"), Column("Reduction"),
         Column("From", "date"), Column("Until", "date"), Column("Reduced price", "money"),
         Column("Lowest 30-day price", "money"), Column("Flag")],
        rows, uses_category=True,
        notes=["The reductions the newest published version announces (EU Omnibus directive, "
               "Art. 6a): a price book entry below the price before it, or a percent or amount "
               "promotion everyone gets. The lowest 30-day price is the lowest the store "
               "charged in the 30 days before the reduction starts, its other promotions "
               "included; the lane and the receipt show it. Flagged first: check them with "
               "publish_config --check before the next publish."],
    )  # fmt: skip


def promotions(f: ReportFilter) -> Report:
    totals = list(f.days(PromotionDay).values("promotion").annotate(
        lines_sum=Sum("lines"), amount_sum=Sum("amount"), sales_sum=Sum("sales_amount"),
    ).order_by("amount_sum"))  # fmt: skip
    names = dict(Promotion.objects.values_list("code", "name"))
    rows = [
        [t["promotion"], names.get(t["promotion"], "(not in the catalogue)"), t["lines_sum"],
         -t["amount_sum"], t["sales_sum"],
         _share(-t["amount_sum"], t["sales_sum"] - t["amount_sum"])]
        for t in totals
    ]  # fmt: skip
    return Report(
        "promotions", "Promotions: cost",
        [Column("Promotion"), Column("Name"), Column("Lines", "int"), Column("Cost", "money"),
         Column("Sales of those lines", "money"), Column("Discount %", "percent")],
        rows, chart=(0, 3),
        notes=["Cost is what the promotion took off the list price. Uplift (sales against a "
               "baseline without the promotion) is not computed yet."],
    )  # fmt: skip


def returns(f: ReportFilter) -> Report:
    names = dict(Store.objects.values_list("code", "name"))
    totals = f.days(SalesHour).values("store_id").annotate(**MONEY_SUMS)
    rows = [
        [t["store_id"], names.get(t["store_id"], ""), t["returns"], t["returns_total"],
         t["sales"], _share(t["returns"], t["sales"])]
        for t in totals.order_by("returns_total")[:ROW_LIMIT] if t["returns"]
    ]  # fmt: skip
    return Report(
        "returns", "Returns",
        [Column("Store"), Column("Name"), Column("Returns", "int"),
         Column("Returns total", "money"), Column("Sales", "int"),
         Column("Returns per 100 sales", "percent")],
        rows, chart=(0, 3),
    )  # fmt: skip


def price_variances(f: ReportFilter) -> Report:
    queryset = PriceVariance.objects.filter(sold_at__date__gte=f.start, sold_at__date__lte=f.end)
    codes = f.store_codes()
    if codes is not None:
        queryset = queryset.filter(store_id__in=codes)
    totals = queryset.values("store_id", "sku").annotate(
        lines=Count("id"), quantity_sum=Sum("quantity"), difference_sum=Sum("difference")
    ).order_by("difference_sum")[:ROW_LIMIT]  # fmt: skip
    rows = [[t["store_id"], t["sku"], t["lines"], t["quantity_sum"], t["difference_sum"]]
            for t in totals]  # fmt: skip
    return Report(
        "price-variances", "Price variances (sold at an older price)",
        [Column("Store"), Column("SKU"), Column("Lines", "int"), Column("Quantity", "quantity"),
         Column("Charged − in force", "money")],
        rows,
        notes=["A sale priced with an older config version is accepted as transacted; this is "
               "the difference to the price HQ had in force."],
    )  # fmt: skip


AGING_DAYS = 30


def stock(f: ReportFilter) -> Report:
    queryset = StockLevel.objects.all()
    codes = f.store_codes()
    if codes is not None:
        queryset = queryset.filter(store_id__in=codes)
    if f.category:
        queryset = queryset.filter(sku__in=Product.objects.filter(
            category__code=f.category).values("sku"))  # fmt: skip
    last_moved = LedgerEntry.objects.filter(
        store_id=OuterRef("store_id"), seq=OuterRef("last_seq")
    ).values("created_at")[:1]
    levels = queryset.annotate(moved_at=Subquery(last_moved)).order_by(
        "quantity", "store_id", "sku"
    )[:ROW_LIMIT]
    names = dict(
        Product.objects.filter(sku__in=[lv.sku for lv in levels]).values_list("sku", "name")
    )
    today = timezone.localdate()
    rows = []
    for level in levels:
        moved = timezone.localtime(level.moved_at).date() if level.moved_at else None
        idle = (today - moved).days if moved else None
        flag = "negative" if level.quantity < 0 else "aging" if idle and idle > AGING_DAYS else ""
        rows.append([level.store_id, level.sku, names.get(level.sku, "(unknown SKU)"),
                     level.quantity, moved, idle, flag])  # fmt: skip
    return Report(
        "stock", "Stock per store (lowest first)",
        [Column("Store"), Column("SKU"), Column("Name"), Column("Quantity", "quantity"),
         Column("Last movement", "date"), Column("Days idle", "int"), Column("Flag")],
        rows, uses_category=True,
        notes=[f"Negative stock first; 'aging' is stock with no movement for over {AGING_DAYS} "
               f"days. At most {ROW_LIMIT} rows: narrow by store or category."],
    )  # fmt: skip


def shrink(f: ReportFilter) -> Report:
    queryset = f.days(ShrinkDay)
    if f.category:
        queryset = queryset.filter(sku__in=Product.objects.filter(
            category__code=f.category).values("sku"))  # fmt: skip
    price = Subquery(Product.objects.filter(sku=OuterRef("sku")).values("price")[:1])
    totals = list(
        queryset.values("store_id", "reason")
        .annotate(quantity_sum=Sum("quantity"), entries_sum=Sum("entries"),
                  value=Sum(ExpressionWrapper(F("quantity") * price,
                                              output_field=DecimalField())))
        .order_by("value")[:ROW_LIMIT]
    )  # fmt: skip
    rows = [[t["store_id"], t["reason"], t["entries_sum"], t["quantity_sum"],
             None if t["value"] is None else Decimal(t["value"]).quantize(Decimal("0.01"))]
            for t in totals]  # fmt: skip
    return Report(
        "shrink", "Shrink from counts and adjustments",
        [Column("Store"), Column("Why"), Column("Entries", "int"), Column("Quantity", "quantity"),
         Column("Value at list price", "money")],
        rows, chart=(0, 4), uses_category=True,
        notes=["Negative is stock lost; a count's difference is what the count changed."],
    )  # fmt: skip


def conflicts(f: ReportFilter) -> Report:
    queryset = Conflict.objects.filter(resolved_at=None)
    codes = f.store_codes()
    if codes is not None:
        queryset = queryset.filter(store_id__in=codes)
    rows = [[c.store_id, c.get_kind_display(), c.reference, c.seq,
             timezone.localtime(c.detected_at).strftime("%Y-%m-%d %H:%M")]
            for c in queryset.order_by("-detected_at")[:ROW_LIMIT]]  # fmt: skip
    return Report(
        "conflicts", "Conflict queue (open)",
        [Column("Store"), Column("Kind"), Column("Reference"), Column("Seq", "int"),
         Column("Detected")],
        rows, notes=["Resolve each in the admin: Reconciliation › Conflicts."],
    )  # fmt: skip


# Reports that read the chain's product summary when no store or region is asked: it is
# brought up to date (services.chain_refresh) before they run.
CHAIN_SUMMARY_REPORTS = frozenset({"top-products", "bottom-products", "category-mix"})
REPORTS: dict[str, tuple[str, Callable[[ReportFilter], Report]]] = {
    "sales-by-store": ("Sales by store", sales_by_store),
    "sales-by-day": ("Sales by day", sales_by_day),
    "sales-by-hour": ("Sales by hour", sales_by_hour),
    "top-products": ("Top products", top_products),
    "bottom-products": ("Bottom products", bottom_products),
    "category-mix": ("Category mix", category_mix),
    "tender-mix": ("Tender mix", tender_mix),
    "baskets": ("Baskets", baskets),
    "promotions": ("Promotions", promotions),
    "taxes": ("Taxes", taxes),
    "reductions": ("Reductions", reductions),
    "returns": ("Returns", returns),
    "price-variances": ("Price variances", price_variances),
    "stock": ("Stock", stock),
    "shrink": ("Shrink", shrink),
    "conflicts": ("Conflicts", conflicts),
}


def default_period() -> tuple[date, date]:
    today = timezone.localdate()
    return today - timedelta(days=6), today
