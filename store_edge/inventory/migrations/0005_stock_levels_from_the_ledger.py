"""Build the stock projection from the ledger written before it existed."""

from collections import defaultdict
from decimal import Decimal

from django.db import migrations


def project(apps, schema_editor):  # type: ignore[no-untyped-def]
    LedgerEntry = apps.get_model("inventory", "LedgerEntry")
    StockLevel = apps.get_model("inventory", "StockLevel")
    levels: dict[str, Decimal] = defaultdict(Decimal)
    last: dict[str, int] = {}
    for seq, sku, quantity in (
        LedgerEntry.objects.filter(kind="sale")
        .order_by("seq")
        .values_list("seq", "sku", "quantity")
    ):
        levels[sku] += quantity
        last[sku] = seq
    StockLevel.objects.bulk_create(
        StockLevel(sku=sku, quantity_milli=int(q * 1000), last_seq=last[sku])
        for sku, q in levels.items()
    )


def forget(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("inventory", "StockLevel").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("inventory", "0004_ledger_triggers_allow_compaction")]

    operations = [migrations.RunPython(project, forget)]
