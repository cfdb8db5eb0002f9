"""What the JSON APIs of the store and HQ accept before a view sees a request: a bounded body
(413), JSON and nothing else (415), in UTF-8 and not nested deep enough to exhaust the
stack of whatever walks it later (400). NUL characters are the views' business: HQ
quarantines the entry that carries one rather than refuse the push that holds it. Every
refusal is a JSON `{"detail": …}` that says what to change, and nothing has been written."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse

API_PATH = "/api/"
MAX_JSON_DEPTH = 64
JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")


class RequestSizeMiddleware:
    """Refuse an API body over DATA_UPLOAD_MAX_MEMORY_SIZE with 413, before reading it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PATH):
            return self.get_response(request)
        length = request.headers.get("Content-Length", "").strip() or "0"
        if not length.isdigit():
            return JsonResponse({"detail": "Content-Length must be a number of bytes"}, status=400)
        if int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return too_large()
        return self.get_response(request)


class JsonBodyMiddleware:
    """Refuse an API body that is not sane JSON; a request without a body passes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PATH):
            return self.get_response(request)
        try:
            body = request.body
        except RequestDataTooBig:
            return too_large()
        if not body:
            return self.get_response(request)
        refusal = json_body_refusal(request.content_type or "", body)
        if refusal is not None:
            return refusal
        return self.get_response(request)


def json_body_refusal(content_type: str, body: bytes) -> JsonResponse | None:
    """Return why this body is refused (415 or 400), or None when it may be parsed."""
    if not is_json_media_type(content_type):
        sent = f"Content-Type {content_type!r}" if content_type else "no Content-Type"
        return JsonResponse(
            {"detail": f"the body must be JSON sent as Content-Type 'application/json' "
                       f"(this request has {sent})"},
            status=415,
        )  # fmt: skip
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        return JsonResponse(
            {"detail": f"the body is not valid UTF-8 (byte {exc.start})"}, status=400
        )
    if nesting_exceeds(text, MAX_JSON_DEPTH):
        return JsonResponse(
            {"detail": f"the JSON body is nested deeper than {MAX_JSON_DEPTH} levels"}, status=400
        )
    return None


def is_json_media_type(content_type: str) -> bool:
    main, _, sub = content_type.strip().lower().partition("/")
    return main == "application" and (sub == "json" or sub.endswith("+json"))


def nesting_exceeds(text: str, limit: int) -> bool:
    """True when arrays and objects nest deeper than `limit`; counted without recursion and
    without parsing, brackets inside strings ignored, stopping as soon as it is too deep."""
    brackets = NOT_A_BRACKET.sub("", JSON_STRING.sub("", text))
    depth = 0
    for bracket in brackets:
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def too_large() -> JsonResponse:
    return JsonResponse(
        {"detail": f"the request body is too large: at most "
                   f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes"},
        status=413,
    )  # fmt: skip
