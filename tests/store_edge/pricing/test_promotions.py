"""Promotions, read as a grocery's price rules. No database."""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest

from store_edge.pricing.domain import (
    Context,
    Kind,
    LineInput,
    ManualDiscount,
    PricedBasket,
    PriceEntry,
    Promotion,
    PromotionBook,
    Scope,
    TaxRule,
    Window,
    cash_due,
    list_price,
    price_basket,
    refund_amount,
)

VAT = TaxRule("RED", Decimal("0.07"), inclusive=True)
SALES_TAX = TaxRule("NY", Decimal("0.08875"), inclusive=False)
THURSDAY_10AM = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
ALL_YEAR = Window(datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))

PRICES = {
    "cola": ("1.99", "drinks"),
    "water": ("0.79", "drinks"),
    "juice": ("2.29", "drinks"),
    "chips": ("2.49", "snacks"),
    "crackers": ("1.49", "snacks"),
    "wine": ("9.99", "wine"),
}


def line(sku: str, quantity: str = "1", n: int = 0, **extra: object) -> LineInput:
    price, category = PRICES.get(sku, ("1.99", "produce"))
    return LineInput(
        line_id=f"{sku}-{n}",
        sku=sku,
        quantity=Decimal(quantity),
        unit_price=Decimal(extra.pop("unit_price", price)),  # type: ignore[arg-type]
        tax=extra.pop("tax", VAT),  # type: ignore[arg-type]
        category=category,
        **extra,  # type: ignore[arg-type]
    )


def promo(code: str, kind: Kind, **fields: object) -> Promotion:
    fields.setdefault("window", ALL_YEAR)
    fields.setdefault("name", code.replace("-", " ").capitalize())
    for key in ("percent", "amount", "price", "threshold", "get_percent"):
        if key in fields:
            fields[key] = Decimal(str(fields[key]))
    for key in ("skus", "categories", "stores"):
        if key in fields:
            fields[key] = frozenset(fields[key])  # type: ignore[arg-type]
    return Promotion(code=code, kind=kind, **fields)  # type: ignore[arg-type]


def priced(lines: list[LineInput], *promotions: Promotion, **context: object) -> PricedBasket:
    ctx = Context(at=context.pop("at", THURSDAY_10AM), **context)  # type: ignore[arg-type]
    return price_basket(lines, context=ctx, book=PromotionBook.of(promotions))


def savings(basket: PricedBasket) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for p in basket.lines:
        for a in p.adjustments:
            found[a.promotion] = found.get(a.promotion, Decimal(0)) + a.amount
    return found


def reasons(basket: PricedBasket) -> set[str]:
    return {a.reason for p in basket.lines for a in p.adjustments}


# ------------------------------------------------------------- each kind alone


def test_percent_off_a_product() -> None:
    basket = priced([line("cola", "2")], promo("cola-week", Kind.PERCENT_OFF, skus={"cola"},
                                               percent=20))  # fmt: skip
    assert savings(basket) == {"cola-week": Decimal("0.80")}  # 20 % of 3.98 = 0.796
    assert basket.total == Decimal("3.18")
    assert reasons(basket) == {"Cola week: 20 % off"}


def test_amount_off_every_piece_of_a_category() -> None:
    drinks = promo("drinks-30", Kind.AMOUNT_OFF, categories={"drinks"}, amount="0.30")
    basket = priced([line("cola"), line("water", "2")], drinks)
    assert savings(basket) == {"drinks-30": Decimal("0.90")}
    assert basket.total == Decimal("1.99") + Decimal("1.58") - Decimal("0.90")


def test_percent_off_a_list_of_products_leaves_the_others_alone() -> None:
    snacks = promo("snack-deal", Kind.PERCENT_OFF, skus={"chips", "crackers"}, percent=10)
    basket = priced([line("chips"), line("crackers"), line("cola")], snacks)
    by_sku = {p.sku: p.amount for p in basket.lines}
    assert by_sku == {
        "chips": Decimal("2.24"),
        "crackers": Decimal("1.34"),
        "cola": Decimal("1.99"),
    }


def test_three_for_five_groups_three_and_charges_the_fourth_in_full() -> None:
    basket = priced([line("cola", "4")], promo("cola-3for5", Kind.MULTI_BUY, skus={"cola"},
                                               quantity=3, price="5.00", name="Cola"))  # fmt: skip
    assert savings(basket) == {"cola-3for5": Decimal("0.97")}
    assert basket.total == Decimal("6.99")
    assert reasons(basket) == {"Cola: 3 for 5.00: 3 × 1.99 → 5.00"}


