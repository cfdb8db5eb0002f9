"""Web hardening shared by the store and HQ: the pages' Content-Security-Policy and the
browser features they may use.

The pages load scripts, styles and images from their own origin only: no inline script or
style, no framing, forms post back to the same origin. The POS page talks to its own store
only (the device gateway's readings reach it through the store's API).
"""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import NONE, SELF
from django.http import HttpRequest, HttpResponseBase

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
        "bluetooth", "display-capture", "interest-cohort",
    )
)  # fmt: skip

# Probes and Prometheus ask over plain HTTP inside the cluster; everything else is HTTPS.
REDIRECT_EXEMPT = [r"^(health|ready|metrics)$"]


class PermissionsPolicyMiddleware:
    """Add `Permissions-Policy` (Django's SecurityMiddleware sends the other headers)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
