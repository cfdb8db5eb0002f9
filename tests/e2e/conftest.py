from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.processes import System, running_system


@pytest.fixture
def system(tmp_path: Path, catalog_file: Path, request: pytest.FixtureRequest) -> Iterator[System]:
    options = getattr(request, "param", {})
    with running_system(tmp_path, catalog_file, **options) as running:
        yield running
