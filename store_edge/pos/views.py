"""The cashier's POS page: setting a browser up as a lane, signing in and out, the lock
screen, the lane page itself, and the printable receipt and shift report.

The lane page is one server-rendered template; its script talks to the lane API with the
lane's cookie and the cashier's session (see store_edge.lanes.auth)."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

import barcode  # type: ignore[import-untyped]
from barcode.writer import SVGWriter  # type: ignore[import-untyped]
from csp.constants import SELF
from csp.decorators import csp_replace
from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from store_edge.catalog.selectors import config_state
from store_edge.lanes.auth import (
    LANE_COOKIE,
    PosSession,
    cookie_lane,
    pin_given_at,
    pos_session_start,
)
from store_edge.lanes.models import Lane
from store_edge.lanes.tokens import TOKEN_PREFIX, lane_for_token
from store_edge.peripherals.terminal import lane_terminal
from store_edge.sales.errors import SaleNotFound
from store_edge.sales.receipts import receipt_layout
from store_edge.sales.selectors import sale_detail
from store_edge.shifts.models import Shift
from store_edge.shifts.reports import shift_report as report_of
from store_edge.staff.errors import PinsThrottled, SignInRefused
from store_edge.staff.models import StaffMember
from store_edge.staff.services import cashier_sign_in

LANE_COOKIE_AGE = 5 * 365 * 24 * 3600


class LaneSetupForm(forms.Form):
    token = forms.CharField(max_length=128, strip=True, label="Lane token")

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"]
        if not token.startswith(TOKEN_PREFIX) or lane_for_token(token) is None:
            raise forms.ValidationError(
                "This is not a live lane token: issue one with "
                "`manage.py issue_lane_token --lane N` and paste it here."
            )
        return token


class SignInForm(forms.Form):
    code = forms.RegexField(
        regex=r"^[A-Za-z0-9]{1,16}$",
        max_length=16,
        label="Cashier code",
        error_messages={"invalid": "A cashier code is letters and digits."},
    )
    pin = forms.RegexField(
        regex=r"^[0-9]{4,8}$",
        max_length=8,
        label="PIN",
        error_messages={"invalid": "A PIN is 4 to 8 digits."},
    )


def _store() -> dict[str, Any]:
    state = config_state()
    return {"store_name": state.store_name or "Store", "currency": state.currency,
            "store_id": settings.STORE_ID}  # fmt: skip


def _session_on(request: HttpRequest, lane: Lane) -> PosSession | None:
    session = PosSession.of(request)
    return session if session is not None and session.lane_id == lane.id else None


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for the cashier signed in on this browser's lane (and not locked)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        lane = cookie_lane(request)
        if lane is None:
            return redirect("pos:setup")
        session = _session_on(request, lane)
        if session is None or session.locked:
            return redirect("pos:sign-in") if session is None else redirect("pos:lane")
        return view(request, lane, session, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Make this browser a lane: a manager pastes the lane's token once."""
    form = LaneSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = redirect("pos:sign-in")
        response.set_cookie(
            LANE_COOKIE,
            form.cleaned_data["token"],
            max_age=LANE_COOKIE_AGE,
            httponly=True,
            samesite="Strict",
            secure=request.is_secure(),
        )
        request.session.flush()
        return response
    status = 422 if request.method == "POST" else 200
    return render(request, "pos/setup.html", {"form": form, **_store()}, status=status)


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    lane = cookie_lane(request)
    if lane is None:
        return redirect("pos:setup")
    form = SignInForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                member = cashier_sign_in(code=form.cleaned_data["code"],
                                         pin=form.cleaned_data["pin"],
                                         where=pin_given_at(request, lane))  # fmt: skip
            except SignInRefused as exc:
                error, status = str(exc), 403
            except PinsThrottled as exc:
                error, status = str(exc), 429
            else:
                pos_session_start(request, lane=lane, member=member)
                return redirect("pos:lane")
        else:
            status = 422
    context = {"form": form, "error": error, "lane": lane, **_store()}
    return render(request, "pos/sign_in.html", context, status=status)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the cashier's session (switch cashier): the lane stays set up."""
    request.session.flush()
    return redirect("pos:sign-in")


@require_POST
def lock(request: HttpRequest) -> JsonResponse:
    session = PosSession.of(request)
    if session is None:
        return JsonResponse({"detail": "nobody is signed in"}, status=401)
    PosSession(**{**session.__dict__, "locked": True}).keep(request)
    return JsonResponse({"locked": True})