def test_buy_two_get_one_free_rewards_the_cheapest() -> None:
    basket = priced(
        [line("chips", "2"), line("crackers")],
        promo("snacks-3for2", Kind.BUY_X_GET_Y, categories={"snacks"}, quantity=2, get_quantity=1),
    )
    assert {p.sku: p.amount for p in basket.lines} == {"chips": Decimal("4.98"),
                                                       "crackers": Decimal("0.00")}  # fmt: skip
    assert reasons(basket) == {"Snacks 3for2: buy 2, get 1 free"}


def test_buy_one_get_one_half_price() -> None:
    bogo = promo("wine-bogo", Kind.BUY_X_GET_Y, skus={"wine"}, quantity=1, get_quantity=1,
                 get_percent=50)  # fmt: skip
    basket = priced([line("wine", "2")], bogo)
    assert savings(basket) == {"wine-bogo": Decimal("5.00")}  # 50 % of 9.99 = 4.995 → 5.00


def test_mix_and_match_across_a_group() -> None:
    basket = priced(
        [line("cola"), line("water")],
        promo("any-2-drinks", Kind.MIX_AND_MATCH, skus={"cola", "water", "juice"}, quantity=2,
              price="2.50", name="Any 2 drinks"),
    )  # fmt: skip
    assert savings(basket) == {"any-2-drinks": Decimal("0.28")}
    assert reasons(basket) == {"Any 2 drinks: 2 for 2.50: 1.99 + 0.79 → 2.50"}


def adjustments(basket: PricedBasket) -> dict[str, list[tuple[Decimal, str]]]:
    return {p.sku: [(a.amount, a.reason) for a in p.adjustments] for p in basket.lines}


def test_each_group_of_a_multi_buy_is_explained_with_its_own_numbers() -> None:
    # Three colas and a water, any 2 for 2.50: two colas form the first group, the third
    # cola and the water the second; the cola line is in both, with each group's share.
    basket = priced(
        [line("cola", "3"), line("water")],
        promo("any-2-drinks", Kind.MIX_AND_MATCH, categories={"drinks"}, quantity=2,
              price="2.50", name="Any 2 drinks"),
    )  # fmt: skip
    assert adjustments(basket) == {
        "cola": [
            (Decimal("1.48"), "Any 2 drinks (group 1 of 2): 2 for 2.50: 2 × 1.99 → 2.50"),
            (Decimal("0.20"), "Any 2 drinks (group 2 of 2): 2 for 2.50: 1.99 + 0.79 → 2.50"),
        ],
        "water": [
            (Decimal("0.08"), "Any 2 drinks (group 2 of 2): 2 for 2.50: 1.99 + 0.79 → 2.50"),
        ],
    }
    assert basket.total == Decimal("5.00")  # two groups at 2.50


def test_each_group_of_a_buy_x_get_y_names_what_it_rewards() -> None:
    basket = priced(
        [line("chips", "3"), line("crackers", "3")],
        promo("snacks-3for2", Kind.BUY_X_GET_Y, categories={"snacks"}, quantity=2, get_quantity=1),
    )
    assert adjustments(basket) == {
        "chips": [(Decimal("2.49"), "Snacks 3for2 (group 1 of 2): buy 2, get 1 free: 2.49 free")],
        "crackers": [
            (Decimal("1.49"), "Snacks 3for2 (group 2 of 2): buy 2, get 1 free: 1.49 free")
        ],
    }


def test_basket_threshold_at_its_edge() -> None:
    spend_50 = promo("spend-50", Kind.BASKET_THRESHOLD, threshold="50.00", amount="5.00")
    below = priced([line("wine", "5", unit_price="9.99")], spend_50)  # 49.95
    at = priced([line("wine", "5", unit_price="10.00")], spend_50)  # 50.00
    assert savings(below) == {}
    assert savings(at) == {"spend-50": Decimal("5.00")}
    assert at.total == Decimal("45.00")


def test_basket_percent_is_shared_over_the_lines_to_the_cent() -> None:
    ten_off = promo("ten-off", Kind.BASKET_THRESHOLD, threshold="20", percent=10)
    basket = priced([line("wine", "5"), line("cola"), line("water")], ten_off)
    total_before = Decimal("49.95") + Decimal("1.99") + Decimal("0.79")
    assert savings(basket) == {"ten-off": Decimal("5.27")}  # 10 % of 52.73
    assert basket.total == total_before - Decimal("5.27")
    assert sum(p.amount for p in basket.lines) == basket.total


