"""The architecture is checked, not only described: import-linter's contracts (pyproject.toml,
docs/architecture.md) hold for the tree, and refuse each kind of import they forbid when
one is added to a copy of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import ROOT

PACKAGES = ("store_edge", "cloud_hq", "devices", "deploy")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
    )  # fmt: skip


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tree")
    for package in PACKAGES:
        shutil.copytree(ROOT / package, root / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))  # fmt: skip
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_tree_keeps_every_contract(tree: Path) -> None:
    run = lint_imports(tree)
    assert run.returncode == 0, run.stdout[-3000:]
    assert "0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        (
            "devices/scales/sneaky.py",
            "import django.conf",
            "Device drivers, the pricing domain and the pure rules import no Django",
        ),
        (
            "store_edge/pricing/domain/sneaky.py",
            "from django.db import models",
            "Device drivers, the pricing domain and the pure rules import no Django",
        ),
        (
            "store_edge/baskets/sneaky.py",
            "import cloud_hq.ingest.models",
            "The store and HQ never import each other",
        ),
        (
            "cloud_hq/stores/sneaky.py",
            "from store_edge.sales import models",
            "The store and HQ never import each other",
        ),
        (
            "store_edge/ledger/sneaky.py",
            "from store_edge.sales.models import Sale",
            "The store's apps depend in the documented direction",
        ),
        (
            "cloud_hq/catalog/sneaky.py",
            "from cloud_hq.ingest import receive",
            "HQ's apps depend in the documented direction",
        ),
        (
            "store_edge/sales/selectors.py",
            "from store_edge.sales.services import sale_complete",
            "Selectors never import services",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tree: Path, module: str, line: str, contract: str
) -> None:
    if not line:  # selectors importing services: appended to a real selectors module
        target, line = (
            tree / "store_edge" / "sales" / "selectors.py",
            ("from store_edge.sales.services import sale_complete  # noqa"),
        )
        contract = "Selectors never import services"
    else:
        target = tree / module
    before = target.read_text() if target.exists() else None
    target.write_text((before or "") + f"\n{line}\n")
    try:
        run = lint_imports(tree)
    finally:
        if before is None:
            target.unlink()
        else:
            target.write_text(before)
    assert run.returncode != 0
    broken = run.stdout[run.stdout.index("Broken contracts") :]
    assert contract in broken, run.stdout[-3000:]
