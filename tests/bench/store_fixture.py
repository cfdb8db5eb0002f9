"""Prepare a store database for the benchmarks: catalogue, lanes, and baskets to work on.

Run with the store's settings: python -m tests.bench.store_fixture CATALOGUE OUT --baskets N
--lines L [--paid]. Writes OUT as JSON: [{"token": …, "basket": …, "code": …}, …].
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("catalogue", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--baskets", type=int, required=True)
    parser.add_argument("--lines", type=int, default=0)
    parser.add_argument("--lanes", type=int, default=20)
    parser.add_argument("--paid", action="store_true")
    parser.add_argument(
        "--complete", action="store_true", help="complete every basket as a sale (a backlog)"
    )
    args = parser.parse_args()
    django.setup()

    from django.core.management import call_command
    from django.db import transaction

    from store_edge.baskets.models import Basket, BasketLine, BasketPayment
    from store_edge.catalog.models import Product
    from store_edge.catalog.selectors import config_state
    from store_edge.catalog.services import (
        ConfigSnapshot,
        ProductData,
        TaxClassData,
        catalog_apply,
    )
    from store_edge.lanes.models import Lane
    from store_edge.lanes.tokens import lane_token_issue

    call_command("migrate", verbosity=0)
    document = json.loads(args.catalogue.read_text())
    if config_state().version == 0:
        catalog_apply(
            snapshot=ConfigSnapshot(
                version=1,
                published_at=datetime.now(UTC),
                store_name="Bench store",
                currency="EUR",
                tax_classes=tuple(
                    TaxClassData(t["code"], Decimal(t["rate"]), t["inclusive"])
                    for t in document["tax_classes"]
                ),
            ),
            products=(
                ProductData(
                    p["sku"],
                    p["name"],
                    Decimal(p["price"]),
                    p["unit"],
                    p["tax_class"],
                    p["category"],
                    p.get("plu", ""),
                    tuple(p["barcodes"]),
                )
                for p in document["products"]
            ),  # fmt: skip
        )
    codes = [p["barcodes"][0] for p in document["products"] if p["barcodes"]]
    rng = random.Random(7)  # noqa: S311
    tokens = {n: lane_token_issue(lane_number=n)[1] for n in range(1, args.lanes + 1)}
    lanes = {lane.number: lane for lane in Lane.objects.all()}
    products = {} if not args.lines else {
        p.barcodes.first().code: p for p in Product.objects.exclude(barcodes=None)
        .select_related("tax_class").prefetch_related("barcodes")
    }  # fmt: skip
    work = []
    with transaction.atomic():  # one transaction: the fixture is not what is measured
        for index in range(args.baskets):
            number = index % args.lanes + 1
            basket = Basket.objects.create(lane=lanes[number])
            picked = [products[rng.choice(codes)] for _ in range(args.lines)]
            BasketLine.objects.bulk_create(
                BasketLine(basket=basket, position=position, sku=p.sku, name=p.name,
                           code=p.barcodes.first().code, quantity=Decimal("1.000"),
                           unit_price=p.price, tax_class=p.tax_class.code,
                           tax_rate=p.tax_class.rate, tax_inclusive=p.tax_class.inclusive)
                for position, p in enumerate(picked, start=1)
            )  # fmt: skip
            if args.paid and picked:
                due = sum((p.price for p in picked), Decimal("0.00"))
                BasketPayment.objects.create(basket=basket, method="cash", amount=due)
            work.append({"token": tokens[number], "basket": str(basket.id),
                         "code": rng.choice(codes)})  # fmt: skip
    args.out.write_text(json.dumps(work))
    if args.complete:
        _complete_all(lanes)


def _complete_all(lanes: dict) -> None:  # type: ignore[type-arg]
    """Complete every paid basket through the product's own sale completion (the backlog a
    store builds while HQ is away), fast: the fixture is not what is measured."""
    from django.db import connection

    from store_edge.baskets.models import Basket
    from store_edge.sales.services import sale_complete

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")
    for basket_id, lane_id in Basket.objects.filter(status="open").values_list("id", "lane_id"):
        lane = next(lane for lane in lanes.values() if lane.id == lane_id)
        sale_complete(basket_id=basket_id, lane=lane, user="bench")


if __name__ == "__main__":
    main()