def test_member_price_needs_the_loyalty_card() -> None:
    members = promo(
        "cola-members", Kind.MEMBER_PRICE, skus={"cola"}, price="1.49", members_only=True
    )
    assert priced([line("cola")], members).total == Decimal("1.99")
    assert priced([line("cola")], members, member=True).total == Decimal("1.49")


def test_a_coupon_promotion_needs_its_code() -> None:
    welcome = promo("welcome", Kind.BASKET_THRESHOLD, threshold="10", amount="5", coupon="WELCOME5")
    basket = [line("wine", "2")]
    assert priced(basket, welcome).total == Decimal("19.98")
    assert priced(basket, welcome, coupons=frozenset({"WELCOME5"})).total == Decimal("14.98")


def test_a_manager_override_replaces_the_price_and_takes_no_promotion() -> None:
    overridden = line("cola", "2", override_price=Decimal("1.00"), override_reason="dented can")
    basket = priced([overridden], promo("cola-week", Kind.PERCENT_OFF, skus={"cola"}, percent=50))
    assert basket.total == Decimal("2.00")
    assert reasons(basket) == {"price override 1.99 → 1.00: dented can"}


def test_a_line_discount_applies_after_promotions() -> None:
    discounted = line("wine", discount=ManualDiscount("loyal customer", "sup-7",
                                                      percent=Decimal(10)))  # fmt: skip
    basket = priced([discounted], promo("wine-2", Kind.AMOUNT_OFF, skus={"wine"}, amount="2.00"))
    assert [a.amount for a in basket.lines[0].adjustments] == [Decimal("2.00"), Decimal("0.80")]
    assert "line discount: loyal customer (approved by sup-7)" in reasons(basket)


# ------------------------------------------------------------- competition and stacking


def test_competing_promotions_give_the_customer_the_better_one() -> None:
    twenty = promo("cola-20", Kind.PERCENT_OFF, skus={"cola"}, percent=20)
    three_for_five = promo("cola-3for5", Kind.MULTI_BUY, skus={"cola"}, quantity=3, price="5.00")
    three_for_four = promo("cola-3for4", Kind.MULTI_BUY, skus={"cola"}, quantity=3, price="4.00")
    colas = [line("cola", "3")]
    # 20 % saves 1.19; 3 for 5.00 saves 0.97: the percentage wins
    assert savings(priced(colas, twenty, three_for_five)) == {"cola-20": Decimal("1.19")}
    # 3 for 4.00 saves 1.97: the multi-buy wins
    assert savings(priced(colas, twenty, three_for_four)) == {"cola-3for4": Decimal("1.97")}


def test_a_unit_takes_one_promotion_that_does_not_stack() -> None:
    ten = promo("cola-10", Kind.PERCENT_OFF, skus={"cola"}, percent=10)
    drinks = promo("drinks-15", Kind.PERCENT_OFF, categories={"drinks"}, percent=15)
    assert savings(priced([line("cola")], ten, drinks)) == {"drinks-15": Decimal("0.30")}


def test_a_stacking_promotion_applies_on_what_is_left() -> None:
    three_for_five = promo("cola-3for5", Kind.MULTI_BUY, skus={"cola"}, quantity=3, price="5.00")
    members = promo("members-10", Kind.PERCENT_OFF, categories={"drinks"}, percent=10,
                    stackable=True, members_only=True)  # fmt: skip
    basket = priced([line("cola", "3")], three_for_five, members, member=True)
    assert savings(basket) == {"cola-3for5": Decimal("0.97"), "members-10": Decimal("0.50")}
    assert basket.total == Decimal("4.50")


def test_the_split_of_units_between_competitors_is_optimal() -> None:
    # 2 for 3.00 on cola and juice, and 50 % off juice: the best is 50 % on the juices and
    # the colas paired, not the greedy pairing of the two most expensive items.
    pair = promo("pair", Kind.MIX_AND_MATCH, skus={"cola", "juice"}, quantity=2, price="3.00")
    half = promo("juice-half", Kind.PERCENT_OFF, skus={"juice"}, percent=50)
    basket = priced([line("cola", "2"), line("juice", "2")], pair, half)
    assert savings(basket) == {"pair": Decimal("0.98"), "juice-half": Decimal("2.29")}


