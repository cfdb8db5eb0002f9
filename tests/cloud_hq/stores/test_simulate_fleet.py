"""simulate_fleet: virtual stores push one interval of sales each to a running HQ (here
pytest-django's live server); what they pushed is at HQ, and the rate is printed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cloud_hq.ingest.models import LedgerEntry, Sale
from tests.cloud_hq.conftest import catalog_document, refused_command, run_command


@pytest.mark.django_db(transaction=True)
def test_virtual_stores_push_and_hq_holds_it_all(live_server: Any, import_catalog: Any) -> None:
    import_catalog(catalog_document())
    out = run_command("simulate_fleet", hq_url=live_server.url, stores=3, sales=2, lines=2,
                      concurrency=2).stdout  # fmt: skip
    result = json.loads(out)
    assert result["stores"] == 3 and result["entries"] == 3 * 2 * 3
    assert result["stores_per_hq_core"] == pytest.approx(result["stores_per_second"] * 300, 0.01)
    assert Sale.objects.count() == 6 and LedgerEntry.objects.count() == 18


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"stores": 0}, "stores 1–10000"),
        ({"concurrency": 500}, "concurrency 1–64"),
        ({"hq_url": "file:///etc/passwd"}, "--hq-url is HQ's address"),
    ],
)
def test_bad_options_are_refused(db: None, options: dict[str, Any], message: str) -> None:
    refusal = refused_command("simulate_fleet", **{"hq_url": "http://127.0.0.1:9", **options})
    assert message in refusal.message


def test_without_a_catalogue_nothing_is_pushed(db: None) -> None:
    refusal = refused_command("simulate_fleet", hq_url="http://127.0.0.1:9", stores=1)
    assert "import a catalogue first" in refusal.message
