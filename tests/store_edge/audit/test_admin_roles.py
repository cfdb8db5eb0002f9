"""Who reaches what in the store's admin: cashiers not at all, supervisors read and approve
but do not edit staff, managers run the store; HQ's master data is read-only for everyone."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.http import HttpRequest
from django.test import Client

from store_edge.catalog.models import Product
from store_edge.staff.models import StaffMember
from tests.store_edge.conftest import WATER, LaneClient


def signed_in(client: Client, role: str) -> Client:
    user = User.objects.create_user(role.lower().replace(" ", "-"), password="x" * 12,
                                    is_staff=True)  # fmt: skip
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return client


@pytest.fixture
def staff(db: None) -> StaffMember:
    return StaffMember.objects.create(code="12", name="Cat", role="cashier",
                                      pin_hash=make_password("1234"))  # fmt: skip


def test_a_cashier_cannot_reach_the_admin(client: Client, staff: StaffMember) -> None:
    answer = client.post("/admin/login/", {"username": "12", "password": "1234"})
    assert answer.status_code == 200  # the form again: a PIN is not an admin password
    assert client.get("/admin/").status_code == 302
    User.objects.create_user("till-user", password="x" * 12)  # an account without staff status
    client.login(request=HttpRequest(), username="till-user", password="x" * 12)  # axes asks
    assert client.get("/admin/").status_code == 302


def test_a_supervisor_reads_and_approves_but_does_not_edit_staff(
    client: Client, staff: StaffMember
) -> None:
    supervisor = signed_in(client, "Supervisor")
    assert supervisor.get("/admin/sales/sale/").status_code == 200
    assert supervisor.get("/admin/inventory/stockdocument/add/").status_code == 200
    page = supervisor.get(f"/admin/staff/staffmember/{staff.pk}/change/")
    assert page.status_code == 200 and b'name="name"' not in page.content  # shown, not a form
    refused = supervisor.post(f"/admin/staff/staffmember/{staff.pk}/change/",
                              {"name": "Mallory", "role": "manager", "active": "on"})  # fmt: skip
    assert refused.status_code == 403
    staff.refresh_from_db()
    assert (staff.name, staff.role) == ("Cat", "cashier")
    assert supervisor.get("/admin/monitoring/alertrule/add/").status_code == 403


def test_a_manager_edits_staff(client: Client, staff: StaffMember) -> None:
    manager = signed_in(client, "Store manager")
    answer = manager.post(f"/admin/staff/staffmember/{staff.pk}/change/",
                          {"name": "Cat", "role": "supervisor", "active": "on"})  # fmt: skip
    assert answer.status_code == 302
    staff.refresh_from_db()
    assert staff.role == "supervisor"


def test_hqs_master_data_is_read_only_here(
    client: Client, lane_api: LaneClient, relay: None
) -> None:
    manager = signed_in(client, "Store manager")
    product = Product.objects.get(barcodes__code=WATER)
    page = manager.get(f"/admin/catalog/product/{product.pk}/change/")
    assert page.status_code == 200 and b'name="price"' not in page.content
    refused = manager.post(f"/admin/catalog/product/{product.pk}/change/", {"price": "0.01"})
    assert refused.status_code == 403
    assert manager.get("/admin/catalog/product/add/").status_code == 403
    product.refresh_from_db()
    assert str(product.price) != "0.01"


def test_sales_are_searchable_and_never_edited(
    client: Client, lane_api: LaneClient, relay: None
) -> None:
    sale = lane_api.ring([{"code": WATER}])
    manager = signed_in(client, "Store manager")
    found = manager.get("/admin/sales/sale/", {"q": sale["number"]})
    assert found.status_code == 200 and sale["number"].encode() in found.content
    assert manager.get("/admin/sales/sale/", {"q": "no-such"}).context["cl"].result_count == 0
    assert manager.post(f"/admin/sales/sale/{sale['id']}/delete/",
                        {"post": "yes"}).status_code == 403  # fmt: skip
