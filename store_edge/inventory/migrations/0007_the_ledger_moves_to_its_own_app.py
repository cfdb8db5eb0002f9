"""The ledger's models now belong to the ledger app (its 0001): only the state moves."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0006_alter_ledgerentry_kind"),
        ("ledger", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Counter"),
                migrations.DeleteModel(name="LedgerCheckpoint"),
                migrations.DeleteModel(name="LedgerEntry"),
            ],
            database_operations=[],
        ),
    ]
