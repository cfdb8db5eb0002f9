"""The triggers that make the ledger append-only in SQLite itself.

No entry is ever updated. An entry is deleted only once a compaction checkpoint covers it
(an archived, acknowledged entry: see `compaction.py`); any other delete is refused.
"""

CREATE_TRIGGERS = [
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
    WHEN OLD.seq > (SELECT COALESCE(MAX(last_seq), 0) FROM inventory_ledgercheckpoint)
    BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only: entries cannot be deleted');
    END
    """,
]
DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS inventory_ledgerentry_no_update",
    "DROP TRIGGER IF EXISTS inventory_ledgerentry_no_delete",
]
