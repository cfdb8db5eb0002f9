from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import System, base_env, manage, running_system


@pytest.fixture(scope="session")
def catalog_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("catalog") / "catalog.json"
    manage(
        "cloud_hq.settings",
        "generate_demo_catalog",
        "--products",
        "300",
        "--out",
        str(path),
        env=base_env(VAR_DIR=str(path.parent)),
    )
    return path


@pytest.fixture
def system(tmp_path: Path, catalog_file: Path, request: pytest.FixtureRequest) -> Iterator[System]:
    options = getattr(request, "param", {})
    with running_system(tmp_path, catalog_file, **options) as running:
        yield running
