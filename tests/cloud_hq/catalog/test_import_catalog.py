"""import_catalog: a catalogue file is imported whole (an upsert), or not at all."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError
from django.utils import timezone

from cloud_hq.catalog.models import Barcode, Category, Product, Promotion, TaxClass
from cloud_hq.catalog.services import catalog_export
from tests.cloud_hq.conftest import (
    BREAD,
    BREAD_UPC,
    COLA,
    WATER,
    CommandOutput,
    catalog_document,
    refused_command,
    run_command,
)

Import = Callable[..., CommandOutput]


def catalog_state() -> dict[str, list[tuple[Any, ...]]]:
    """Everything an import writes, to compare before and after a refused file."""
    return {
        "tax_classes": sorted(TaxClass.objects.values_list("code", "rate", "inclusive")),
        "products": sorted(
            Product.objects.values_list(
                "sku", "name", "price", "unit", "tax_class__code", "category__code", "plu"
            )
        ),
        "barcodes": sorted(Barcode.objects.values_list("code", "gtin", "product__sku")),
    }


def barcodes_of(sku: str) -> set[str]:
    return set(Barcode.objects.filter(product__sku=sku).values_list("code", flat=True))


def test_valid_file_imports_tax_classes_products_and_barcodes(import_catalog: Import) -> None:
    # Given the catalogue file of the README's shape
    document = catalog_document()

    # When HQ imports it
    printed = import_catalog(document).stdout

    # Then every tax class, product and barcode is held as the file says
    assert "imported 2 tax classes, 3 new and 0 updated products, 3 barcodes" in printed
    assert catalog_state() == {
        "tax_classes": [("RED", Decimal("0.0700"), True), ("STD", Decimal("0.1900"), True)],
        "products": [
            ("100001", "Sparkling water 1 l", Decimal("0.79"), "each", "STD", "drinks", ""),
            ("200036", "Wholegrain bread 750 g", Decimal("2.49"), "each", "RED", "bakery", ""),
            ("4011", "Bananas", Decimal("1.99"), "kg", "RED", "produce", "4011"),
        ],
        "barcodes": [
            (BREAD_UPC, "00" + BREAD_UPC, "200036"),
            (WATER, "0" + WATER, "100001"),
            (BREAD, "0" + BREAD, "200036"),
        ],
    }
    assert set(Category.objects.values_list("code", flat=True)) == {"drinks", "bakery", "produce"}


def test_reimport_updates_products_and_adds_new_ones(import_catalog: Import) -> None:
    # Given an imported catalogue
    import_catalog(catalog_document())

    # When a second file changes a price, a tax rate and a name, and adds a product
    document = catalog_document()
    document["tax_classes"][0]["rate"] = "0.20"
    document["products"][0].update(price="0.89", name="Sparkling water 1.0 l")
    document["products"].append(
        {"sku": "100002", "name": "Cola 1 l", "barcodes": [COLA], "price": "1.29",
         "tax_class": "STD", "unit": "each", "category": "drinks"}
    )  # fmt: skip
    printed = import_catalog(document).stdout

    # Then the products are updated in place, not duplicated
    assert "1 new and 3 updated products" in printed
    water = Product.objects.get(sku="100001")
    assert (water.name, water.price) == ("Sparkling water 1.0 l", Decimal("0.89"))
    assert TaxClass.objects.get(code="STD").rate == Decimal("0.2000")
    assert Product.objects.count() == 4
    assert barcodes_of("100002") == {COLA}
    assert Barcode.objects.count() == 4


def test_reimport_that_changes_a_product_moves_its_updated_at(import_catalog: Import) -> None:
    # Given water imported a day ago
    import_catalog(catalog_document())
    a_day_ago = timezone.now() - timedelta(days=1)
    Product.objects.filter(sku="100001").update(updated_at=a_day_ago)

    # When a file changes its price
    document = catalog_document()
    document["products"][0]["price"] = "0.89"
    import_catalog(document)

    # Then the product records that it was updated now
    water = Product.objects.get(sku="100001")
    assert water.price == Decimal("0.89")
    assert water.updated_at > a_day_ago + timedelta(hours=23)


def test_reimport_leaves_products_missing_from_the_file_alone(import_catalog: Import) -> None:
    # Given an imported catalogue
    import_catalog(catalog_document())

    # When a file lists only the bananas
    document = catalog_document()
    document["products"] = [p for p in document["products"] if p["sku"] == "4011"]
    import_catalog(document)

    # Then the other products keep their data and barcodes
    assert Product.objects.count() == 3
    assert barcodes_of("100001") == {WATER}


def test_reimport_moves_a_barcode_and_a_plu_to_another_product(import_catalog: Import) -> None:
    # Given water with its EAN and bananas under PLU 4011
    import_catalog(catalog_document())

    # When a file moves the water's EAN to a new product, and PLU 4011 from the bananas to it
    document = catalog_document()
    document["products"][0]["barcodes"] = []
    document["products"][2]["plu"] = ""
    document["products"].append(
        {"sku": "4011-ORG", "name": "Organic bananas", "barcodes": [WATER], "plu": "4011",
         "price": "2.79", "tax_class": "RED", "unit": "kg", "category": "produce"}
    )  # fmt: skip
    import_catalog(document)

    # Then the code and the PLU belong to the new product only
    assert barcodes_of("4011-ORG") == {WATER}
    assert barcodes_of("100001") == set()
    assert Product.objects.get(sku="4011-ORG").plu == "4011"
    assert Product.objects.get(sku="4011").plu == ""


def test_reimport_swaps_barcodes_between_two_products(import_catalog: Import) -> None:
    # Given water and bread with their own EANs
    import_catalog(catalog_document())

    # When one file swaps the two products' EAN-13s
    document = catalog_document()
    document["products"][0]["barcodes"] = [BREAD]
    document["products"][1]["barcodes"] = [WATER, BREAD_UPC]
    import_catalog(document)

    # Then each EAN now finds the other product
    assert barcodes_of("100001") == {BREAD}
    assert barcodes_of("200036") == {WATER, BREAD_UPC}


def _unknown_top_level_key(document: dict[str, Any]) -> None:
    document["suppliers"] = []


def _unknown_product_key(document: dict[str, Any]) -> None:
    document["products"][1]["colour"] = "brown"


def _bad_check_digit(document: dict[str, Any]) -> None:
    document["products"][0]["barcodes"] = ["4006381333932"]


def _negative_price(document: dict[str, Any]) -> None:
    document["products"][2]["price"] = "-0.01"


def _price_as_json_number(document: dict[str, Any]) -> None:
    document["products"][0]["price"] = 0.79


def _price_with_three_decimals(document: dict[str, Any]) -> None:
    document["products"][1]["price"] = "2.495"


def _tax_rate_as_json_number(document: dict[str, Any]) -> None:
    document["tax_classes"][1]["rate"] = 0.07


def _tax_rate_with_seven_decimals(document: dict[str, Any]) -> None:
    document["tax_classes"][1]["rate"] = "0.0887501"


def _unknown_unit(document: dict[str, Any]) -> None:
    document["products"][0]["unit"] = "litre"


def _five_digit_plu_without_prefix(document: dict[str, Any]) -> None:
    document["products"][2]["plu"] = "14011"


def _duplicate_sku(document: dict[str, Any]) -> None:
    document["products"][2]["sku"] = "200036"


def _unknown_tax_class(document: dict[str, Any]) -> None:
    document["products"][1]["tax_class"] = "LUX"


def _promotion(**fields: Any) -> dict[str, Any]:
    return {"code": "WATER-10", "name": "Water 10 % off", "kind": "percent_off",
            "skus": ["100001"], "percent": "10", "starts": "2026-11-01T00:00:00+01:00",
            "ends": "2026-12-01T00:00:00+01:00", **fields}  # fmt: skip


def _promotion_of_unknown_kind(document: dict[str, Any]) -> None:
    document["promotions"] = [_promotion(kind="half_price_tuesdays")]


def _promotion_with_negative_value(document: dict[str, Any]) -> None:
    document["promotions"] = [_promotion(percent="-10")]


def _promotion_with_empty_window(document: dict[str, Any]) -> None:
    document["promotions"] = [_promotion(ends="2026-11-01T00:00:00+01:00")]


def _promotion_with_a_local_start_and_an_instant_end(document: dict[str, Any]) -> None:
    document["promotions"] = [_promotion(starts="2026-11-01T00:00:00")]


def _promotion_with_a_local_start_out_of_the_calendar(document: dict[str, Any]) -> None:
    document["promotions"] = [_promotion(starts="0001-01-01T00:00:00", ends="2026-12-01T00:00")]


def _promotion_with_a_start_that_is_no_time(document: dict[str, Any]) -> None:
    document["promotions"] = [_promotion(starts="the first of November")]


def _promotion_with_a_field_of_another_kind(document: dict[str, Any]) -> None:
    document["promotions"] = [_promotion(quantity=3)]


def _promotion_of_an_unknown_sku(document: dict[str, Any]) -> None:
    document["promotions"] = [_promotion(skus=["999999"])]


def _loop_of_groups(document: dict[str, Any]) -> None:
    document["groups"] = [
        {"code": "DRINKS", "skus": ["100001"], "groups": ["SNACKS"]},
        {"code": "SNACKS", "groups": ["DRINKS"]},
    ]
    document["promotions"] = [_promotion(skus=[], groups=["DRINKS"])]


def _barcode_on_two_products(document: dict[str, Any]) -> None:
    document["products"][1]["barcodes"].append(WATER)


def _plu_on_two_products(document: dict[str, Any]) -> None:
    document["products"][0]["plu"] = "4011"


def _same_gtin_twice_on_one_product(document: dict[str, Any]) -> None:
    # The same GTIN as an EAN-13 and as its GTIN-14 form.
    document["products"][0]["barcodes"] = [WATER, "0" + WATER]


@pytest.mark.parametrize(
    ("defect", "path", "reason"),
    [
        (_unknown_top_level_key, "suppliers", "unknown key"),
        (_unknown_product_key, "products[1].colour", "unknown key"),
        (_bad_check_digit, "products[0].barcodes", "check digit"),
        (_negative_price, "products[2].price", "greater than or equal to 0"),
        (_price_as_json_number, "products[0].price", "amounts are strings"),
        (_price_with_three_decimals, "products[1].price", "2 decimal places"),
        (_tax_rate_as_json_number, "tax_classes[1].rate", "amounts are strings"),
        (_tax_rate_with_seven_decimals, "tax_classes[1].rate", "6 decimal places"),
        (_unknown_unit, "products[0].unit", "'each' or 'kg'"),
        (_five_digit_plu_without_prefix, "products[2].plu", "is not a PLU"),
        (_duplicate_sku, "products[2].sku", "listed twice"),
        (_unknown_tax_class, "products[1].tax_class", "unknown tax class LUX"),
        (_promotion_of_unknown_kind, "promotions[0].kind", "Input should be"),
        (_promotion_with_negative_value, "promotions[0].percent", "greater than 0"),
        (_promotion_with_empty_window, "promotions[0]", "empty validity window"),
        (
            _promotion_with_a_local_start_and_an_instant_end,
            "promotions[0]",
            "both local times (no offset: each store's own clock) or both instants",
        ),
        (_promotion_with_a_local_start_out_of_the_calendar, "promotions[0].starts", "out of range"),
        (_promotion_with_a_start_that_is_no_time, "promotions[0].starts", "datetime"),
        (_promotion_with_a_field_of_another_kind, "promotions[0]", "does not apply"),
        (_promotion_of_an_unknown_sku, "promotions[0].skus", "unknown SKU 999999"),
        (_loop_of_groups, "groups[0].groups", "DRINKS → SNACKS → DRINKS"),
        (_barcode_on_two_products, "products[1].barcodes[2]", "also on 100001"),
        (_plu_on_two_products, "products[2].plu", "also on 100001"),
        (_same_gtin_twice_on_one_product, "products[0].barcodes[1]", WATER),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
def test_bad_file_imports_nothing_and_names_the_offending_path(
    import_catalog: Import,
    write_json: Callable[[Any], Path],
    defect: Callable[[dict[str, Any]], None],
    path: str,
    reason: str,
) -> None:
    # Given an imported catalogue
    import_catalog(catalog_document())
    before = catalog_state()

    # When a file that also changes good data (a tax rate, a price, a new product) has one defect
    document = catalog_document()
    document["tax_classes"][0]["rate"] = "0.16"
    document["products"][0]["price"] = "0.99"
    document["products"].append(
        {"sku": "100002", "name": "Cola 1 l", "barcodes": [COLA], "price": "1.29",
         "tax_class": "STD", "unit": "each", "category": "drinks"}
    )  # fmt: skip
    defect(document)
    refusal = refused_command("import_catalog", str(write_json(document)))

    # Then the command fails, names the path and the reason, and nothing of the file is imported
    assert "nothing was imported" in refusal.message
    problem = next(line for line in refusal.stderr.splitlines() if f": {path}" in line)
    assert reason in problem
    assert catalog_state() == before


def test_barcode_held_by_a_product_outside_the_file_is_refused(
    import_catalog: Import, write_json: Callable[[Any], Path]
) -> None:
    # Given water holding its EAN at HQ
    import_catalog(catalog_document())
    before = catalog_state()

    # When a file gives that EAN to a new product without mentioning the water
    document = {
        "products": [
            {"sku": "100009", "name": "Other water", "barcodes": [WATER], "price": "0.59",
             "tax_class": "STD", "unit": "each"}
        ]
    }  # fmt: skip
    refusal = refused_command("import_catalog", str(write_json(document)))

    # Then the file is refused, naming the product and the owner
    assert f"products[0].barcodes: {WATER} belongs to 100001 at HQ" in refusal.stderr
    assert catalog_state() == before


def test_plu_held_by_a_product_outside_the_file_is_refused(
    import_catalog: Import, write_json: Callable[[Any], Path]
) -> None:
    # Given bananas under PLU 4011 at HQ
    import_catalog(catalog_document())
    before = catalog_state()

    # When a file gives PLU 4011 to another product without mentioning the bananas
    document = {
        "products": [
            {"sku": "4011-B", "name": "Baby bananas", "plu": "4011", "price": "2.99",
             "tax_class": "RED", "unit": "kg"}
        ]
    }  # fmt: skip
    refusal = refused_command("import_catalog", str(write_json(document)))

    # Then the file is refused, naming the product and the owner
    assert "products[0].plu: 4011 belongs to 4011 at HQ" in refusal.stderr
    assert catalog_state() == before


def test_file_that_is_not_json_is_refused(db: None, tmp_path: Path) -> None:
    # Given a file cut off in the middle
    path = tmp_path / "catalog.json"
    path.write_text('{"products": [{"sku": "100001", ')

    # When it is imported
    refusal = refused_command("import_catalog", str(path))

    # Then the command says it is not JSON, and nothing is imported
    assert "not JSON" in refusal.message
    assert Product.objects.count() == 0


def test_file_whose_top_level_is_not_an_object_is_refused(
    db: None, write_json: Callable[[Any], Path]
) -> None:
    # Given a JSON list instead of a catalogue object
    refusal = refused_command("import_catalog", str(write_json([catalog_document()])))

    # Then the command refuses it
    assert "(file): the catalogue must be a JSON object" in refusal.stderr
    assert Product.objects.count() == 0


def test_missing_file_is_refused(db: None, tmp_path: Path) -> None:
    # Given a path where there is no file
    missing = tmp_path / "nowhere" / "catalog.json"

    # When it is imported
    refusal = refused_command("import_catalog", str(missing))

    # Then the command names the file, and nothing is imported
    assert str(missing) in refusal.message
    assert "No such file" in refusal.message
    assert TaxClass.objects.count() == 0


def test_import_with_publish_publishes_the_new_catalogue(import_catalog: Import) -> None:
    # Given nothing published yet
    # When a catalogue is imported with --publish
    printed = import_catalog(catalog_document(), "--publish").stdout

    # Then config v1 is published
    assert "published config v1" in printed


def test_nul_character_in_a_product_name_is_imported_or_refused_cleanly(
    import_catalog: Import, write_json: Callable[[Any], Path]
) -> None:
    # Given an imported catalogue, and a file whose product name carries a NUL character
    import_catalog(catalog_document())
    before = catalog_state()
    document = catalog_document()
    document["products"][0]["price"] = "0.99"
    document["products"][1]["name"] = "Wholegrain\x00bread"

    # When it is imported, the command either imports it whole or refuses it whole
    # with a CommandError (any other exception is a crash)
    try:
        run_command("import_catalog", str(write_json(document)))
    except CommandError:
        assert catalog_state() == before
    else:
        assert Product.objects.get(sku="200036").name == "Wholegrain\x00bread"


def test_a_dry_run_shows_what_would_change_and_keeps_nothing(
    import_catalog: Import, write_json: Callable[[Any], Path]
) -> None:
    import_catalog(catalog_document())
    document = catalog_document()
    document["products"][0]["price"] = "0.69"
    document["products"][1]["name"] = "Rye bread 750 g"
    document["products"].append({"sku": "300001", "name": "Oat milk", "barcodes": [],
                                  "price": "1.49", "tax_class": "STD", "unit": "each"})  # fmt: skip
    before = list(Product.objects.order_by("sku").values_list("sku", "name", "price"))
    out = run_command("import_catalog", str(write_json(document)), dry_run=True).stdout
    assert "dry run: 1 new, 2 changed and 1 unchanged products; nothing was imported" in out
    assert "100001: price: 0.79 → 0.69" in out
    assert "200036: name: Wholegrain bread 750 g → Rye bread 750 g" in out
    assert "new 300001" in out
    assert list(Product.objects.order_by("sku").values_list("sku", "name", "price")) == before


def test_a_dry_run_reports_a_conflict_with_what_hq_holds(
    import_catalog: Import, write_json: Callable[[Any], Path]
) -> None:
    import_catalog(catalog_document())
    document = catalog_document()
    document["products"][0]["tax_class"] = "NOPE"
    refusal = refused_command("import_catalog", str(write_json(document)), dry_run=True)
    assert "nothing was imported" in refusal.message
    assert "NOPE" in refusal.stderr


def test_an_export_imports_back_to_the_same_master_data(
    import_catalog: Import, tmp_path: Path
) -> None:
    document = catalog_document()
    document["groups"] = [{"code": "WATERS", "skus": ["100001"], "categories": [],
                           "groups": []}]  # fmt: skip
    document["price_books"] = [{"code": "NORTH", "scope": "region", "region": "north",
                                "prices": [{"sku": "100001", "price": "0.69",
                                            "starts": "2026-12-01T00:00:00+00:00"}]}]  # fmt: skip
    import_catalog(document)
    exported = tmp_path / "export.json"
    run_command("export_catalog", out=exported)
    first = json.loads(exported.read_text())
    assert [p["sku"] for p in first["products"]] == ["100001", "200036", "4011"]
    assert first["price_books"][0]["prices"] == [
        {"sku": "100001", "price": "0.69", "starts": "2026-12-01T00:00:00+00:00"}
    ]
    out = run_command("import_catalog", str(exported), dry_run=True).stdout
    assert "0 new, 0 changed and 3 unchanged products" in out
    run_command("import_catalog", str(exported))
    run_command("export_catalog", out=exported)
    assert json.loads(exported.read_text()) == first


def test_export_to_an_unwritable_place_is_refused(db: None, tmp_path: Path) -> None:
    refusal = refused_command("export_catalog", out=tmp_path / "missing" / "x.json")
    assert "No such file or directory" in refusal.message


def test_a_sales_tax_rate_of_five_decimals_is_kept_exactly(import_catalog: Import) -> None:
    # New York City's 8.875 %, added on top of prices
    document = catalog_document()
    document["tax_classes"].append({"code": "NY", "rate": "0.08875", "inclusive": False})
    document["products"][0]["tax_class"] = "NY"
    import_catalog(document)
    ny = TaxClass.objects.get(code="NY")
    assert (ny.rate, ny.inclusive) == (Decimal("0.08875"), False)
    assert Product.objects.get(sku="100001").tax_class == ny


def test_a_window_without_offset_is_each_stores_local_time(
    import_catalog: Import, settings: Any
) -> None:
    # Given HQ in Berlin, and a Christmas promotion that ends at each store's own midnight
    settings.TIME_ZONE = "Europe/Berlin"
    document = catalog_document()
    document["promotions"] = [_promotion(starts="2026-12-24T00:00:00",
                                         ends="2026-12-27T00:00:00")]  # fmt: skip
    import_catalog(document)

    # Then HQ keeps it as local: its bounds without offset, shown as Berlin's clock reads them
    promotion = Promotion.objects.get(code="WATER-10")
    assert promotion.local_window is True
    assert (promotion.definition["starts"], promotion.definition["ends"]) == (
        "2026-12-24T00:00:00", "2026-12-27T00:00:00")  # fmt: skip
    assert promotion.ends == datetime(2026, 12, 26, 23, 0, tzinfo=UTC)
    # and the export gives the window back as it was written
    (exported,) = catalog_export()["promotions"]
    assert (exported["starts"], exported["ends"]) == ("2026-12-24T00:00:00", "2026-12-27T00:00:00")
