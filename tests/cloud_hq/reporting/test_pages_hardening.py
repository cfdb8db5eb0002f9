"""HQ's pages in a browser's eyes: the security headers on every page (sign-in, reports,
fleet, admin), CSRF on every form, and each page behind its own permission."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from tests.cloud_hq.reporting.test_reports import _signed_in


@pytest.fixture
def staff(db: None) -> dict[str, Client]:
    return {
        role: _signed_in(Client(), role.lower(), role, is_staff=role == "Merchandiser")
        for role in ("Analyst", "Support", "Merchandiser")
    }


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (None, "/login/"),
        ("Analyst", "/reports/"),
        ("Analyst", "/reports/sales-by-store/"),
        ("Support", "/fleet/"),
        ("Merchandiser", "/admin/"),
    ],
)
def test_every_page_carries_the_security_headers(
    db: None, staff: dict[str, Client], role: str | None, path: str
) -> None:
    response = (staff[role] if role else Client()).get(path)
    assert response.status_code == 200, (path, response.status_code)
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    html = response.content.decode()
    assert "<script>" not in html and " onclick=" not in html


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/login/", {"username": "ana", "password": "x" * 12}),
        ("/logout/", {}),
        ("/admin/login/", {"username": "ana", "password": "x" * 12}),
    ],
)
def test_every_form_is_refused_without_its_csrf_token(
    db: None, path: str, form: dict[str, str]
) -> None:
    User.objects.create_user("ana", password="x" * 12)
    response = Client(enforce_csrf_checks=True).post(path, form)
    assert response.status_code == 403 and b"CSRF" in response.content


@pytest.mark.parametrize(
    ("role", "path", "allowed"),
    [
        ("Analyst", "/fleet/", False),
        ("Analyst", "/admin/", False),
        ("Support", "/reports/sales-by-store/", False),
        ("Support", "/admin/", False),
        ("Merchandiser", "/reports/top-products/", False),
        ("Merchandiser", "/admin/hq_catalog/product/", True),
        ("Merchandiser", "/admin/auth/user/", False),
    ],
)
def test_each_page_is_behind_its_own_permission(
    db: None, staff: dict[str, Client], role: str, path: str, allowed: bool
) -> None:
    response = staff[role].get(path)
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code in (302, 403), (role, path, response.status_code)
        if response.status_code == 302:
            assert "login" in response["Location"]
    assert Group.objects.filter(name=role).exists()


def test_a_card_number_typed_into_an_hq_form_is_refused(db: None) -> None:
    response = Client().post("/login/", {"username": "4111 1111 1111 1111", "password": "x"})
    assert response.status_code == 422 and response.json()["code"] == "card_number"
    # A store's push is not refused whole for it (the lane refuses card numbers at entry).
    assert Client().post("/api/v1/stores/S1/events", "4111111111111111",
                         content_type="application/json").status_code == 401  # fmt: skip


def sign_in(client: Client, name: str, password: str, address: str = "192.0.2.1") -> Any:
    return client.post("/login/", {"username": name, "password": password},
                       REMOTE_ADDR=address)  # fmt: skip


def test_password_guessing_is_held_off_by_address_and_by_user(db: None, settings: Any) -> None:
    User.objects.create_user("ana", password="anas-right-password")
    User.objects.create_user("sam", password="sams-right-password")
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(Client(), "ana", f"guess-{n}").status_code == 200  # the form again
    assert sign_in(Client(), "ana", "guess-last").status_code == 429  # the tenth holds off
    held = sign_in(Client(), "ana", "anas-right-password")
    assert held.status_code == 429 and "held off for 15 minutes" in held.content.decode()
    assert held["Retry-After"] == "900"
    # The guessing address is held off for every user, the guessed user from everywhere.
    assert sign_in(Client(), "sam", "sams-right-password").status_code == 429
    assert sign_in(Client(), "ana", "anas-right-password", "198.51.100.7").status_code == 429
    assert sign_in(Client(), "sam", "sams-right-password", "198.51.100.7").status_code == 302


def test_a_right_password_clears_the_wrong_ones_before_it(db: None, settings: Any) -> None:
    User.objects.create_user("ana", password="anas-right-password")
    for _ in range(2):
        for n in range(settings.AXES_FAILURE_LIMIT - 1):
            sign_in(Client(), "ana", f"guess-{n}")
        assert sign_in(Client(), "ana", "anas-right-password").status_code == 302


def test_a_forged_forwarded_address_does_not_reset_the_count(db: None, settings: Any) -> None:
    User.objects.create_user("ana", password="anas-right-password")
    for n in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/login/", {"username": f"user{n}", "password": "x"},
                      REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")  # fmt: skip
    assert sign_in(Client(), "ana", "anas-right-password", "192.0.2.9").status_code == 429
