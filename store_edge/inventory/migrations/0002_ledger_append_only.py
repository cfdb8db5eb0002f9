"""Make the ledger append-only in the database itself: UPDATE and DELETE are refused."""

from django.db import migrations

FORWARD = [
    """
    CREATE TRIGGER IF NOT EXISTS inventory_ledgerentry_no_update
    BEFORE UPDATE ON inventory_ledgerentry
    BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only: entries cannot be updated');
    END
    """,
    """
    CREATE TRIGGER IF NOT EXISTS inventory_ledgerentry_no_delete
    BEFORE DELETE ON inventory_ledgerentry
    BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only: entries cannot be deleted');
    END
    """,
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS inventory_ledgerentry_no_update",
    "DROP TRIGGER IF EXISTS inventory_ledgerentry_no_delete",
]


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunSQL(sql=FORWARD, reverse_sql=BACKWARD)]
