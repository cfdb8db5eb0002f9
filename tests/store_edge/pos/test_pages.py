"""The POS page on the server side: a browser set up as a lane, a cashier signed in by PIN,
the lock screen, the lane API through the page's cookie and session (with CSRF), and the
printable receipt and shift report."""

import re

import pytest
from django.test import Client

from store_edge.lanes.tokens import lane_token_issue
from store_edge.pos.static_files import page_release
from store_edge.sales.models import Sale
from store_edge.staff.services import MAX_FAILED_PINS, staff_member_create
from tests.store_edge.conftest import BANANAS, BREAD, WATER, LaneClient


@pytest.fixture
def staff(db: None) -> None:
    staff_member_create(code="12", name="Cat Cashier", role="cashier", pin="1234")
    staff_member_create(code="77", name="Sam Supervisor", role="supervisor", pin="4321")


def set_up(client: Client, token: str) -> None:
    response = client.post("/pos/setup", {"token": token})
    assert response.status_code == 302, response.content


def signed_in(client: Client, token: str, code: str = "12", pin: str = "1234") -> Client:
    set_up(client, token)
    response = client.post("/pos/sign-in", {"code": code, "pin": pin})
    assert (response.status_code, response["Location"]) == (302, "/pos/"), response.content
    return client


def csrf(client: Client) -> str:
    page = client.get("/pos/")
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.content.decode())
    assert match, "the lane page carries the CSRF token"
    return match.group(1)


def test_a_browser_that_is_not_a_lane_is_sent_to_set_up(db: None) -> None:
    client = Client()
    assert client.get("/")["Location"] == "/pos/"
    assert client.get("/pos/")["Location"] == "/pos/setup"
    assert client.get("/pos/sign-in")["Location"] == "/pos/setup"
    assert client.get("/pos/setup").status_code == 200


@pytest.mark.parametrize(
    "token",
    ["", "lane_not-a-token", "x" * 500, "lane_\x00\x1b[2J", "' OR 1=1 --", "<script>alert(1)"],
)
def test_a_bad_lane_token_is_refused_and_sets_nothing(lane_token: str, token: str) -> None:
    client = Client()
    response = client.post("/pos/setup", {"token": token})
    assert response.status_code == 422
    assert "pos_lane" not in response.cookies
    assert b"<script>alert" not in response.content


def test_the_lane_cookie_is_http_only_and_strict(lane_token: str) -> None:
    response = Client().post("/pos/setup", {"token": lane_token})
    cookie = response.cookies["pos_lane"]
    assert (cookie["httponly"], cookie["samesite"]) == (True, "Strict")
    assert int(cookie["max-age"]) > 365 * 24 * 3600


def test_the_customer_display_needs_the_lane_not_a_cashier(lane_token: str) -> None:
    client = Client()
    assert client.get("/pos/display")["Location"] == "/pos/setup"
    set_up(client, lane_token)
    page = client.get("/pos/display")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-lane="1"' in html and "Welcome" in html
    assert client.post("/pos/display").status_code == 405


def test_a_cashier_signs_in_and_sees_the_lane(lane_token: str, staff: None) -> None:
    client = signed_in(Client(), lane_token)
    page = client.get("/pos/")
    assert page.status_code == 200
    assert b"Cat Cashier" in page.content and b"Lane 1" in page.content
    assert f"/static/pos/{page_release()}/pos.js".encode() in page.content


def test_five_wrong_pins_lock_the_cashier_out_on_the_page(lane_token: str, staff: None) -> None:
    client = Client()
    set_up(client, lane_token)
    for _ in range(MAX_FAILED_PINS):
        response = client.post("/pos/sign-in", {"code": "12", "pin": "9999"})
        assert response.status_code == 403
    assert b"now locked for 15 minutes" in response.content
    response = client.post("/pos/sign-in", {"code": "12", "pin": "1234"})
    assert response.status_code == 403 and b"is locked" in response.content
    assert client.get("/pos/")["Location"] == "/pos/sign-in"


@pytest.mark.parametrize(
    "form", [{"code": "12", "pin": "12ab"}, {"code": "12"}, {"code": "1" * 17, "pin": "1234"},
             {"code": "<b>", "pin": "1234"}, {"code": "12", "pin": "1" * 500}],
)  # fmt: skip
def test_a_malformed_sign_in_is_refused_without_counting(
    lane_token: str, staff: None, form: dict
) -> None:
    client = Client()
    set_up(client, lane_token)
    assert client.post("/pos/sign-in", form).status_code == 422
    from store_edge.staff.models import StaffMember

    assert StaffMember.objects.get(code="12").failed_pins == 0


