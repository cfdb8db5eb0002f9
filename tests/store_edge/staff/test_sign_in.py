"""Signing in at a lane with a code and PIN, its lock-out, and a supervisor's approval."""

import pytest
from django.utils import timezone

from store_edge.staff.errors import ApprovalRefused, SignInRefused
from store_edge.staff.models import StaffMember
from store_edge.staff.services import (
    MAX_FAILED_PINS,
    PinGivenAt,
    cashier_sign_in,
    staff_unlock,
    supervisor_approval,
)

AT = PinGivenAt(lane_id=None, address="192.0.2.7")


def test_a_cashier_signs_in_with_code_and_pin(staff: None) -> None:
    assert cashier_sign_in(code="12", pin="1234", where=AT).name == "Cat Cashier"
    assert StaffMember.objects.get(code="12").pin_hash.startswith("pin_pbkdf2_sha256$")


def test_five_wrong_pins_lock_the_code_even_for_the_right_pin(staff: None) -> None:
    messages = []
    for _ in range(MAX_FAILED_PINS):
        with pytest.raises(SignInRefused) as refused:
            cashier_sign_in(code="12", pin="0000", where=AT)
        messages.append(str(refused.value))
    assert "4 tries left" in messages[0]
    assert "1 try left" in messages[3]
    assert "now locked" in messages[4]
    with pytest.raises(SignInRefused, match="locked"):
        cashier_sign_in(code="12", pin="1234", where=AT)
    member = StaffMember.objects.get(code="12")
    assert member.locked_until is not None and member.locked_until > timezone.now()
    staff_unlock(member=member)
    assert cashier_sign_in(code="12", pin="1234", where=AT).code == "12"


def test_a_right_pin_clears_the_wrong_ones_before_it(staff: None) -> None:
    for _ in range(MAX_FAILED_PINS - 1):
        with pytest.raises(SignInRefused):
            cashier_sign_in(code="12", pin="9999", where=AT)
    cashier_sign_in(code="12", pin="1234", where=AT)
    assert StaffMember.objects.get(code="12").failed_pins == 0
    with pytest.raises(SignInRefused, match="4 tries left"):
        cashier_sign_in(code="12", pin="9999", where=AT)


@pytest.mark.parametrize("code", ["nobody", "", "1" * 200, "12'; DROP TABLE x; --", "１２"])
def test_an_unknown_or_hostile_code_is_refused_alike(staff: None, code: str) -> None:
    with pytest.raises(SignInRefused, match="^Staff code or PIN is wrong$"):
        cashier_sign_in(code=code, pin="1234", where=AT)


def test_a_supervisors_wrong_pins_count_too_and_a_cashier_cannot_approve(staff: None) -> None:
    with pytest.raises(ApprovalRefused, match="not a supervisor"):
        supervisor_approval(code="12", pin="1234", where=AT)
    for _ in range(MAX_FAILED_PINS):
        with pytest.raises(ApprovalRefused):
            supervisor_approval(code="77", pin="1111", where=AT)
    with pytest.raises(ApprovalRefused, match="locked"):
        supervisor_approval(code="77", pin="4321", where=AT)
