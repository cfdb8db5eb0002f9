"""Sales completed before promotions had no adjustments: their base amount is their amount."""

from django.db import migrations
from django.db.models import F


def base_is_amount(apps, schema_editor):  # type: ignore[no-untyped-def]
    SaleLine = apps.get_model("sales", "SaleLine")
    SaleLine.objects.filter(base_amount=0).update(base_amount=F("amount"))


class Migration(migrations.Migration):
    dependencies = [("sales", "0002_staffmember_basket_coupons_basket_member_card_and_more")]

    operations = [migrations.RunPython(base_is_amount, migrations.RunPython.noop)]