def test_the_page_uses_the_lane_api_with_its_cookie_session_and_csrf(
    catalog: None, lane_token: str, staff: None
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies = signed_in(Client(), lane_token).cookies
    refused = client.post("/api/v1/baskets", content_type="application/json")
    assert refused.status_code == 403  # no CSRF token
    token = csrf(client)
    created = client.post("/api/v1/baskets", content_type="application/json",
                          headers={"X-CSRFToken": token})  # fmt: skip
    assert created.status_code == 201
    basket = created.json()["id"]
    headers = {"X-CSRFToken": token}
    client.post(f"/api/v1/baskets/{basket}/items", {"code": WATER},
                content_type="application/json", headers=headers)  # fmt: skip
    client.post(f"/api/v1/baskets/{basket}/payments", {"method": "cash", "amount": "1.00"},
                content_type="application/json", headers=headers)  # fmt: skip
    sale = client.post(f"/api/v1/baskets/{basket}/complete", content_type="application/json",
                       headers=headers)  # fmt: skip
    assert sale.status_code == 201
    assert Sale.objects.get().cashier == "12"


def test_a_locked_lane_answers_nothing_until_the_cashiers_pin(
    catalog: None, lane_token: str, staff: None
) -> None:
    client = signed_in(Client(), lane_token)
    assert client.get("/api/v1/sync/status").status_code == 200
    assert client.post("/pos/lock").json() == {"locked": True}
    assert client.get("/api/v1/sync/status").status_code == 401
    assert client.get("/pos/receipts/00000000-0000-0000-0000-000000000000")["Location"] == "/pos/"
    wrong = client.post("/pos/unlock", {"pin": "0000"})
    assert (wrong.status_code, "4 tries left" in wrong.json()["detail"]) == (403, True)
    assert client.post("/pos/unlock", {"pin": "4321"}).status_code == 403  # not their PIN
    assert client.post("/pos/unlock", {"pin": "1234"}).json() == {"locked": False}
    assert client.get("/api/v1/sync/status").status_code == 200


def test_a_session_of_one_lane_does_not_work_another(
    catalog: None, lane_token: str, staff: None
) -> None:
    client = signed_in(Client(), lane_token)
    _, other = lane_token_issue(lane_number=2)
    client.cookies["pos_lane"] = other
    assert client.get("/api/v1/sync/status").status_code == 401
    assert client.get("/pos/")["Location"] == "/pos/sign-in"


def test_signing_out_ends_the_session_but_keeps_the_lane(lane_token: str, staff: None) -> None:
    client = signed_in(Client(), lane_token)
    assert client.post("/pos/sign-out")["Location"] == "/pos/sign-in"
    assert client.get("/pos/")["Location"] == "/pos/sign-in"
    assert client.get("/api/v1/sync/status").status_code == 401


def test_the_receipt_shows_what_a_customer_needs(
    lane_api: LaneClient, lane_token: str, staff: None
) -> None:
    basket = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket}/items", {"code": WATER, "quantity": 2})
    lane_api.post(f"/baskets/{basket}/items", {"code": BANANAS, "weight_kg": "0.512"})
    lane_api.post(f"/baskets/{basket}/payments", {"method": "cash", "amount": "5.00"})
    _, sale = lane_api.post(f"/baskets/{basket}/complete")
    client = signed_in(Client(), lane_token)
    response = client.get(f"/pos/receipts/{sale['id']}")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    text = response.content.decode()
    for expected in ("Test store", "Lane 1", "Sparkling water 1 l", "2 × 0.79",
                     "0.512 kg × 1.99/kg", "TOTAL EUR", "Cash", "Change",
                     f"Sale {sale['number']}", "<svg", "19 %", "7 %"):  # fmt: skip
        assert expected in text, expected
    assert "REPRINT" not in text
    assert "REPRINT" in client.get(f"/pos/receipts/{sale['id']}?reprint=1").content.decode()
    assert client.get("/pos/receipts/00000000-0000-0000-0000-000000000001").status_code == 404
    assert client.get("/pos/receipts/not-a-uuid").status_code == 404


def test_a_return_receipt_names_the_sale_it_takes_back(
    lane_api: LaneClient, lane_token: str, staff: None
) -> None:
    sale = lane_api.ring([{"code": BREAD}])
    line = lane_api.get(f"/returns/sales/{sale['number']}")[1]["lines"][0]
    _, refund = lane_api.post("/returns", {"sale_number": sale["number"],
                              "lines": [{"line_id": line["id"], "quantity": 1}]})  # fmt: skip
    client = signed_in(Client(), lane_token)
    text = client.get(f"/pos/receipts/{refund['id']}").content.decode()
    assert f"RETURN of sale {sale['number']}" in text
    assert "-2.49" in text


def test_the_z_report_shows_counted_against_expected_cash(
    lane_api: LaneClient, lane_token: str, staff: None
) -> None:
    _, shift = lane_api.post("/shifts", {"opening_float": "100.00", "cashier": "12"})
    lane_api.ring([{"code": BREAD}], pay="2.49")
    client = signed_in(Client(), lane_token)
    x = client.get(f"/pos/shifts/{shift['shift_id']}/report").content.decode()
    assert "X REPORT" in x and "102.49" in x
    lane_api.post("/shifts/current/close", {"counted_cash": "102.00"})
    z = client.get(f"/pos/shifts/{shift['shift_id']}/report").content.decode()
    assert "Z REPORT" in z and "Cat Cashier" in z
    assert re.search(r'id="variance">-0.49<', z)
    assert client.get("/pos/shifts/00000000-0000-0000-0000-000000000001/report").status_code == 404


def test_the_page_script_and_styles_are_served_by_the_store(db: None) -> None:
    client = Client()
    for path in ("/static/pos/pos.js", "/static/pos/pos.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_a_manager_unlocks_a_locked_cashier_in_the_admin(
    lane_token: str, staff: None, admin_client: Client
) -> None:
    from store_edge.staff.models import StaffMember

    client = Client()
    set_up(client, lane_token)
    for _ in range(MAX_FAILED_PINS):
        client.post("/pos/sign-in", {"code": "12", "pin": "9999"})
    member = StaffMember.objects.get(code="12")
    assert member.locked_until is not None
    listing = admin_client.get("/admin/staff/staffmember/")
    assert listing.status_code == 200 and b"Cat Cashier" in listing.content
    assert (
        b"pin_hash" not in admin_client.get(f"/admin/staff/staffmember/{member.pk}/change/").content
    )
    answer = admin_client.post("/admin/staff/staffmember/",
                               {"action": "unlock", "_selected_action": [member.pk]})  # fmt: skip
    assert answer.status_code == 302
    assert StaffMember.objects.get(code="12").locked_until is None
    signed_in(client, lane_token)
