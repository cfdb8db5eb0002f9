"""A store database from the layout before the sales app was split (lanes, staff, lane
devices, baskets, shifts and the ledger all in `sales` and `inventory`), upgraded by
`migrate`, then used by the product's own code. Run in a process of its own against a
fresh database: python -m tests.store_edge.previous_layout (with DATABASE_URL set); it
prints what it found as JSON for tests/store_edge/test_migrations.py."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import django

# The last migration of each app in the previous layout.
PREVIOUS_LAYOUT = [
    ("sales", "0008_failed_pins"),
    ("inventory", "0006_alter_ledgerentry_kind"),
    ("catalog", "0003_knownstore_configstate_etag"),
    ("sync", "0002_issues_backoff_progress"),
    ("monitoring", "0001_alert_engine"),
    ("audit", "0001_initial"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("sessions", "0001_initial"),
]
TOKEN = "lane_" + "previous-layout-token-of-lane-one-xxxxxxxx"  # noqa: S105 - a test token
SOLD_AT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def previous_store(apps: Any) -> dict[str, Any]:
    """What a store of the previous layout held: a lane with its token, a scale, a cashier,
    an open shift, one sale with its ledger entries, an open basket, a wrong PIN, and a
    group granted a permission on staff members."""
    from django.contrib.auth.hashers import make_password

    model = apps.get_model
    lane = model("sales", "Lane").objects.create(number=1, name="Lane 1")
    model("sales", "LaneToken").objects.create(
        lane=lane, digest=hashlib.sha256(TOKEN.encode()).hexdigest(), prefix=TOKEN[:8]
    )
    model("sales", "LaneDevice").objects.create(
        lane=lane, kind="scale", protocol="toledo8217", port="/dev/ttyUSB0"
    )
    model("sales", "StaffMember").objects.create(
        code="12",
        name="Kim",
        role="cashier",
        pin_hash=make_password("1234", hasher="pin_pbkdf2_sha256"),
    )
    model("sales", "FailedPin").objects.create(at=SOLD_AT, lane=lane, address="192.0.2.1", code="")
    shift = model("sales", "Shift").objects.create(
        lane=lane, cashier="12", opened_at=SOLD_AT, opening_float=Decimal("50.00")
    )
    sale_id, line_id, tender_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    sale = model("sales", "Sale").objects.create(
        id=sale_id, number="01-0000001", lane=lane, completed_at=SOLD_AT, config_version=1,
        subtotal=Decimal("2.49"), discount_total=Decimal("0.00"), tax_total=Decimal("0.16"),
        total=Decimal("2.49"), amount_paid=Decimal("5.00"), change=Decimal("2.51"),
        cashier="12", shift=shift,
    )  # fmt: skip
    model("sales", "SaleLine").objects.create(
        id=line_id, sale=sale, position=1, sku="200036", name="Wholegrain bread 750 g",
        quantity=Decimal("1.000"), unit_price=Decimal("2.49"), base_amount=Decimal("2.49"),
        amount=Decimal("2.49"), tax_class="RED",
    )  # fmt: skip
    model("sales", "SaleTender").objects.create(id=tender_id, sale=sale, method="cash",
                                                amount=Decimal("5.00"))  # fmt: skip
    model("sales", "SaleTax").objects.create(
        sale=sale, tax_class="RED", rate=Decimal("0.0700"), inclusive=True,
        net=Decimal("2.33"), tax=Decimal("0.16"), gross=Decimal("2.49"),
    )  # fmt: skip
    basket = model("sales", "Basket").objects.create(lane=lane, status="completed", sale=sale)
    model("sales", "BasketLine").objects.create(
        basket=basket, position=1, sku="200036", name="Wholegrain bread 750 g", code="200036",
        quantity=Decimal("1.000"), unit_price=Decimal("2.49"), tax_class="RED",
        tax_rate=Decimal("0.0700"), tax_inclusive=True,
    )  # fmt: skip
    model("sales", "BasketPayment").objects.create(basket=basket, method="cash",
                                                   amount=Decimal("5.00"))  # fmt: skip
    open_basket = model("sales", "Basket").objects.create(lane=lane, status="suspended")
    entry = model("inventory", "LedgerEntry")
    entry.objects.create(seq=1, kind="sale_completed", document_type="sale",
                         document_id=sale_id, payload={"number": "01-0000001"}, user="12",
                         created_at=SOLD_AT, config_version=1)  # fmt: skip
    entry.objects.create(seq=2, kind="sale", sku="200036", quantity=Decimal("-1.000"),
                         document_type="sale", document_id=sale_id, user="12",
                         created_at=SOLD_AT, config_version=1)  # fmt: skip
    model("inventory", "StockLevel").objects.create(sku="200036", quantity_milli=-1000, last_seq=2)
    model("inventory", "Counter").objects.create(name="ledger_seq", value=2)
    model("inventory", "Counter").objects.create(name="sale_number", value=1)
    content_type = model("contenttypes", "ContentType").objects.create(
        app_label="sales", model="staffmember"
    )
    permission = model("auth", "Permission").objects.create(
        codename="change_staffmember", name="Can change staff member", content_type=content_type
    )
    model("auth", "Group").objects.create(name="Shift leads").permissions.add(permission)
    return {"sale": str(sale_id), "suspended": str(open_basket.id)}


def upgraded(before: dict[str, Any]) -> dict[str, Any]:
    """Use the upgraded database through the product's own code and report what it sees."""
    from django.contrib.auth.models import Group
    from django.test import Client

    from store_edge.catalog.services import (
        ConfigSnapshot,
        ProductData,
        TaxClassData,
        catalog_apply,
    )
    from store_edge.lanes.tokens import lane_for_token
    from store_edge.ledger.selectors import ledger_totals
    from store_edge.peripherals.models import LaneDevice
    from store_edge.sales.models import Sale
    from store_edge.shifts.reports import shift_report
    from store_edge.shifts.selectors import shift_current
    from store_edge.staff.services import PinGivenAt, cashier_sign_in

    catalog_apply(
        snapshot=ConfigSnapshot(version=1, published_at=SOLD_AT, store_name="Upgraded",
                                currency="EUR",
                                tax_classes=(TaxClassData("RED", Decimal("0.07"), True),)),
        products=[ProductData("200036", "Wholegrain bread 750 g", Decimal("2.49"), "each",
                              "RED", "bakery", "", ("4360001000369",))],
    )  # fmt: skip
    lane = lane_for_token(TOKEN)
    assert lane is not None
    api = Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}", HTTP_HOST="127.0.0.1")

    def post(path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = api.post(f"/api/v1{path}", body or {}, content_type="application/json")
        assert answer.status_code in (200, 201), (path, answer.status_code, answer.content)
        return dict(answer.json())

    basket = post("/baskets")["id"]
    post(f"/baskets/{basket}/items", {"code": "4360001000369", "quantity": 2})
    post(f"/baskets/{basket}/payments", {"method": "cash", "amount": "10.00"})
    sold = post(f"/baskets/{basket}/complete")
    resumed = post(f"/baskets/{before['suspended']}/resume")
    old = Sale.objects.select_related("lane", "shift", "basket").get(id=before["sale"])
    shift = shift_current(lane=lane)
    assert shift is not None
    group = Group.objects.get(name="Shift leads")
    return {
        "lane": lane.number,
        "signed_in": cashier_sign_in(code="12", pin="1234", where=PinGivenAt()).code,
        "devices": [d.lane.number for d in LaneDevice.objects.select_related("lane")],
        "old_sale": [
            old.lane.number,
            old.shift_id == shift.id,
            old.basket.status,
            old.lines.count(),
            old.tenders.count(),
            old.taxes.count(),
        ],
        "new_sale": sold["number"],
        "new_sale_in_shift": Sale.objects.get(id=sold["id"]).shift_id == shift.id,
        "shift_sales": shift_report(shift=shift).sales,
        "resumed": resumed["status"],
        "ledger": ledger_totals(),
        "group_permissions": sorted(
            f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()
        ),
    }


def main() -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate(PREVIOUS_LAYOUT)
    state = executor.loader.project_state(PREVIOUS_LAYOUT)
    new_apps = {"lanes", "staff", "peripherals", "baskets", "shifts", "ledger"}
    applied_new = [app for app, _ in executor.loader.applied_migrations if app in new_apps]
    assert not applied_new, applied_new
    before = previous_store(state.apps)
    call_command("migrate", verbosity=0)
    print(json.dumps(upgraded(before)))


if __name__ == "__main__":
    main()
