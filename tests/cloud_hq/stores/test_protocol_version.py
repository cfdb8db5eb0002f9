"""The sync protocol's version on the store API: what HQ serves it names back; an unknown
or garbled version is refused (426) with the versions HQ serves; a store sending none (the
stores from before the header) is served version 1."""

from __future__ import annotations

import pytest

from cloud_hq.ingest.models import LedgerEntry
from tests.cloud_hq.conftest import StoreClient, Till, encode


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_known_version_is_served_and_named_back(
    hq: StoreClient, till: Till, version: str
) -> None:
    answer = hq.send("POST", hq.store_path("events"), encode({"entries": till.sale(
        ("100001", "1", "0.79"))}), headers={"X-Edge-Protocol": version})  # fmt: skip
    assert answer.status_code == 200 and answer["X-Edge-Protocol"] == version


def test_a_store_without_the_header_is_served_version_1(hq: StoreClient, till: Till) -> None:
    answer = hq.push(till.sale(("100001", "1", "0.79")))
    assert answer.status_code == 200 and answer["X-Edge-Protocol"] == "1"


@pytest.mark.parametrize("version", ["3", "0", "one", "1.5", "9" * 40, ""])
def test_an_unknown_version_is_refused_and_nothing_applied(
    hq: StoreClient, till: Till, version: str
) -> None:
    answer = hq.send("POST", hq.store_path("events"), encode({"entries": till.sale(
        ("100001", "1", "0.79"))}), headers={"X-Edge-Protocol": version})  # fmt: skip
    if version == "":
        assert answer.status_code == 200  # an empty header is no header: version 1
        return
    assert answer.status_code == 426
    assert answer.json()["supported"] == [1, 2]
    assert not LedgerEntry.objects.exists()
