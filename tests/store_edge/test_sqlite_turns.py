"""Write transactions (Django's, and the raw edits of the scan path) take their turn on the
lock file beside the store's database (store_edge/db/base.py): held from BEGIN to COMMIT or
ROLLBACK, given back either way, and a writer that finds it taken waits for it rather than
for SQLite's busy sleeps."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

import pytest
from django.db import IntegrityError, connection, connections, transaction

from store_edge.ledger.models import Counter
from store_edge.raw_sqlite import raw_edit

pytestmark = pytest.mark.django_db(transaction=True)


def turn_is_free() -> bool:
    """Whether another process could take the writers' turn now."""
    fd = os.open(f"{connection.settings_dict['NAME']}-writers.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing gives back a lock this test took
    return True


def test_a_write_transaction_holds_the_turn_until_it_commits() -> None:
    assert type(connections["default"]).__module__ == "store_edge.db.base"
    with transaction.atomic():
        Counter.objects.create(name="turns", value=1)
        assert not turn_is_free()
    assert turn_is_free()


def test_a_rolled_back_transaction_gives_the_turn_back() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        Counter.objects.create(name="turns", value=1)
        raise RuntimeError("the sale was not completed")
    assert turn_is_free() and not Counter.objects.filter(name="turns").exists()


def test_a_writer_waits_for_the_turn_and_takes_it_once_given_back() -> None:
    fd = os.open(f"{connection.settings_dict['NAME']}-writers.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process's turn
    done = threading.Event()

    def write() -> None:
        with transaction.atomic():
            Counter.objects.create(name="waited", value=1)
        connections.close_all()
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert not done.wait(0.3)  # still waiting for the turn
        released = time.monotonic()
        fcntl.flock(fd, fcntl.LOCK_UN)
        assert done.wait(5)
        assert time.monotonic() - released < 0.5
    finally:
        os.close(fd)
        writer.join(5)
    assert Counter.objects.filter(name="waited").exists()


def count(cursor: sqlite3.Cursor, value: int) -> None:
    """A write of hand-written SQL, as the scan path's."""
    table = Counter._meta.db_table
    cursor.execute(f"INSERT INTO {table} (name, value) VALUES ('edit', ?)", [value])  # noqa: S608


def synchronous_level() -> int:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        level: int = cursor.fetchone()[0]
    return level


def test_a_raw_edit_commits_without_fsync_in_its_turn_and_restores_full_durability() -> None:
    assert synchronous_level() == 2  # FULL: what every other write commits with
    with raw_edit() as cursor:
        assert not turn_is_free()
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 1  # NORMAL: an open basket's edit
        count(cursor, 1)
        assert connection.connection.in_transaction
    assert turn_is_free() and not connection.connection.in_transaction
    assert synchronous_level() == 2
    assert Counter.objects.get(name="edit").value == 1


def test_a_raw_edit_that_fails_rolls_back_and_gives_the_turn_back() -> None:
    with pytest.raises(RuntimeError), raw_edit() as cursor:
        count(cursor, 1)
        raise RuntimeError("the basket was closed meanwhile")
    assert turn_is_free() and synchronous_level() == 2
    assert not Counter.objects.filter(name="edit").exists()
    with raw_edit() as cursor:  # the connection is usable again
        count(cursor, 2)
    assert Counter.objects.get(name="edit").value == 2


def test_a_raw_edit_whose_sql_fails_answers_with_djangos_error_and_changes_nothing() -> None:
    with pytest.raises(IntegrityError), raw_edit() as cursor:
        count(cursor, 1)
        count(cursor, 2)  # unique
    assert turn_is_free() and not Counter.objects.filter(name="edit").exists()


def test_a_raw_edit_inside_a_transaction_is_part_of_it() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        with raw_edit() as cursor:
            count(cursor, 1)
        assert not turn_is_free() and synchronous_level() == 2  # the transaction decides
        raise RuntimeError("the larger transaction failed")
    assert not Counter.objects.filter(name="edit").exists()