@require_POST
def unlock(request: HttpRequest) -> JsonResponse:
    """The signed-in cashier's PIN opens the lock screen (wrong PINs count, as at sign-in)."""
    session = PosSession.of(request)
    lane = cookie_lane(request)
    if session is None or lane is None or session.lane_id != lane.id:
        return JsonResponse({"detail": "sign in again"}, status=401)
    try:
        cashier_sign_in(code=session.cashier, pin=str(request.POST.get("pin", ""))[:16],
                        where=pin_given_at(request, lane))  # fmt: skip
    except SignInRefused as exc:
        return JsonResponse({"detail": str(exc)}, status=403)
    except PinsThrottled as exc:
        return JsonResponse({"detail": str(exc)}, status=429,
                            headers={"Retry-After": str(exc.retry_after)})  # fmt: skip
    PosSession(**{**session.__dict__, "locked": False}).keep(request)
    return JsonResponse({"locked": False})


def lane_page(request: HttpRequest) -> HttpResponse:
    lane = cookie_lane(request)
    if lane is None:
        return redirect("pos:setup")
    session = _session_on(request, lane)
    if session is None:
        return redirect("pos:sign-in")
    # On a lane with a payment terminal the till sends the card amount; nothing is typed.
    has_terminal = lane_terminal(lane) is not None
    context = {"lane": lane, "session": session, "has_terminal": has_terminal, **_store()}
    return render(request, "pos/lane.html", context)


@require_GET
def customer_display(request: HttpRequest) -> HttpResponse:
    """The lane's customer display, for the monitor that faces the customer: the lane page
    of the same browser tells it what to show. It needs the lane set up, not a cashier."""
    lane = cookie_lane(request)
    if lane is None:
        return redirect("pos:setup")
    return render(request, "pos/display.html", {"lane": lane, **_store()})


def sale_barcode(number: str) -> SafeString:
    """The sale number as a Code 128 barcode (SVG), to scan it back for a return."""
    out = io.BytesIO()
    barcode.get("code128", number, writer=SVGWriter()).write(
        out,
        options={
            "module_height": 9,
            "module_width": 0.25,
            "write_text": False,
            "quiet_zone": 2,
        },  # fmt: skip
    )
    svg = out.getvalue().decode()
    # The page's Content-Security-Policy allows no inline style: colours as attributes.
    svg = svg.replace('style="fill:white"', 'fill="white"').replace(
        'style="fill:black;"', 'fill="black"'
    )
    return mark_safe(svg[svg.index("<svg") :])  # noqa: S308 - generated from a sale number


def framed_by_the_lane_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page the lane page prints from its frame: framing by the same origin is allowed."""
    allow_frame: Any = csp_replace({"frame-ancestors": [SELF]})
    return cast(Callable[..., Any], allow_frame(view))


def _staff_names(*codes: str) -> dict[str, str]:
    return dict(StaffMember.objects.filter(code__in=codes).values_list("code", "name"))


@signed_in
@xframe_options_sameorigin
@framed_by_the_lane_page
def receipt(request: HttpRequest, lane: Lane, session: PosSession, sale_id: uuid.UUID) -> Any:
    """A sale's (or a return's) receipt, to print or reprint."""
    try:
        sale = sale_detail(sale_id=sale_id)
    except SaleNotFound:
        return render(request, "pos/not_found.html", {"what": "sale"}, status=404)
    context = {
        "sale": sale, "receipt": receipt_layout(sale, reprint=request.GET.get("reprint") == "1"),
        "barcode": sale_barcode(sale.number), "print": request.GET.get("print") == "1",
    }  # fmt: skip
    return render(request, "pos/receipt.html", context)


@signed_in
@xframe_options_sameorigin
@framed_by_the_lane_page
def shift_report(request: HttpRequest, lane: Lane, session: PosSession, shift_id: uuid.UUID) -> Any:
    """The X report of an open shift or the Z report of a closed one, to print."""
    shift = Shift.objects.select_related("lane").filter(id=shift_id).first()
    if shift is None:
        return render(request, "pos/not_found.html", {"what": "shift"}, status=404)
    report = report_of(shift=shift)
    context = {
        "report": report, "kind": "Z" if report.closed_at else "X",
        "cashier": _staff_names(shift.cashier).get(shift.cashier, shift.cashier),
        "movements": shift.cash_movements.order_by("at"), "print": request.GET.get("print") == "1",
        **_store(),
    }  # fmt: skip
    return render(request, "pos/report.html", context)