def test_a_fifth_competing_promotion_does_not_raise_the_total() -> None:
    # Found by the property test: with five promotions competing, comparing only two
    # orders priced this basket at 0.04 with four promotions and at 0.51 with the extra
    # 1 %. Every subset of the promotions in both orders
    # is now priced: the apples at their member price and the chips paired, with or without.
    basket = [line("apple", n=n, unit_price="0.50") for n in range(3)]
    basket += [line("chips", n=n, unit_price="0.50") for n in range(2)]
    four = [
        promo("p0", Kind.PERCENT_OFF, skus={"apple"}, percent=1),
        promo("p1", Kind.PERCENT_OFF, skus={"apple"}, percent=1),
        promo("p2", Kind.MEMBER_PRICE, skus={"apple"}, price="0.01"),
        promo("p3", Kind.MULTI_BUY, skus={"apple"}, categories={"snacks"}, quantity=2,
              price="0.01"),
    ]  # fmt: skip
    extra = promo("extra", Kind.PERCENT_OFF, skus={"apple"}, categories={"snacks"}, percent=1)
    assert priced(basket, *four).total == Decimal("0.04")
    assert priced(basket, *four, extra).total == Decimal("0.04")


def test_the_pieces_bought_to_earn_a_free_one_earn_nothing_else() -> None:
    # Buy 1 get 1 free on chips and 2 for 3.00 on chips: the chips paid in full to get the
    # free one are the deal's; they cannot also form a pair with other chips.
    free = promo("b1g1", Kind.BUY_X_GET_Y, skus={"chips"}, quantity=1, get_quantity=1)
    pair = promo("pair", Kind.MULTI_BUY, skus={"chips"}, quantity=2, price="3.00")
    basket = priced([line("chips", "3")], free, pair)
    # One paid, one free, the third in full (4.98); or a pair and the third (5.49). Not
    # 3.00: the paid one and the third paired again, on top of the free one.
    assert basket.total == Decimal("4.98")
    assert sum(len(p.adjustments) for p in basket.lines) == 1


def test_equal_savings_go_to_the_higher_priority() -> None:
    first = promo("a-first", Kind.AMOUNT_OFF, skus={"cola"}, amount="0.50", priority=1)
    second = promo("b-second", Kind.AMOUNT_OFF, skus={"cola"}, amount="0.50", priority=5)
    assert savings(priced([line("cola")], first, second)) == {"b-second": Decimal("0.50")}


def test_of_two_basket_promotions_that_do_not_stack_the_better_applies() -> None:
    five = promo("spend-50-5", Kind.BASKET_THRESHOLD, threshold="50", amount="5")
    ten_pct = promo("spend-50-10pct", Kind.BASKET_THRESHOLD, threshold="50", percent=10)
    basket = priced([line("wine", "6")], five, ten_pct)  # 59.94
    assert savings(basket) == {"spend-50-10pct": Decimal("5.99")}


# ------------------------------------------------------------- validity


def test_a_window_includes_its_start_and_excludes_its_end() -> None:
    window = Window(THURSDAY_10AM, THURSDAY_10AM + timedelta(days=1))
    sale = promo("flash", Kind.PERCENT_OFF, skus={"cola"}, percent=50, window=window)
    at_start = priced([line("cola")], sale, at=THURSDAY_10AM)
    before = priced([line("cola")], sale, at=THURSDAY_10AM - timedelta(microseconds=1))
    at_end = priced([line("cola")], sale, at=THURSDAY_10AM + timedelta(days=1))
    assert (at_start.total, before.total, at_end.total) == (
        Decimal("0.99"),
        Decimal("1.99"),
        Decimal("1.99"),
    )


def test_weekdays_and_hours_limit_a_promotion() -> None:
    happy_hour = Window(ALL_YEAR.starts, ALL_YEAR.ends, weekdays=frozenset({3}),  # Thursdays
                        opens=time(17), closes=time(19))  # fmt: skip
    sale = promo("happy-hour", Kind.PERCENT_OFF, skus={"wine"}, percent=20, window=happy_hour)
    thursday_6pm = THURSDAY_10AM.replace(hour=18)
    assert savings(priced([line("wine")], sale, at=thursday_6pm)) == {"happy-hour": Decimal("2.00")}
    assert savings(priced([line("wine")], sale, at=THURSDAY_10AM)) == {}
    assert savings(priced([line("wine")], sale, at=thursday_6pm + timedelta(days=1))) == {}
    assert savings(priced([line("wine")], sale, at=THURSDAY_10AM.replace(hour=19))) == {}


def test_a_promotion_scoped_to_other_stores_does_not_apply_here() -> None:
    local = promo("berlin-only", Kind.PERCENT_OFF, skus={"cola"}, percent=50, stores={"S0002"})
    assert priced([line("cola")], local, store="S0001").total == Decimal("1.99")
    assert priced([line("cola")], local, store="S0002").total == Decimal("0.99")


