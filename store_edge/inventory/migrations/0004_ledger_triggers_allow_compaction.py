"""Re-create the ledger's triggers (rebuilding the table in 0003 dropped them); a delete is
now allowed for entries a compaction checkpoint covers, and for no others."""

from django.db import migrations

DROP = [
    "DROP TRIGGER IF EXISTS inventory_ledgerentry_no_update",
    "DROP TRIGGER IF EXISTS inventory_ledgerentry_no_delete",
]
NO_UPDATE = """
    CREATE TRIGGER inventory_ledgerentry_no_update
    BEFORE UPDATE ON inventory_ledgerentry
    BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only: entries cannot be updated');
    END
"""
NO_DELETE_BEYOND_CHECKPOINT = """
    CREATE TRIGGER inventory_ledgerentry_no_delete
    BEFORE DELETE ON inventory_ledgerentry
    WHEN OLD.seq > (SELECT COALESCE(MAX(last_seq), 0) FROM inventory_ledgercheckpoint)
    BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only: entries cannot be deleted');
    END
"""
NO_DELETE = """
    CREATE TRIGGER inventory_ledgerentry_no_delete
    BEFORE DELETE ON inventory_ledgerentry
    BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only: entries cannot be deleted');
    END
"""


class Migration(migrations.Migration):
    dependencies = [("inventory", "0003_ledgercheckpoint_stockdocument_stockdocumentline_and_more")]

    operations = [
        migrations.RunSQL(
            sql=[*DROP, NO_UPDATE, NO_DELETE_BEYOND_CHECKPOINT],
            reverse_sql=[*DROP, NO_UPDATE, NO_DELETE],
        )
    ]
