"""Make the ledger append-only in the database itself: UPDATE and DELETE are refused."""

from django.db import migrations

from store_edge.inventory.append_only import CREATE_TRIGGERS, DROP_TRIGGERS


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunSQL(sql=CREATE_TRIGGERS, reverse_sql=DROP_TRIGGERS)]