# ------------------------------------------------------------- weighed, embedded, tax


def test_weighed_goods_are_priced_by_the_kilogram_and_take_promotions() -> None:
    bananas = line("bananas", "0.512", weighed=True)
    basket = priced([bananas], promo("fruit", Kind.PERCENT_OFF, skus={"bananas"}, percent=10))
    assert basket.lines[0].base_amount == Decimal("1.02")  # 0.512 × 1.99 = 1.01888
    assert basket.total == Decimal("0.92")


def test_a_price_in_the_barcode_wins_and_takes_no_item_promotion() -> None:
    labelled = line("cheese", "0.345", weighed=True, embedded_price=Decimal("3.47"))
    basket = priced([labelled], promo("cheese", Kind.PERCENT_OFF, skus={"cheese"}, percent=50))
    assert basket.total == Decimal("3.47")


def test_exclusive_sales_tax_is_charged_on_the_discounted_amount() -> None:
    item = line("wine", unit_price="10.00", tax=SALES_TAX)
    basket = priced([item], promo("one-off", Kind.AMOUNT_OFF, skus={"wine"}, amount="1.00"))
    assert (basket.subtotal, basket.discount_total) == (Decimal("10.00"), Decimal("1.00"))
    assert basket.tax_total == Decimal("0.80")  # 8.875 % of 9.00 = 0.79875
    assert basket.total == Decimal("9.80")


def test_inclusive_vat_is_extracted_from_the_discounted_amount() -> None:
    basket = priced([line("wine")], promo("half", Kind.PERCENT_OFF, skus={"wine"}, percent=50))
    # The discount, 4.995, rounds half up in the customer's favour
    assert (basket.discount_total, basket.total) == (Decimal("5.00"), Decimal("4.99"))
    assert basket.tax_total == Decimal("0.33")  # 4.99 × 0.07 / 1.07 = 0.3264


def test_a_half_cent_rounds_up() -> None:
    basket = priced([line("item", unit_price="0.25")],
                    promo("ten", Kind.PERCENT_OFF, skus={"item"}, percent=10))  # fmt: skip
    assert savings(basket) == {"ten": Decimal("0.03")}  # 0.025


@pytest.mark.parametrize(
    ("total", "due"),
    [("12.32", "12.30"), ("12.33", "12.35"), ("12.37", "12.35"), ("12.38", "12.40"),
     ("12.30", "12.30"), ("0.02", "0.00")],
)  # fmt: skip
def test_cash_is_rounded_to_the_nearest_five_cents(total: str, due: str) -> None:
    assert cash_due(Decimal(total), increment=Decimal("0.05")) == Decimal(due)
    assert cash_due(Decimal(total), increment=None) == Decimal(total)


def test_a_return_is_refunded_at_what_was_paid() -> None:
    basket = priced([line("cola", "3")], promo("3for5", Kind.MULTI_BUY, skus={"cola"}, quantity=3,
                                               price="5.00"))  # fmt: skip
    sold = basket.lines[0]
    assert refund_amount(sold=sold, sold_quantity=Decimal(3), returned=Decimal(1)) == Decimal(
        "1.67"
    )
    assert refund_amount(sold=sold, sold_quantity=Decimal(3), returned=Decimal(3)) == Decimal(
        "5.00"
    )
    with pytest.raises(ValueError, match="between 0 and"):
        refund_amount(sold=sold, sold_quantity=Decimal(3), returned=Decimal(4))


# ------------------------------------------------------------- price books


def test_the_most_specific_price_book_in_force_wins() -> None:
    december = datetime(2026, 12, 1, tzinfo=UTC)
    entries = [
        PriceEntry(Decimal("1.79"), Scope.CHAIN, starts=december),
        PriceEntry(Decimal("1.89"), Scope.REGION, starts=THURSDAY_10AM, ends=december),
        PriceEntry(Decimal("1.69"), Scope.STORE, starts=december + timedelta(days=7)),
    ]
    base = Decimal("1.99")
    assert list_price(base=base, entries=entries, at=THURSDAY_10AM - timedelta(seconds=1)) == base
    assert list_price(base=base, entries=entries, at=THURSDAY_10AM) == Decimal("1.89")
    assert list_price(base=base, entries=entries, at=december) == Decimal("1.79")
    assert list_price(base=base, entries=entries, at=december + timedelta(days=7)) == Decimal(
        "1.69"
    )
