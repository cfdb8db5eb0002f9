"""The catalogue file fuzzed: whatever a file holds (wrong types, missing keys, huge or
non-finite numbers, negative prices, endless or control-laden strings, deep nesting,
duplicates, bad check digits, dates at the ends of the calendar, not JSON at all),
import_catalog imports it whole or refuses it with problems named by their path, and a
refused file leaves HQ's master data as it was. A valid catalogue imports and exports back
to the same catalogue."""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cloud_hq.catalog.catalog_file import (
    EARLIEST,
    LATEST,
    CatalogFile,
    CatalogFileError,
    catalog_file_parse,
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

PARSE = settings(max_examples=300)
# Each example imports through the command, on the test's database (in a rolled back
# transaction); hypothesis' function-scoped fixture check does not apply.
IMPORT = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HOSTILE_IMPORT = settings(IMPORT, max_examples=120)
PROBLEM_LIMIT = 300  # characters: a problem is read by a person, next to its path
# "<path>: <message>", the path as `products[3].price`, or "(file)" for the whole file.
PROBLEM = re.compile(r"^(\(file\)|[^\s:.\[][^\s]*): \S")

# ---------------------------------------------------------------------------- valid files


def check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


GTINS = st.sampled_from([8, 12, 13, 14]).flatmap(
    lambda length: st.text("0123456789", min_size=length - 1, max_size=length - 1).map(
        lambda body: body + check_digit(body)
    )
)
CODES = st.from_regex(r"\A[A-Za-z0-9._-]{1,12}\Z")
TEXT = (
    st.text(
        st.characters(categories=["L", "N", "P", "S", "Zs"], exclude_characters="\x85"),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
MONEY = st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2).map(str)
MOMENTS = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime(2099, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@st.composite
def catalogs(draw: st.DrawFn) -> dict[str, Any]:
    """A valid catalogue file: every reference known, every code once, no loop of groups."""
    tax_codes = draw(st.lists(st.from_regex(r"\A[A-Z]{1,6}\Z"), min_size=1, max_size=3,
                              unique=True))  # fmt: skip
    tax_classes = [
        {"code": code, "inclusive": draw(st.booleans()),
         "rate": str(draw(st.decimals(min_value=0, max_value=Decimal("0.9999"), places=4)))}
        for code in tax_codes
    ]  # fmt: skip
    skus = draw(st.lists(CODES, max_size=6, unique=True))
    categories = draw(st.lists(TEXT, max_size=3, unique=True))
    gtins = iter(draw(st.lists(GTINS, max_size=12, unique_by=lambda code: code.zfill(14))))
    plus = iter(draw(st.lists(st.from_regex(r"\A([0-9]{4}|[89][0-9]{4})\Z"), max_size=6,
                              unique=True)))  # fmt: skip
    products = []
    for sku in skus:
        count = draw(st.integers(0, 2))
        products.append(
            {"sku": sku, "name": draw(TEXT), "price": draw(MONEY),
             "barcodes": [code for code in (next(gtins, None) for _ in range(count)) if code],
             "plu": next(plus, "") if draw(st.booleans()) else "",
             "tax_class": draw(st.sampled_from(tax_codes)), "unit": draw(st.sampled_from(
                 ["each", "kg"])), "category": draw(st.sampled_from(["", *categories]))}
        )  # fmt: skip
    groups: list[dict[str, Any]] = []
    for code in draw(st.lists(CODES, max_size=3, unique=True)):
        earlier = [group["code"] for group in groups]  # members come first: never a loop
        groups.append(
            {"code": code,
             "skus": draw(st.lists(st.sampled_from(skus), unique=True)) if skus else [],
             "categories": draw(st.lists(st.sampled_from(categories), unique=True))
             if categories else [],
             "groups": draw(st.lists(st.sampled_from(earlier), unique=True)) if earlier else []}
        )  # fmt: skip
    promotions = []
    for code in draw(st.lists(CODES, max_size=2, unique=True)) if skus else []:
        starts = draw(MOMENTS)
        promotions.append(
            {"code": code, "name": draw(TEXT), "kind": "percent_off",
             "percent": str(draw(st.decimals(min_value=Decimal("0.01"), max_value=100,
                                             places=2))),
             "skus": draw(st.lists(st.sampled_from(skus), min_size=1, unique=True)),
             "starts": starts.isoformat(),
             "ends": (starts + draw(st.timedeltas(timedelta(seconds=1), timedelta(days=999))))
             .isoformat()}
        )  # fmt: skip
    books = []
    for code in draw(st.lists(CODES, max_size=2, unique=True)) if skus else []:
        region = draw(st.sampled_from(["", "north"]))
        prices = []
        # A SKU may have several prices in a book, each from its own start (or from always)
        for sku, start in draw(st.lists(st.tuples(st.sampled_from(skus), st.none() | MOMENTS),
                                        unique=True, max_size=6)):  # fmt: skip
            price: dict[str, Any] = {"sku": sku, "price": draw(MONEY)}
            if start is not None:
                price["starts"] = start.isoformat()
            if draw(st.booleans()):
                ends = (start or datetime(2100, 1, 1, tzinfo=UTC)) + draw(st.timedeltas(
                    timedelta(seconds=1), timedelta(days=999)))  # fmt: skip
                price["ends"] = ends.isoformat()
            prices.append(price)
        books.append({"code": code, "scope": "region" if region else "chain",
                      "region": region, "prices": prices})  # fmt: skip
    return {"tax_classes": tax_classes, "products": products, "groups": groups,
            "promotions": promotions, "price_books": books}  # fmt: skip


def normalized(catalog: CatalogFile) -> CatalogFile:
    """The catalogue with its lists in the order an export writes them."""

    def entry_order(price: Any) -> tuple[Any, ...]:
        return (price.sku, price.starts or EARLIEST, price.ends or LATEST, price.price)

    return catalog.model_copy(
        update={
            "tax_classes": sorted(catalog.tax_classes, key=lambda tax: tax.code),
            "products": sorted(catalog.products, key=lambda product: product.sku),
            "groups": sorted(catalog.groups, key=lambda group: group.code),
            "promotions": sorted(catalog.promotions, key=lambda promotion: promotion.code),
            "price_books": [
                book.model_copy(update={"prices": sorted(book.prices, key=entry_order)})
                for book in sorted(catalog.price_books, key=lambda book: book.code)
            ],
        }
    )


# ---------------------------------------------------------------------------- hostile files

HOSTILE_CONSTANTS: list[Any] = [
    None, True, False, 0, -1, 1.5, 1e308, -1e308, 10**40, 10**400, float("nan"), float("inf"),
    float("-inf"), "NaN", "sNaN", "Infinity", "-Infinity", "-0.01", "-0", "1e999999999",
    "1E-999999999", "0.001", "1_000.00", "٣.٠٠", "３", " 1.00 ", "", " ", "\x00", "a\x00b",
    "\x1b[31m", "\ud800", "\udfff", "x" * 100_000, "9" * 5000, [], {}, [[[[[[[[[[[]]]]]]]]]]],
    {"a": {"b": {"c": None}}}, "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59",
    "2026-13-01T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00+20:00",
    ["10:00+01:00", "11:00+01:00"], ["10:00", "09:00"], ["25:00", "26:00"], "4006381333932",
    "٤٠٠٦٣٨١٣٣٣٩٣١",
]  # fmt: skip
HOSTILE_VALUES = st.one_of(
    st.sampled_from(HOSTILE_CONSTANTS),
    st.text(max_size=50),
    st.integers(),
    st.floats(),
    st.lists(st.text(max_size=5), max_size=3),
)
HELD_SKU, HELD_BARCODE, HELD_PLU = "100001", "4006381333931", "4011"  # what HQ holds (`held`)
HELD_CONFLICTS: list[tuple[str, Any]] = [
    ("barcodes", [HELD_BARCODE]), ("plu", HELD_PLU), ("sku", HELD_SKU), ("tax_class", "UNKNOWN")
]  # fmt: skip
# Defects that only a promotion or a price can have: at the ends of the calendar, offsets
# PostgreSQL cannot store, hours with an offset, references to nothing, a second price.
PROMOTION_DEFECTS: list[tuple[str, Any]] = [
    ("hours", ["10:00+01:00", "11:00+01:00"]), ("hours", ["10:00", "11:00+01:00"]),
    ("hours", ["10:00", "09:00"]), ("hours", ["10:00"]), ("ends", "9999-12-31T23:59:59-23:59"),
    ("starts", "0001-01-01T00:00:00+23:59"), ("ends", "2199-01-01T00:00:00+20:00"),
    ("ends", "9999-12-31T23:59:59+00:00"), ("weekdays", [7]), ("weekdays", [-1, 0]),
    ("stores", ["S404"]), ("skus", ["x" * 100]), ("skus", ["404"]), ("groups", ["NOPE"]),
    ("categories", ["c" * 65]), ("percent", "0"), ("percent", "100.001"), ("kind", "multi_buy"),
    ("coupon", "\x00"), ("single_use", True), ("priority", 10**6),
]  # fmt: skip
PRICE_DEFECTS: list[tuple[str, Any]] = [
    ("starts", "0001-01-01T00:00:00+23:59"), ("ends", "9999-12-31T23:59:59-23:59"),
    ("starts", "2026-01-01T00:00:00+18:00"), ("price", "-0.01"), ("price", "1e11"),
    ("sku", "404"), ("twin", None),
]  # fmt: skip
KEYS = st.sampled_from(
    ["code", "rate", "inclusive", "sku", "name", "barcodes", "plu", "price", "tax_class", "unit",
     "category", "skus", "categories", "groups", "kind", "starts", "ends", "weekdays", "hours",
     "stores", "priority", "percent", "amount", "quantity", "threshold", "coupon", "scope",
     "region", "store", "prices", "tax_classes", "products", "promotions", "price_books",
     "unknown", "products\x00", "\ud800", "x" * 1000]
)  # fmt: skip


def containers(document: Any) -> list[Any]:
    """Every dict and list in a document, the document first."""
    found = [document]
    for value in document.values() if isinstance(document, dict) else document:
        if isinstance(value, dict | list):
            found += containers(value)
    return found


def dicts_in(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


@st.composite
def mutations(draw: st.DrawFn, document: dict[str, Any]) -> None:
    """Spoil a document in place, once: a value, a key, a duplicate, a digit, a loop."""
    products = dicts_in(document.get("products"))
    barcodes = [
        (codes, index)
        for codes in (p.get("barcodes") for p in products)
        if isinstance(codes, list)
        for index, code in enumerate(codes)
        if isinstance(code, str) and code.isdigit()
    ]
    groups = dicts_in(document.get("groups"))
    promotions = dicts_in(document.get("promotions"))
    prices = [dicts_in(book.get("prices")) for book in dicts_in(document.get("price_books"))]
    prices = [entries for entries in prices if entries]
    kind = draw(st.sampled_from(["value", "delete", "add", "duplicate", "digit", "loop", "sku",
                                 "held", "promotion", "price"]))  # fmt: skip
    if kind == "promotion" and promotions:
        key, value = draw(st.sampled_from(PROMOTION_DEFECTS))
        draw(st.sampled_from(promotions))[key] = value
    elif kind == "price" and prices:
        entries = draw(st.sampled_from(prices))
        key, value = draw(st.sampled_from(PRICE_DEFECTS))
        if key == "twin":
            entries.append({**draw(st.sampled_from(entries)), "price": "0.01"})
        else:
            draw(st.sampled_from(entries))[key] = value
    elif kind == "held" and products:
        # What HQ holds already: a barcode, a PLU or a SKU of its own, or unknown references
        product = draw(st.sampled_from(products))
        key, value = draw(st.sampled_from(HELD_CONFLICTS))
        product[key] = value
    elif kind == "held" and isinstance(document.get("groups"), list):
        document["groups"].append({"code": "NEW", "skus": [HELD_SKU, "404"], "groups": ["WATERS"]})
    elif kind == "duplicate" and products:
        twin = copy.deepcopy(draw(st.sampled_from(products)))
        twin["sku"] = draw(st.sampled_from([twin.get("sku"), f"{twin.get('sku')}-2"]))
        document["products"].append(twin)
    elif kind == "digit" and barcodes:
        codes, at = draw(st.sampled_from(barcodes))
        position = draw(st.integers(0, len(codes[at]) - 1))
        digit = str((int(codes[at][position]) + draw(st.integers(1, 9))) % 10)
        codes[at] = codes[at][:position] + digit + codes[at][position + 1 :]
    elif kind == "loop" and groups:
        first, last = groups[0], groups[-1]
        first["groups"] = [*(first.get("groups") or []), last.get("code")]
    elif kind == "sku" and products:
        draw(st.sampled_from(products))["sku"] = draw(HOSTILE_VALUES)
    else:
        target = draw(st.sampled_from(containers(document)))
        if isinstance(target, list):
            if kind == "delete" and target:
                del target[draw(st.integers(0, len(target) - 1))]
            elif target:
                target[draw(st.integers(0, len(target) - 1))] = draw(HOSTILE_VALUES)
            else:
                target.append(draw(HOSTILE_VALUES))
        elif kind == "delete" and target:
            del target[draw(st.sampled_from(sorted(target)))]
        elif kind == "add" or not target:
            target[draw(KEYS)] = draw(HOSTILE_VALUES)
        else:
            target[draw(st.sampled_from(sorted(target)))] = draw(HOSTILE_VALUES)


@st.composite
def hostile_documents(draw: st.DrawFn) -> Any:
    document = draw(catalogs())
    for _ in range(draw(st.integers(1, 3))):
        draw(mutations(document))
    return draw(st.one_of(st.just(document), st.just(document), HOSTILE_VALUES))


def deep(depth: int) -> str:
    return '{"products": ' + "[" * depth + "]" * depth + "}"


NOT_JSON_FILES = [
    b"", b"\xef\xbb\xbf{}", b'{"products": NaN}', b'{"products": [], "x": Infinity}',
    b'{"products": [' + b"1" * 5000 + b"]}", b'{"products": [{"sku": "1", ', b"\xff\xfe{\x00}\x00",
    '{"products": "\udcff"}'.encode("utf-8", "surrogatepass"),
    b'{"tax_classes": [{"code": "STD", "rate": 1e999999, "inclusive": true}]}',
]  # fmt: skip
NOT_JSON = st.one_of(
    st.binary(max_size=60),
    st.builds(deep, st.integers(1_000, 200_000)).map(str.encode),
    st.sampled_from(NOT_JSON_FILES),
)


def assert_clear_problems(problems: list[str]) -> None:
    assert problems
    for problem in problems:
        assert PROBLEM.match(problem), problem
        assert len(problem) <= PROBLEM_LIMIT, problem[:400]


# ---------------------------------------------------------------------------- the parser


@PARSE
@given(st.one_of(hostile_documents(), catalogs()))
def test_any_document_parses_or_is_refused_with_each_problem_named_by_its_path(
    document: Any,
) -> None:
    try:
        catalog = catalog_file_parse(document)
    except CatalogFileError as refusal:
        assert_clear_problems(refusal.problems)
        assert len(str(refusal)) <= 20 * (PROBLEM_LIMIT + 2)
        return
    # What parses holds no NUL, no offset, no amount the database cannot hold
    for product in catalog.products:
        assert "\x00" not in product.name and product.price.is_finite() and product.price >= 0
    for promotion in catalog.promotions:
        assert promotion.starts.utcoffset() == timedelta(0) < promotion.ends - promotion.starts
        assert promotion.hours is None or all(hour.tzinfo is None for hour in promotion.hours)


@PARSE
@given(catalogs())
def test_a_valid_catalogue_parses_and_its_json_parses_the_same(document: dict[str, Any]) -> None:
    catalog = catalog_file_parse(document)
    assert catalog_file_parse(json.loads(json.dumps(document))) == catalog
    assert catalog_file_parse(catalog.model_dump(mode="json")) == catalog


@pytest.mark.parametrize("size", [11, 2_000, 30_000])
def test_a_long_ring_of_groups_is_named_once_and_at_once(size: int) -> None:
    # Given groups each containing the next, the last the first
    document = {"groups": [{"code": f"G{i}", "groups": [f"G{(i + 1) % size}"]}
                           for i in range(size)]}  # fmt: skip

    # When the file is checked
    started = time.monotonic()
    with pytest.raises(CatalogFileError) as refusal:
        catalog_file_parse(document)

    # Then the loop is named once, shortened, in about the time it takes to read the file
    assert time.monotonic() - started < 5
    assert refusal.value.problems == [
        f"groups[0].groups: a loop of groups: G0 → G1 → G2 → G3 → G4 → G5 → G6 → G7 → "
        f"… ({size - 8} more) → G0"
    ]


# ---------------------------------------------------------------------------- the command


def catalog_state() -> dict[str, list[tuple[Any, ...]]]:
    """Everything an import writes."""
    return {
        "tax_classes": sorted(TaxClass.objects.values_list("code", "rate", "inclusive")),
        "categories": sorted(Category.objects.values_list("code", flat=True)),
        "products": sorted(Product.objects.values_list(
            "sku", "name", "price", "unit", "tax_class__code", "category__code", "plu")),
        "barcodes": sorted(Barcode.objects.values_list("code", "gtin", "product__sku")),
        "groups": sorted(map(str, ProductGroup.objects.values_list("code", "skus", "groups"))),
        "promotions": sorted(map(str, Promotion.objects.values_list("code", "definition"))),
        "books": sorted(PriceBook.objects.values_list("code", "scope", "region")),
        "prices": sorted(map(str, PriceEntry.objects.values_list("book__code", "sku", "price",
                                                                  "starts", "ends"))),
    }  # fmt: skip


@dataclass(frozen=True)
class Outcome:
    imported: bool
    stdout: str
    stderr: str
    message: str = ""


@pytest.fixture
def run_import(db: None, tmp_path: Path) -> Callable[..., Outcome]:
    """Run import_catalog on bytes: imported, or refused with a CommandError (nothing else)."""

    def run(content: bytes, *options: str) -> Outcome:
        path = tmp_path / "catalog.json"
        path.write_bytes(content)
        out, err = StringIO(), StringIO()
        try:
            call_command("import_catalog", str(path), *options, stdout=out, stderr=err)
        except CommandError as refusal:
            return Outcome(False, out.getvalue(), err.getvalue(), str(refusal))
        return Outcome(True, out.getvalue(), err.getvalue())

    return run


@contextmanager
def rolled_back() -> Iterator[None]:
    """Run an example in a transaction rolled back: the next finds HQ as the test left it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def encode(document: Any) -> bytes:
    return json.dumps(document, allow_nan=True).encode("utf-8", "surrogatepass")


@pytest.fixture
def held(db: None, run_import: Callable[..., Outcome]) -> dict[str, list[tuple[Any, ...]]]:
    """HQ holding a catalogue already, for refused files to leave alone."""
    document = {
        "tax_classes": [{"code": "STD", "rate": "0.19", "inclusive": True}],
        "products": [{"sku": HELD_SKU, "name": "Sparkling water", "barcodes": [HELD_BARCODE],
                      "plu": HELD_PLU, "price": "0.79", "tax_class": "STD", "unit": "each",
                      "category": "drinks"}],
        "groups": [{"code": "WATERS", "skus": ["100001"]}],
    }  # fmt: skip
    assert run_import(encode(document)).imported
    return catalog_state()


def assert_refused_cleanly(outcome: Outcome, before: dict[str, Any]) -> None:
    assert "nothing was imported" in outcome.message or "not JSON" in outcome.message
    assert len(outcome.message) <= PROBLEM_LIMIT + 200
    problems = [line.split(": ", 1)[1] for line in outcome.stderr.splitlines()]
    if "nothing was imported" in outcome.message:
        assert_clear_problems(problems)
    assert catalog_state() == before


@HOSTILE_IMPORT
@given(
    st.one_of(*[hostile_documents().map(encode)] * 3, catalogs().map(encode), NOT_JSON),
    st.booleans(),
)
def test_a_hostile_file_is_imported_whole_or_refused_leaving_hq_as_it_was(
    held: dict[str, Any],
    run_import: Callable[..., Outcome],
    content: bytes,
    dry_run: bool,
) -> None:
    with rolled_back():
        outcome = run_import(content, *(["--dry-run"] if dry_run else []))
        event("imported" if outcome.imported else outcome.message.split(": ", 1)[1][:12])
        if not outcome.imported:
            assert_refused_cleanly(outcome, held)
            return
        if dry_run:
            assert "nothing was imported" in outcome.stdout
            assert catalog_state() == held
            return
        # Imported: the file was a valid catalogue, and HQ holds what it says
        catalog = catalog_file_parse(json.loads(content))
        for product in catalog.products:
            stored = Product.objects.get(sku=product.sku)
            assert (stored.name, stored.price, stored.plu) == (product.name, product.price,
                                                               product.plu)  # fmt: skip


@IMPORT
@given(catalogs())
def test_a_valid_catalogue_imports_and_exports_back_unchanged(
    run_import: Callable[..., Outcome],
    tmp_path: Path,
    document: dict[str, Any],
) -> None:
    with rolled_back():
        outcome = run_import(encode(document))
        assert outcome.imported, outcome.stderr
        exported = tmp_path / "export.json"
        call_command("export_catalog", out=exported, stdout=StringIO())
        first = exported.read_bytes()
        assert normalized(catalog_file_parse(json.loads(first))) == normalized(
            catalog_file_parse(document)
        )
        # The export imports back as no change, and exports the same bytes again
        dry = run_import(first, "--dry-run")
        assert f"0 new, 0 changed and {len(document['products'])} unchanged" in dry.stdout
        assert run_import(first).imported
        call_command("export_catalog", out=exported, stdout=StringIO())
        assert exported.read_bytes() == first
