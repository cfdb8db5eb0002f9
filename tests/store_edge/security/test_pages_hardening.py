"""The store's pages in a browser's eyes: a strict Content-Security-Policy and the other
security headers on every page, CSRF on every form, receipts framed by the lane page only."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from store_edge.staff.services import staff_member_create
from tests.processes import ROOT
from tests.store_edge.conftest import WATER, LaneClient
from tests.store_edge.pos.test_pages import signed_in

PAGES = ["/pos/setup", "/pos/sign-in", "/admin/login/"]


def directives(header: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in header.split(";")
        if part.strip()
    }


@pytest.fixture
def cashier(db: None) -> None:
    staff_member_create(code="12", name="Cat Cashier", role="cashier", pin="1234")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_security_headers(db: None, path: str) -> None:
    response = Client().get(path)
    assert response.status_code in (200, 302)
    csp = directives(response["Content-Security-Policy"])
    assert csp["default-src"] == "'none'"
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["form-action"] == "'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "serial=()" in response["Permissions-Policy"]


def test_the_lane_page_itself_is_strict(lane_token: str, cashier: None) -> None:
    page = signed_in(Client(), lane_token).get("/pos/")
    assert page.status_code == 200
    assert directives(page["Content-Security-Policy"])["frame-ancestors"] == "'none'"
    html = page.content.decode()
    assert "<script>" not in html and " style=" not in html and " onclick=" not in html


def test_a_receipt_may_be_framed_by_the_lane_page_only(
    lane_api: LaneClient, lane_token: str, cashier: None
) -> None:
    sale = lane_api.ring([{"code": WATER}])
    response = signed_in(Client(), lane_token).get(f"/pos/receipts/{sale['id']}")
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"])["frame-ancestors"] == "'self'"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    # The sale's barcode draws without inline style (which the policy would block).
    html = response.content.decode()
    assert "<svg" in html and "style=" not in html and 'fill="black"' in html


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/pos/setup", {"token": "lane_x"}),
        ("/pos/sign-in", {"code": "12", "pin": "1234"}),
        ("/pos/sign-out", {}),
        ("/pos/lock", {}),
        ("/pos/unlock", {"pin": "1234"}),
        ("/admin/login/", {"username": "m", "password": "p"}),
    ],
)
def test_every_form_is_refused_without_its_csrf_token(
    lane_token: str, cashier: None, path: str, form: dict[str, str]
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies["pos_lane"] = lane_token
    response = client.post(path, form)
    assert response.status_code == 403
    assert b"CSRF" in response.content


def test_the_page_api_needs_the_csrf_token_too(lane_token: str, cashier: None) -> None:
    client = signed_in(Client(), lane_token)
    client.handler.enforce_csrf_checks = True
    refused = client.post("/api/v1/baskets", "{}", content_type="application/json")
    assert refused.status_code == 403
    assert client.get("/api/v1/sync/status").status_code == 200  # reads need no token


def test_a_lane_sign_in_expires_after_its_shift_length(lane_token: str, cashier: None) -> None:
    client = signed_in(Client(), lane_token)
    assert 12 * 3600 - 5 <= client.session.get_expiry_age() <= 12 * 3600
    assert client.get("/pos/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/pos/")["Location"] == "/pos/sign-in"
    assert client.get("/api/v1/sync/status").status_code == 401


def test_a_back_office_session_lasts_a_working_day(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.SESSION_COOKIE_AGE == 10 * 3600
    User.objects.create_superuser("manager", password="a-long-manager-password")
    client = Client()
    assert client.login(
        request=HttpRequest(), username="manager", password="a-long-manager-password"
    )
    assert client.session.get_expiry_age() == 10 * 3600


def test_guessing_a_managers_password_is_held_off(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    User.objects.create_superuser("manager", password="a-long-manager-password")
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        wrong = {"username": "manager", "password": f"guess-{n}"}
        assert client.post("/admin/login/", wrong).status_code == 200
    last = {"username": "manager", "password": "guess-last"}
    assert client.post("/admin/login/", last).status_code == 429
    right = {"username": "manager", "password": "a-long-manager-password"}
    held = client.post("/admin/login/", right)
    assert held.status_code == 429 and "held off" in held.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_pods_own_address_is_an_allowed_host(tmp_path) -> None:  # type: ignore[no-untyped-def]
    probe = (
        "from django.conf import settings; import django; django.setup();"
        "print(settings.ALLOWED_HOSTS[-1])"
    )
    for module in ("store_edge.settings", "cloud_hq.settings"):
        env = {"PATH": "/usr/bin:/bin", "APP_ENV": "development", "POD_IP": "10.42.0.7",
               "VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": module}  # fmt: skip
        done = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT,
                              capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
        assert done.stdout.strip() == "10.42.0.7", done.stderr
