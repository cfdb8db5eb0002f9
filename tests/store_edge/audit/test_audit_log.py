"""Every manager action in the store's admin is in the audit log — who, what, when, the
record before and after, secrets left out — and the log cannot be changed from the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from store_edge.audit.models import AuditEntry
from store_edge.lanes.models import Lane
from store_edge.peripherals.models import LaneDevice
from store_edge.staff.models import StaffMember


@pytest.fixture
def manager(client: Client, db: None) -> Client:
    client.force_login(User.objects.create_superuser("maria", password="x" * 12))
    return client


@pytest.fixture
def cashier(db: None) -> StaffMember:
    return StaffMember.objects.create(
        code="12",
        name="Cat",
        role="cashier",
        pin_hash=make_password("1234"),
        failed_pins=5,
        locked_until=timezone.now() + timedelta(minutes=5),
    )


def test_a_change_is_logged_with_before_and_after_and_no_secret(
    manager: Client, cashier: StaffMember
) -> None:
    form = {"name": "Cat Cashier", "role": "supervisor", "active": "on"}
    answer = manager.post(f"/admin/staff/staffmember/{cashier.pk}/change/", form)
    assert answer.status_code == 302
    (entry,) = AuditEntry.objects.all()
    assert (entry.user, entry.action, entry.model) == ("maria", "change", "staff.StaffMember")
    assert entry.object_id == str(cashier.pk)
    assert entry.before["name"] == "Cat" and entry.after["name"] == "Cat Cashier"
    assert entry.before["role"] == "cashier" and entry.after["role"] == "supervisor"
    assert "pin_hash" not in entry.before and "pin_hash" not in entry.after
    assert timezone.now() - entry.at < timedelta(seconds=5)


def test_an_action_is_logged_per_record(manager: Client, cashier: StaffMember) -> None:
    answer = manager.post("/admin/staff/staffmember/", {
        "action": "unlock", "_selected_action": [str(cashier.pk)]})  # fmt: skip
    assert answer.status_code == 302
    (entry,) = AuditEntry.objects.all()
    assert entry.action == "unlock"
    assert entry.before["failed_pins"] == 5 and entry.after["failed_pins"] == 0


def test_inline_changes_and_deletions_are_logged(manager: Client, db: None) -> None:
    lane = Lane.objects.create(number=3, name="Lane 3")
    device = LaneDevice.objects.create(lane=lane, kind="scale", protocol="sics", port="/dev/a")
    form = {"number": "3", "name": "Lane 3",
            "devices-TOTAL_FORMS": "1", "devices-INITIAL_FORMS": "1",
            "devices-MIN_NUM_FORMS": "0", "devices-MAX_NUM_FORMS": "1000",
            "devices-0-id": str(device.pk), "devices-0-lane": str(lane.pk),
            "devices-0-kind": "scale", "devices-0-protocol": "sics",
            "devices-0-port": "/dev/ttyUSB1", "devices-0-baudrate": "9600",
            "devices-0-bytesize": "8", "devices-0-parity": "N", "devices-0-stopbits": "1",
            "devices-0-options": "{}", "devices-0-active": "on",
            "tokens-TOTAL_FORMS": "0", "tokens-INITIAL_FORMS": "0",
            "tokens-MIN_NUM_FORMS": "0", "tokens-MAX_NUM_FORMS": "1000"}  # fmt: skip
    answer = manager.post(f"/admin/lanes/lane/{lane.pk}/change/", form)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    changed = AuditEntry.objects.get(model="peripherals.LaneDevice")
    assert (changed.before["port"], changed.after["port"]) == ("/dev/a", "/dev/ttyUSB1")
    manager.post(f"/admin/peripherals/lanedevice/{device.pk}/delete/", {"post": "yes"})
    deleted = AuditEntry.objects.get(model="peripherals.LaneDevice", action="delete")
    assert deleted.before["port"] == "/dev/ttyUSB1" and deleted.after is None


def test_the_log_cannot_be_changed_from_the_admin(manager: Client, cashier: StaffMember) -> None:
    manager.post("/admin/staff/staffmember/", {"action": "unlock",
                                               "_selected_action": [str(cashier.pk)]})  # fmt: skip
    entry = AuditEntry.objects.get()
    assert manager.get("/admin/audit/auditentry/").status_code == 200
    assert manager.get("/admin/audit/auditentry/add/").status_code == 403
    assert manager.post(f"/admin/audit/auditentry/{entry.pk}/delete/",
                        {"post": "yes"}).status_code == 403  # fmt: skip
    manager.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"user": "someone else"})
    entry.refresh_from_db()
    assert entry.user == "maria"
