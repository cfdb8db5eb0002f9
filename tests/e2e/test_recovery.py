"""A store restored from a backup taken before its last push, and a store rebuilt on a new
box from HQ alone: both take back what HQ holds, agree with HQ's ledger_summary, and the
next sale gets the next seq (and HQ takes it: no seq or sale number twice)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.e2e.test_sale_travels import catalogue_codes, ring_sale
from tests.processes import System

pytestmark = pytest.mark.e2e


def sell(system: System, count: int) -> None:
    codes = catalogue_codes(system, 3)
    with system.lane() as lane:
        for _ in range(count):
            ring_sale(lane, codes)


def last_seq(system: System) -> int:
    with sqlite3.connect(system.tmp / "store" / "store.sqlite3") as db:
        return int(db.execute("SELECT max(seq) FROM inventory_ledgerentry").fetchone()[0])


def test_a_backup_taken_before_the_last_push_is_restored_and_caught_up(system: System) -> None:
    system.start("hq")
    system.start("store")
    system.store_manage("sync_now", "--pull-only")
    sell(system, 3)
    system.store_manage("sync_now", "--push-only")
    taken = system.store_manage("backup_store", "--to", str(system.tmp / "backups")).split(":")[0]
    sell(system, 2)  # sold and pushed after the backup
    system.store_manage("sync_now", "--push-only")
    held = system.hq_summary()
    system.services["store"].stop()
    system.store_manage("restore_backup", taken, "--yes")
    assert system.store_summary()["sales"] == 3
    out = system.store_manage("recover_from_hq")
    assert "2 sales" in out
    assert system.store_summary() == held
    system.start("store")
    sell(system, 1)
    assert last_seq(system) > held["last_seq"]
    system.store_manage("sync_now", "--push-only")
    assert system.hq_summary() == system.store_summary()
    assert system.hq_summary()["sales"] == 6


def test_a_new_box_is_rebuilt_from_hq_alone(system: System) -> None:
    system.start("hq")
    system.start("store")
    system.store_manage("sync_now", "--pull-only")
    sell(system, 4)
    system.store_manage("sync_now", "--push-only")
    held = system.hq_summary()
    system.services["store"].stop()
    for path in (system.tmp / "store").glob("store.sqlite3*"):
        path.unlink()  # the box died with its disk
    system.store_manage("migrate", "--no-input", "-v0")
    system.lane_token = system.store_manage("issue_lane_token", "--lane", "1").strip()
    out = system.store_manage("recover_from_hq")
    assert "config v1 applied" in out and "4 sales" in out
    assert system.store_summary() == held
    system.start("store")
    sell(system, 1)
    assert last_seq(system) == held["last_seq"] + 1 + len(catalogue_codes(system, 3))
    system.store_manage("sync_now", "--push-only")
    summary = system.hq_summary()
    assert summary == system.store_summary() and summary["sales"] == 5
    printed = system.store_manage("shell", "-c", (
        "import json; from store_edge.sync.models import SyncIssue; "
        "print(json.dumps(SyncIssue.objects.count()))"))  # fmt: skip
    issues = json.loads(printed.strip().splitlines()[-1])
    assert issues == 0
