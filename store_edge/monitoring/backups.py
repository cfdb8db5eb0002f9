"""Online backups of the store's database with SQLite's backup API (the tills keep selling
while it runs), to BACKUP_DIR (a second disk or a share), checked, with retention; and the
restore that puts one back."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

logger = logging.getLogger(__name__)

PREFIX = "store-"
SUFFIX = ".sqlite3"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Backup:
    path: Path
    last_seq: int
    sales: int


def database_path() -> Path:
    return Path(settings.DATABASES["default"]["NAME"])


def backup_take(*, to: Path | None = None, now: datetime | None = None) -> Backup:
    """Copy the live database page by page into a new file, check it, then drop the oldest
    beyond BACKUP_KEEP. A failed copy leaves no file behind."""
    folder = Path(to or settings.BACKUP_DIR)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupError(f"backup to {folder} failed: {exc.strerror or exc}") from exc
    stamp = timezone.localtime(now or timezone.now()).strftime("%Y%m%dT%H%M%S")
    target = folder / f"{PREFIX}{stamp}{SUFFIX}"
    partial = target.with_suffix(".partial")
    try:
        with closing(sqlite3.connect(database_path(), timeout=30)) as source, \
                closing(sqlite3.connect(partial)) as copy:  # fmt: skip
            source.backup(copy, pages=4096, sleep=0.005)  # lets the tills write in between
        found = backup_check(partial)
        partial.replace(target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup to {folder} failed: {exc}") from exc
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    _retention(folder)
    logger.info("backup %s: up to #%s, %s sales", target, found.last_seq, found.sales)
    return Backup(target, found.last_seq, found.sales)


def backup_check(path: Path) -> Backup:
    """A backup is a whole store database: integrity check passes, its ledger is there."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            (verdict,) = db.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise BackupError(f"{path}: damaged ({verdict})")
            last = db.execute("SELECT coalesce(max(seq), 0) FROM inventory_ledgerentry").fetchone()
            sales = db.execute("SELECT count(*) FROM sales_sale").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a store database ({exc})") from exc
    return Backup(path, int(last[0]), int(sales[0]))


def _retention(folder: Path) -> None:
    kept = sorted(folder.glob(f"{PREFIX}*{SUFFIX}"), reverse=True)
    for old in kept[settings.BACKUP_KEEP :]:
        old.unlink(missing_ok=True)


def backup_restore(path: Path) -> Backup:
    """Put a backup in place of the live database (the store's processes stopped first):
    the current one is kept aside, then the backup is copied in with the backup API."""
    found = backup_check(path)
    live = database_path()
    for connection in connections.all():
        connection.close()
    aside = live.with_name(f"{live.stem}.before-restore-{timezone.now():%Y%m%dT%H%M%S}{SUFFIX}")
    if live.exists():
        with closing(sqlite3.connect(live)) as current, closing(sqlite3.connect(aside)) as copy:
            current.backup(copy)
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(live)) as target:
        source.backup(target)
    logger.warning("restored %s (up to #%s); the database before is %s", path, found.last_seq,
                   aside)  # fmt: skip
    return Backup(live, found.last_seq, found.sales)
