"""generate_demo_catalog writes a catalogue file that HQ imports cleanly."""

import json
from pathlib import Path

from cloud_hq.catalog.models import Barcode, Product
from tests.cloud_hq.conftest import is_ean13, refused_command, run_command


def test_generated_demo_catalog_imports_cleanly_with_valid_ean13s(db: None, tmp_path: Path) -> None:
    # Given a generated demo catalogue of 500 products
    path = tmp_path / "demo" / "catalog.json"
    printed = run_command("generate_demo_catalog", products=500, out=path).stdout
    assert f"wrote 500 products to {path}" in printed
    document = json.loads(path.read_text())

    # When HQ imports it
    printed = run_command("import_catalog", str(path)).stdout

    # Then all 500 products are held, each barcode a valid EAN-13 on its product
    assert "500 new and 0 updated products" in printed
    assert Product.objects.count() == 500
    codes = [code for product in document["products"] for code in product["barcodes"]]
    assert codes, "the demo catalogue has packaged goods with barcodes"
    assert all(is_ean13(code) for code in codes)
    assert sorted(Barcode.objects.values_list("code", flat=True)) == sorted(codes)
    produce = Product.objects.exclude(plu="")
    assert produce.exists()
    assert all(p.unit == "kg" for p in produce)


def test_generated_demo_catalog_is_the_same_each_time(db: None, tmp_path: Path) -> None:
    # Given two generations of the same size
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    run_command("generate_demo_catalog", products=120, out=first)
    run_command("generate_demo_catalog", products=120, out=second)

    # Then they are identical (the demo and the benchmarks see the same catalogue)
    assert first.read_text() == second.read_text()


def test_demo_catalog_size_out_of_range_is_refused(db: None, tmp_path: Path) -> None:
    refusal = refused_command("generate_demo_catalog", products=0, out=tmp_path / "c.json")

    assert "--products must be between 1 and 1000000" in refusal.message
    assert not (tmp_path / "c.json").exists()
