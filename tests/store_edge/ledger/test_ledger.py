"""The ledger is append-only in the database itself, and numbered without gaps."""

import uuid
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from store_edge.ledger.models import LedgerEntry
from store_edge.ledger.services import NewEntry, counter_take, ledger_append


def append(count: int = 1) -> range:
    with transaction.atomic():
        return ledger_append(
            entries=[
                NewEntry(kind="sale", document_type="sale", document_id=uuid.uuid4(), sku="1",
                         quantity=Decimal("-1"))
                for _ in range(count)
            ],
            user="test",
            at=timezone.now(),
            config_version=1,
        )  # fmt: skip


@pytest.mark.django_db
def test_entries_are_numbered_from_one_without_gaps() -> None:
    append(3)
    append(2)
    assert list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_numbers_back() -> None:
    append(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        append(5)
        raise RuntimeError("the sale failed")
    append(1)
    assert list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]


@pytest.mark.django_db
def test_an_update_is_refused_by_the_database() -> None:
    seq = append()[0]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(seq=seq).update(quantity=Decimal("-5"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE inventory_ledgerentry SET sku = 'x'")
    assert LedgerEntry.objects.get().quantity == Decimal("-1")


@pytest.mark.django_db
def test_a_delete_is_refused_by_the_database() -> None:
    append(2)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.all().delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM inventory_ledgerentry")
    assert LedgerEntry.objects.count() == 2


@pytest.mark.django_db
def test_a_zero_quantity_is_refused_by_the_database() -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        ledger_append(
            entries=[NewEntry(kind="sale", document_type="sale", document_id=uuid.uuid4(),
                              sku="1", quantity=Decimal("0"))],
            user="test", at=timezone.now(), config_version=1,
        )  # fmt: skip
    assert LedgerEntry.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_numbers_are_only_taken_inside_a_transaction() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        counter_take(name="ledger_seq")
