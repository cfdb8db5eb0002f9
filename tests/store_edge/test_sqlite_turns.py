"""Write transactions take their turn on the lock file beside the store's database
(store_edge/db/base.py): held from BEGIN to COMMIT or ROLLBACK, given back either way, and
a writer that finds it taken waits for it rather than for SQLite's busy sleeps."""

from __future__ import annotations

import fcntl
import os
import threading
import time

import pytest
from django.db import connection, connections, transaction

from store_edge.ledger.models import Counter

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
