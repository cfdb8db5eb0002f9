"""Online backups and their restore: a backup holds what was committed when it ran, is
checked, old ones go; a restore brings it back and keeps the database it replaced; bad or
hostile files are refused with a message and change nothing."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from store_edge.monitoring.backups import BackupError, backup_check, backup_take, database_path
from store_edge.sales.models import Sale
from tests.store_edge.conftest import WATER, LaneClient

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_backup_restored_brings_back_what_it_held(
    lane_api: LaneClient, relay: None, tmp_path: Path
) -> None:
    lane_api.ring([{"code": WATER}])
    lane_api.ring([{"code": WATER}, {"code": WATER}])
    backup = backup_take(to=tmp_path)
    assert backup.sales == 2 and backup.last_seq == 5  # two documents, three movements
    assert backup.path.name.startswith("store-") and not list(tmp_path.glob("*.partial"))
    lane_api.ring([{"code": WATER}])
    assert Sale.objects.count() == 3
    with pytest.raises(CommandError, match="run again with --yes"):
        call_command("restore_backup", str(backup.path))
    assert Sale.objects.count() == 3  # not without --yes
    call_command("restore_backup", str(backup.path), "--yes")
    assert Sale.objects.count() == 2
    (aside,) = database_path().parent.glob("*.before-restore-*.sqlite3")
    with sqlite3.connect(aside) as kept:
        assert kept.execute("SELECT count(*) FROM sales_sale").fetchone()[0] == 3
    for path in database_path().parent.glob("*.before-restore-*"):
        path.unlink()
    call_command("verify_ledger")  # the chain and the seqs of the restored ledger hold


def test_old_backups_go_beyond_backup_keep(
    lane_api: LaneClient, tmp_path: Path, settings: Any
) -> None:
    settings.BACKUP_KEEP = 2
    start = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    made = [backup_take(to=tmp_path, now=start + timedelta(hours=n)).path for n in range(3)]
    assert sorted(tmp_path.glob("store-*.sqlite3")) == made[1:]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00" * 4096, "not a store database"),
        (b"SQLite format 3\x00" + b"\xff" * 200, "not a store database"),
        (None, "no such file"),
    ],
)
def test_a_bad_backup_is_refused_and_changes_nothing(
    lane_api: LaneClient, tmp_path: Path, content: bytes | None, message: str
) -> None:
    lane_api.ring([{"code": WATER}])
    path = tmp_path / "store-bad.sqlite3"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BackupError, match=message):
        backup_check(path)
    with pytest.raises(CommandError, match=message):
        call_command("restore_backup", str(path), "--yes")
    assert Sale.objects.count() == 1


def test_an_empty_sqlite_file_is_not_a_store_database(lane_api: LaneClient, tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()
    with pytest.raises(BackupError, match="not a store database"):
        backup_check(path)


def test_a_backup_to_a_place_it_cannot_write_fails_cleanly(
    lane_api: LaneClient, tmp_path: Path
) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("")
    with pytest.raises(CommandError, match="failed"):
        call_command("backup_store", "--to", str(blocked / "backups"))
    assert blocked.read_text() == ""
