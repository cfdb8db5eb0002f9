"""Guessing PINs at a lane: a code locks after five wrong PINs (tested with the counter), and
a lane or a network address that gives many wrong codes or PINs in a few minutes is held off
whatever codes it tries next, on the page and on the API, until the window has passed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from store_edge.lanes.models import Lane
from store_edge.lanes.tokens import lane_token_issue
from store_edge.staff.errors import PinsThrottled, SignInRefused
from store_edge.staff.models import FailedPin
from store_edge.staff.services import (
    FAILED_PIN_KEEP,
    MAX_FAILED_PER_ADDRESS,
    MAX_FAILED_PER_LANE,
    THROTTLE_WINDOW,
    PinGivenAt,
    cashier_sign_in,
    staff_member_create,
)
from tests.store_edge.conftest import BREAD, LaneClient
from tests.store_edge.pos.test_pages import set_up


@pytest.fixture
def staff(db: None) -> None:
    staff_member_create(code="12", name="Cat Cashier", role="cashier", pin="1234")
    staff_member_create(code="77", name="Sam Supervisor", role="supervisor", pin="4321")


def guess(where: PinGivenAt, times: int) -> None:
    """Try one common PIN on many codes (each code's own lock-out never trips)."""
    for n in range(times):
        with pytest.raises(SignInRefused):
            cashier_sign_in(code=f"9{n}", pin="0000", where=where)


def test_a_lane_guessing_across_codes_is_held_off_then_let_in_again(
    lane: Lane, staff: None
) -> None:
    here = PinGivenAt(lane_id=lane.id, address="192.0.2.10")
    guess(here, MAX_FAILED_PER_LANE)
    with pytest.raises(PinsThrottled, match="on this lane") as held:
        cashier_sign_in(code="12", pin="1234", where=here)  # even the right PIN waits
    assert 1 <= held.value.retry_after <= THROTTLE_WINDOW.total_seconds() + 1
    assert FailedPin.objects.count() == MAX_FAILED_PER_LANE  # a held-off try is not counted
    other, _ = lane_token_issue(lane_number=2)
    there = PinGivenAt(lane_id=other.id, address="192.0.2.11")
    assert cashier_sign_in(code="12", pin="1234", where=there).code == "12"
    FailedPin.objects.update(at=timezone.now() - THROTTLE_WINDOW - timedelta(seconds=1))
    assert cashier_sign_in(code="12", pin="1234", where=here).code == "12"


def test_one_address_guessing_across_lanes_is_held_off(staff: None) -> None:
    lanes = [lane_token_issue(lane_number=n)[0] for n in range(1, 4)]
    for n in range(MAX_FAILED_PER_ADDRESS):
        at = PinGivenAt(lane_id=lanes[n % 3].id, address="198.51.100.9")
        with pytest.raises(SignInRefused):
            cashier_sign_in(code=f"9{n}", pin="0000", where=at)
    with pytest.raises(PinsThrottled, match="on this address"):
        cashier_sign_in(code="12", pin="1234", where=PinGivenAt(address="198.51.100.9"))
    # The same lane (7 wrong tries of its own, under its limit) from another address is fine.
    elsewhere = PinGivenAt(lane_id=lanes[0].id, address="198.51.100.10")
    assert cashier_sign_in(code="12", pin="1234", where=elsewhere).code == "12"


def test_the_sign_in_page_answers_429_with_a_plain_message(lane_token: str, staff: None) -> None:
    client = Client()
    set_up(client, lane_token)
    for n in range(MAX_FAILED_PER_LANE):
        assert client.post("/pos/sign-in", {"code": f"9{n}", "pin": "0000"}).status_code == 403
    held = client.post("/pos/sign-in", {"code": "12", "pin": "1234"})
    assert held.status_code == 429
    assert "Too many wrong codes or PINs on this lane" in held.content.decode()
    assert "_auth_user_id" not in client.session and "pos" not in client.session


def test_a_spoofed_forwarded_address_does_not_escape_the_throttle(
    lane_token: str, staff: None, settings
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    set_up(client, lane_token)
    for n in range(MAX_FAILED_PER_LANE):
        client.post(
            "/pos/sign-in", {"code": f"9{n}", "pin": "0000"}, HTTP_X_FORWARDED_FOR=f"10.9.0.{n}"
        )
    assert set(FailedPin.objects.values_list("address", flat=True)) == {"127.0.0.1"}
    assert client.post("/pos/sign-in", {"code": "12", "pin": "1234"}).status_code == 429
    # Behind the store's TLS proxy, the proxy's own last entry is the client.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    FailedPin.objects.all().delete()
    client.post("/pos/sign-in", {"code": "91", "pin": "0000"},
                HTTP_X_FORWARDED_FOR="203.0.113.1, 10.1.2.3")  # fmt: skip
    client.post("/pos/sign-in", {"code": "91", "pin": "0000"}, HTTP_X_FORWARDED_FOR="<script>")
    assert list(FailedPin.objects.order_by("id").values_list("address", flat=True)) == [
        "10.1.2.3",
        None,
    ]


def test_a_supervisor_approval_on_the_api_is_throttled_with_retry_after(
    lane_api: LaneClient, lane: Lane, staff: None
) -> None:
    guess(PinGivenAt(lane_id=lane.id, address="127.0.0.1"), MAX_FAILED_PER_LANE)
    approved = {"code": BREAD, "quantity": 1, "supervisor": "77", "pin": "4321"}
    response = lane_api.client.post(
        "/api/v1/returns/without-receipt", approved, content_type="application/json"
    )
    assert response.status_code == 429
    assert "Too many wrong codes or PINs" in response.json()["detail"]
    assert 1 <= int(response["Retry-After"]) <= THROTTLE_WINDOW.total_seconds() + 1


def test_an_approval_is_given_with_the_action_it_approves_and_cannot_be_reused(
    lane_api: LaneClient, staff: None
) -> None:
    approved = {"code": BREAD, "quantity": 1, "supervisor": "77", "pin": "4321"}
    assert lane_api.post("/returns/without-receipt", approved)[0] == 201
    # No token or session came back that a second action could present instead of the PIN.
    bare = {"code": BREAD, "quantity": 1}
    assert lane_api.post("/returns/without-receipt", bare)[0] == 422
    assert (
        lane_api.post("/returns/without-receipt", {**bare, "supervisor": "77", "pin": ""})[0] == 422
    )


def test_old_wrong_pins_are_forgotten(lane: Lane, staff: None) -> None:
    FailedPin.objects.create(at=timezone.now() - FAILED_PIN_KEEP - timedelta(hours=1), code="1")
    guess(PinGivenAt(lane_id=lane.id), 1)
    assert list(FailedPin.objects.values_list("code", flat=True)) == [""]  # unknown: not kept


def test_only_a_real_staff_code_is_kept_with_a_wrong_pin(lane: Lane, staff: None) -> None:
    here = PinGivenAt(lane_id=lane.id)
    for code, pin in (("121234", "1234"), ("12", "9999")):  # code and PIN run together
        with pytest.raises(SignInRefused):
            cashier_sign_in(code=code, pin=pin, where=here)
    assert list(FailedPin.objects.order_by("id").values_list("code", flat=True)) == ["", "12"]
