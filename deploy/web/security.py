"""Web hardening shared by the store and HQ: the pages' Content-Security-Policy and the
browser features they may use.

The pages load scripts, styles and images from their own origin only: no inline script or
style, no framing, forms post back to the same origin. The POS page talks to its own store
only (the device gateway's readings reach it through the store's API).
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import unquote_plus

from csp.constants import NONE, SELF
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from environ import Env

from deploy.web.card_numbers import holds_card_number

logger = logging.getLogger(__name__)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],  # the lane page prints receipts from a frame of its own
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# Nothing on a lane or an HQ page needs the camera, the microphone, a location or direct
# access to USB/serial/HID devices: scanners and scales are the gateway's.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "camera", "microphone", "geolocation", "payment", "usb", "serial", "hid",
        "display-capture",
    )
)  # fmt: skip

# Probes and Prometheus ask over plain HTTP inside the cluster; everything else is HTTPS.
REDIRECT_EXEMPT = [r"^(health|ready|metrics)$"]


def client_address(request: HttpRequest) -> str | None:
    """The client's network address: the trusted TLS proxy's last X-Forwarded-For entry
    when the site sits behind one (BEHIND_TLS_PROXY), else the connection's own. What the
    throttles of wrong PINs and wrong passwords count by."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        candidate = forwarded.rsplit(",", 1)[-1].strip()
    else:
        candidate = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(candidate[:64]))
    except ValueError:
        return None


SIGNING_IN_HELD_OFF = (
    "Too many wrong passwords from here or for this user: signing in is held off for "
    "15 minutes. An administrator can lift it sooner (Axes → Access attempts)."
)


def signing_in_held_off(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """What django-axes answers while a user name or an address is held off: 429, plainly
    (and the JSON form to a client that asked for JSON)."""
    headers = {"Retry-After": str(15 * 60)}
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": SIGNING_IN_HELD_OFF}, status=429, headers=headers)
    return HttpResponse(SIGNING_IN_HELD_OFF, status=429, headers=headers,
                        content_type="text/plain; charset=utf-8")  # fmt: skip


def web_settings(env: Env, *, production: bool) -> dict[str, Any]:
    """The Django settings of the web hardening, the same for the store and HQ.

    HTTPS in production: TLS ends at the ingress (K3s' Traefik at a store, the cluster's at
    HQ) or at gunicorn itself (GUNICORN_CERTFILE/GUNICORN_KEYFILE, systemd installs); plain
    HTTP is redirected but for probes and /metrics. BEHIND_TLS_PROXY trusts the proxy's
    X-Forwarded-Proto (set it only when such a proxy is the only way in). Password guessing
    at the admin and sign-in pages (django-axes): 10 wrong passwords from an address, or for
    a user name, hold it off for 15 minutes (429); a right one clears them."""
    found: dict[str, Any] = {
        "SESSION_COOKIE_HTTPONLY": True,
        # Back-office sessions last a working day; a lane's sign-in sets its own.
        "SESSION_COOKIE_AGE": env.int("SESSION_COOKIE_AGE", default=10 * 3600),
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "CONTENT_SECURITY_POLICY": CONTENT_SECURITY_POLICY,
        "AUTHENTICATION_BACKENDS": [
            "axes.backends.AxesStandaloneBackend",
            "django.contrib.auth.backends.ModelBackend",
        ],
        "AXES_FAILURE_LIMIT": env.int("AXES_FAILURE_LIMIT", default=10),
        "AXES_COOLOFF_TIME": timedelta(minutes=15),
        "AXES_LOCKOUT_PARAMETERS": ["ip_address", "username"],
        "AXES_RESET_ON_SUCCESS": True,
        "AXES_CLIENT_IP_CALLABLE": "deploy.web.security.client_address",
        "AXES_LOCKOUT_CALLABLE": "deploy.web.security.signing_in_held_off",
    }
    if production:
        found.update(
            SESSION_COOKIE_SECURE=env.bool("SESSION_COOKIE_SECURE", default=True),
            CSRF_COOKIE_SECURE=env.bool("CSRF_COOKIE_SECURE", default=True),
            SECURE_SSL_REDIRECT=env.bool("SECURE_SSL_REDIRECT", default=True),
            SECURE_REDIRECT_EXEMPT=REDIRECT_EXEMPT,
            SECURE_HSTS_SECONDS=env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 3600),
            SECURE_HSTS_INCLUDE_SUBDOMAINS=env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True),
            SECURE_HSTS_PRELOAD=env.bool("SECURE_HSTS_PRELOAD", default=True),
        )
        if env.bool("BEHIND_TLS_PROXY", default=False):
            found["SECURE_PROXY_SSL_HEADER"] = ("HTTP_X_FORWARDED_PROTO", "https")
    return found


class PermissionsPolicyMiddleware:
    """Add `Permissions-Policy` (Django's SecurityMiddleware sends the other headers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


CARD_NUMBER_REFUSED = (
    "That looks like a payment card number. Card numbers are never typed or scanned here: "
    "the card terminal takes the card; give only its reference and the card's last 4 digits."
)


class CardNumberGuardMiddleware:
    """Refuse a request that holds a payment card number anywhere a view could keep or log
    it — the path, the query, a form field (multipart included), a JSON string (escapes
    decoded) — before any view runs: 422 with a plain message; the refusal is logged
    without the data (and without the path, which may hold it)."""

    methods = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if self._holds_card_number(request):
            logger.warning("refused a request holding a card number: %s", request.method)
            refused = JsonResponse({"detail": CARD_NUMBER_REFUSED, "code": "card_number"},
                                   status=422)  # fmt: skip
            # Django logs every 4xx with its path, which may hold the number: not this one.
            refused._has_been_logged = True  # type: ignore[attr-defined]
            return refused
        return self.get_response(request)

    def _holds_card_number(self, request: HttpRequest) -> bool:
        if request.path.startswith(tuple(getattr(settings, "CARD_NUMBER_GUARD_SKIP", ()))):
            return False
        query = unquote_plus(request.META.get("QUERY_STRING", ""))
        if holds_card_number(request.path) or holds_card_number(query):
            return True
        if request.method not in self.methods:
            return False
        if request.content_type in FORM_TYPES:
            # What Django will hand the view (multipart parts decoded, files not read).
            fields = request.POST
            return any(holds_card_number(v) for values in fields.lists() for v in values[1])
        try:
            body = request.body
        except RequestDataTooBig:
            return False  # refused as too large further on
        text = body.decode("utf-8", errors="replace")
        if request.content_type == "application/json":
            try:
                text = "\n".join(json_strings(json.loads(text)))
            except (ValueError, RecursionError):
                pass  # not JSON: refused as such further on; its raw text was read
        return holds_card_number(text)


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def json_strings(document: object) -> Iterator[str]:
    """Every string and number in a JSON document (keys too), without recursion."""
    stack = [document]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str | int | float) and not isinstance(item, bool):
            yield str(item)
