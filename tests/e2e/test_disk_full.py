"""The store's disk fills up (a 32 MiB filesystem holding its database): the lanes keep
selling while there is room; when there is none a sale is refused with a clear message and
nothing is half-written; once space is freed, and after a restart, selling resumes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_sale_travels import catalogue_codes
from tests.processes import System, running_system

pytestmark = pytest.mark.e2e
CHUNK = 64 * 1024


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "store"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(disk)],
                             capture_output=True, text=True, check=False)  # fmt: skip
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """Write a filler file until the filesystem refuses another byte."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * CHUNK)
                out.flush()
                os.fsync(out.fileno())
        except OSError:
            pass
    return filler


def attempt(system: System, codes: list[str]) -> tuple[int, dict]:
    """One sale at the lane, to its answer (201 completed, or the refusal)."""
    with system.lane() as lane:
        basket = lane.post("/baskets")
        if basket.status_code != 201:
            return basket.status_code, basket.json()
        for code in codes:
            added = lane.post(f"/baskets/{basket.json()['id']}/items", json={"code": code})
            if added.status_code != 200:
                return added.status_code, added.json()
        due = added.json()["amount_due"]
        paid = lane.post(f"/baskets/{basket.json()['id']}/payments",
                         json={"method": "cash", "amount": due})  # fmt: skip
        if paid.status_code != 200:
            return paid.status_code, paid.json()
        done = lane.post(f"/baskets/{basket.json()['id']}/complete")
        return done.status_code, done.json()


def test_a_full_disk_refuses_a_sale_cleanly_and_selling_resumes(
    tmp_path: Path, catalog_file: Path, small_disk: Path
) -> None:
    with running_system(tmp_path, catalog_file) as system:
        system.start("hq")
        system.start("store")
        system.store_manage("sync_now", "--pull-only")
        codes = catalogue_codes(system, 4)[1:]  # packaged goods
        assert attempt(system, codes)[0] == 201
        filler = fill(small_disk)
        answers = [attempt(system, codes) for _ in range(200)]
        refused = [body for status, body in answers if status != 201]
        completed = sum(1 for status, _ in answers if status == 201)
        assert refused, "the full disk never refused a write"
        assert {r.get("code") for r in refused} == {"disk_full"}
        assert "disk is full" in refused[0]["detail"]
        # Nothing half-written: every sale the lanes were told about is whole.
        database = small_disk / "store.sqlite3"
        filler.unlink()
        with sqlite3.connect(database) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            sales = db.execute("SELECT count(*) FROM sales_sale").fetchone()[0]
            orphans = db.execute("SELECT count(*) FROM sales_sale s WHERE NOT EXISTS "
                                 "(SELECT 1 FROM sales_saleline l WHERE l.sale_id = s.id)"
                                 ).fetchone()[0]  # fmt: skip
        assert sales == 1 + completed and orphans == 0
        system.store_manage("verify_ledger")
        system.store_manage("verify_stock")
        # Space freed: selling resumes, and again after the store restarts.
        assert attempt(system, codes)[0] == 201
        system.services["store"].stop()
        system.start("store")
        assert attempt(system, codes)[0] == 201
