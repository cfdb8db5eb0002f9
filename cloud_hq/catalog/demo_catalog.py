"""A realistic grocery catalogue for the demo and the benchmarks, in the catalogue-file format.

Packaged goods get valid EAN-13 barcodes (GS1 Germany prefixes 400-440); produce is sold
by weight under its IFPS PLU code, organic produce under the 9-prefixed code.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from stdnum import ean

TAX_CLASSES = [
    {"code": "STD", "rate": "0.1900", "inclusive": True},
    {"code": "RED", "rate": "0.0700", "inclusive": True},
    {"code": "ZERO", "rate": "0.0000", "inclusive": True},
]

# IFPS price look-up codes: (PLU, name, price per kg)
PRODUCE = [
    ("4011", "Bananas", "1.99"),
    ("4131", "Fuji apples", "2.99"),
    ("4017", "Granny Smith apples", "2.79"),
    ("4016", "Red Delicious apples", "2.49"),
    ("4020", "Golden Delicious apples", "2.49"),
    ("4135", "Gala apples", "2.69"),
    ("4025", "Anjou pears", "2.99"),
    ("4026", "Bosc pears", "3.19"),
    ("4012", "Navel oranges", "2.29"),
    ("4053", "Lemons", "3.49"),
    ("4048", "Limes", "4.99"),
    ("4022", "White seedless grapes", "4.99"),
    ("4023", "Red seedless grapes", "4.99"),
    ("4030", "Kiwifruit", "3.99"),
    ("4038", "Peaches", "3.49"),
    ("4062", "Cucumbers", "1.99"),
    ("4065", "Green bell peppers", "3.99"),
    ("4088", "Red bell peppers", "4.99"),
    ("4087", "Roma tomatoes", "2.99"),
    ("4664", "Tomatoes on the vine", "3.99"),
    ("4072", "Russet potatoes", "1.29"),
    ("4082", "Red onions", "1.79"),
    ("4166", "Sweet onions", "1.99"),
    ("4562", "Carrots", "1.19"),
    ("4060", "Broccoli", "3.49"),
    ("4069", "Green cabbage", "1.49"),
    ("4070", "Celery", "2.49"),
    ("4081", "Eggplant", "3.29"),
    ("4067", "Zucchini", "2.99"),
    ("4608", "Garlic", "7.99"),
    ("4612", "Ginger root", "8.99"),
    ("4816", "Sweet potatoes", "2.99"),
]

# category: (tax class, price range, [(item, sizes)])
PACKAGED: dict[str, tuple[str, tuple[str, str], list[tuple[str, list[str]]]]] = {
    "drinks": (
        "STD",
        ("0.49", "4.99"),
        [
            ("Sparkling water", ["0.5 l", "1 l", "1.5 l"]),
            ("Still water", ["0.5 l", "1.5 l"]),
            ("Orange juice", ["1 l", "1.5 l"]),
            ("Apple juice", ["1 l"]),
            ("Cola", ["0.33 l", "1 l", "1.5 l"]),
            ("Lemonade", ["0.5 l", "1 l"]),
            ("Iced tea peach", ["0.5 l", "1.5 l"]),
            ("Lager beer", ["0.33 l", "0.5 l"]),
            ("Ground coffee", ["250 g", "500 g"]),
            ("Black tea", ["20 bags", "50 bags"]),
        ],
    ),
    "dairy": (
        "RED",
        ("0.39", "5.99"),
        [
            ("Whole milk 3.5 %", ["0.5 l", "1 l"]),
            ("Semi-skimmed milk 1.5 %", ["1 l"]),
            ("Natural yoghurt", ["150 g", "500 g"]),
            ("Strawberry yoghurt", ["150 g"]),
            ("Butter", ["250 g"]),
            ("Gouda slices", ["150 g", "400 g"]),
            ("Mozzarella", ["125 g"]),
            ("Cream cheese", ["200 g"]),
            ("Free-range eggs", ["6 pcs", "10 pcs"]),
            ("Whipping cream", ["200 ml"]),
        ],
    ),
    "bakery": (
        "RED",
        ("0.29", "3.99"),
        [
            ("Wholegrain bread", ["500 g", "750 g"]),
            ("Rye bread", ["500 g"]),
            ("Toast bread", ["500 g"]),
            ("Croissants", ["4 pcs"]),
            ("Bread rolls", ["6 pcs", "10 pcs"]),
            ("Pretzel", ["1 pc"]),
        ],
    ),
    "pantry": (
        "RED",
        ("0.49", "6.99"),
        [
            ("Spaghetti", ["500 g", "1 kg"]),
            ("Penne", ["500 g"]),
            ("Basmati rice", ["500 g", "1 kg"]),
            ("Wheat flour type 405", ["1 kg"]),
            ("Sugar", ["1 kg"]),
            ("Tomato sauce", ["400 g", "700 g"]),
            ("Chopped tomatoes", ["400 g"]),
            ("Sunflower oil", ["1 l"]),
            ("Olive oil extra virgin", ["0.5 l", "0.75 l"]),
            ("Oat flakes", ["500 g"]),
            ("Honey", ["250 g", "500 g"]),
            ("Strawberry jam", ["340 g"]),
            ("Peanut butter", ["350 g"]),
            ("Kidney beans", ["400 g"]),
            ("Tuna in oil", ["150 g"]),
        ],
    ),
    "snacks": (
        "RED",
        ("0.59", "3.99"),
        [
            ("Potato crisps salted", ["175 g"]),
            ("Potato crisps paprika", ["175 g"]),
            ("Milk chocolate", ["100 g"]),
            ("Dark chocolate 70 %", ["100 g"]),
            ("Butter biscuits", ["200 g"]),
            ("Salted peanuts", ["200 g"]),
            ("Gummy bears", ["200 g"]),
            ("Tortilla chips", ["200 g"]),
        ],
    ),
    "frozen": (
        "RED",
        ("0.99", "6.99"),
        [
            ("Pizza margherita", ["350 g"]),
            ("Pizza salami", ["380 g"]),
            ("Spinach leaves", ["450 g"]),
            ("Garden peas", ["450 g"]),
            ("Fish fingers", ["300 g", "450 g"]),
            ("Vanilla ice cream", ["1 l"]),
            ("French fries", ["750 g"]),
        ],
    ),
    "household": (
        "STD",
        ("0.79", "9.99"),
        [
            ("Dishwasher tablets", ["30 pcs", "60 pcs"]),
            ("Washing-up liquid", ["500 ml"]),
            ("Laundry detergent", ["1.5 l", "3 l"]),
            ("Kitchen roll", ["4 rolls"]),
            ("Toilet paper", ["8 rolls", "16 rolls"]),
            ("Bin bags", ["20 pcs"]),
            ("All-purpose cleaner", ["1 l"]),
        ],
    ),
    "personal_care": (
        "STD",
        ("0.89", "7.99"),
        [
            ("Shampoo", ["300 ml"]),
            ("Shower gel", ["250 ml"]),
            ("Toothpaste", ["75 ml"]),
            ("Deodorant spray", ["150 ml"]),
            ("Hand soap", ["300 ml"]),
            ("Cotton pads", ["100 pcs"]),
        ],
    ),
}

BRANDS = [
    "Alpenhof", "Nordkap", "Sonnenfeld", "Gutes Land", "Elbtal", "Rheingold", "Bergquell",
    "Hofgut", "Lindenhain", "Küstenfrisch", "Waldmühle", "Brückner", "Marktstolz", "Tagwerk",
    "Feinkost Meyer", "Saxonia", "Hansa", "Auenland", "Morgentau", "Eichenhof",
]  # fmt: skip


LINES = ["", "Bio", "Classic", "Premium", "Light", "Family pack", "Regional", "Value"]


def _price(rng: random.Random, low: str, high: str) -> str:
    cents = rng.randint(int(Decimal(low) * 100) // 10, int(Decimal(high) * 100) // 10)
    return str((Decimal(cents * 10 + 9) / 100).quantize(Decimal("0.01")))


def _ean13(prefix: int, number: int) -> str:
    body = f"{prefix:03d}{number:09d}"
    return body + ean.calc_check_digit(body)


def demo_catalog(*, products: int = 5000, seed: int = 20261126) -> dict[str, Any]:
    """Return a catalogue document with `products` products (produce first, then packaged)."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    items: list[dict[str, Any]] = []
    for plu, name, price in PRODUCE:
        items.append(_produce(plu, name, price, organic=False))
        items.append(_produce("9" + plu, f"Organic {name.lower()}", _organic(price), organic=True))
    templates = [
        (category, tax, prices, item, size)
        for category, (tax, prices, entries) in PACKAGED.items()
        for item, sizes in entries
        for size in sizes
    ]
    number = 0
    while len(items) < products:
        category, tax, (low, high), item, size = templates[number % len(templates)]
        brand = BRANDS[(number // len(templates)) % len(BRANDS)]
        variant = number // (len(templates) * len(BRANDS))
        line = LINES[variant % len(LINES)]
        name = " ".join(
            part
            for part in (brand, line, item, size, f"#{variant // len(LINES) + 1}")
            if part and part != "#1"
        )
        items.append(
            {
                "sku": f"{200000 + number}",
                "name": name,
                "barcodes": [_ean13(400 + number % 41, 100000 + number)],
                "price": _price(rng, low, high),
                "tax_class": tax,
                "unit": "each",
                "category": category,
            }
        )
        number += 1
    catalogue = items[:products]
    return {
        "tax_classes": TAX_CLASSES,
        "products": catalogue,
        "groups": _groups(catalogue),
        "promotions": _promotions(catalogue),
        "price_books": [],
    }


LIVE = {"starts": "2026-01-01T00:00:00+00:00", "ends": "2031-01-01T00:00:00+00:00"}


def _skus(catalogue: list[dict[str, Any]], words: str, limit: int = 20) -> list[str]:
    return [p["sku"] for p in catalogue if words in p["name"]][:limit]


def _groups(catalogue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"code": "PIZZAS", "skus": _skus(catalogue, "Pizza"), "categories": [], "groups": []},
        {"code": "BEERS", "skus": _skus(catalogue, "Lager beer"), "categories": [], "groups": []},
    ]


def _promotions(catalogue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One promotion of every kind the pricing engine knows, live for the demo's years."""
    candidates: list[dict[str, Any]] = [
        {"code": "SNACK-WEEK", "name": "Snack week", "kind": "percent_off",
         "categories": ["snacks"], "percent": "10", **LIVE},
        {"code": "WATER-20C", "name": "Water 0.20 off", "kind": "amount_off",
         "skus": _skus(catalogue, "Sparkling water", 5), "amount": "0.20", **LIVE},
        {"code": "COLA-3FOR", "name": "Cola 3 for 2.50", "kind": "multi_buy",
         "skus": _skus(catalogue, "Cola"), "quantity": 3, "price": "2.50", **LIVE},
        {"code": "SHAMPOO-3FOR2", "name": "Shampoo 3 for 2", "kind": "buy_x_get_y",
         "skus": _skus(catalogue, "Shampoo"), "quantity": 2, "get_quantity": 1, **LIVE},
        {"code": "PIZZA-2FOR5", "name": "Any 2 pizzas for 5.00", "kind": "mix_and_match",
         "groups": ["PIZZAS"], "quantity": 2, "price": "5.00", **LIVE},
        {"code": "BANANA-MEMBERS", "name": "Members' bananas", "kind": "member_price",
         "skus": ["4011"], "price": "1.49", **LIVE},
        {"code": "HAPPY-HOUR", "name": "Happy hour beers", "kind": "percent_off",
         "groups": ["BEERS"], "percent": "20", "weekdays": [0, 1, 2, 3, 4],
         "hours": ["17:00", "19:00"], **LIVE},
        {"code": "SPEND-50", "name": "Spend 50, save 5", "kind": "basket_threshold",
         "threshold": "50.00", "amount": "5.00", **LIVE},
        {"code": "WELCOME5", "name": "Welcome coupon", "kind": "basket_threshold",
         "threshold": "20.00", "amount": "5.00", "coupon": "WELCOME5", "single_use": True,
         "stackable": True, **LIVE},
    ]  # fmt: skip
    # A small catalogue may lack some products: leave out what would target nothing.
    return [
        p for p in candidates if p["kind"] == "basket_threshold" or p.get("skus")
        or p.get("categories") or p.get("groups")
    ]  # fmt: skip


def _produce(plu: str, name: str, price: str, *, organic: bool) -> dict[str, Any]:
    return {
        "sku": plu,
        "name": name,
        "barcodes": [],
        "plu": plu,
        "price": price,
        "tax_class": "RED",
        "unit": "kg",
        "category": "organic_produce" if organic else "produce",
    }


def _organic(price: str) -> str:
    return str((Decimal(price) * Decimal("1.4")).quantize(Decimal("0.01")))
