"""Bound request bodies and inflate gzip ones, keeping the bytes that were signed."""

from __future__ import annotations

import zlib
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse


class CompressedRequestMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = request.headers.get("Content-Length", "0") or "0"
        if not length.isdigit():
            return JsonResponse({"detail": "bad Content-Length"}, status=400)
        if int(length) > settings.REQUEST_MAX_BYTES:
            return JsonResponse({"detail": "request body too large"}, status=413)
        encoding = request.headers.get("Content-Encoding", "").strip().lower()
        if encoding in ("", "identity"):
            return self.get_response(request)
        if encoding != "gzip":
            return JsonResponse(
                {"detail": f"unsupported Content-Encoding {encoding!r}"}, status=415
            )
        raw = request.read()
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        limit = settings.REQUEST_MAX_INFLATED_BYTES
        try:
            body = inflater.decompress(raw, limit + 1)
        except zlib.error:
            return JsonResponse({"detail": "body is not valid gzip"}, status=400)
        if len(body) > limit or inflater.unconsumed_tail:
            return JsonResponse({"detail": "inflated request body too large"}, status=413)
        if not inflater.eof:
            return JsonResponse({"detail": "gzip body is truncated"}, status=400)
        request.signed_body = raw  # type: ignore[attr-defined]
        request._body = body  # Django reads the body from here
        request.META["CONTENT_LENGTH"] = str(len(body))
        return self.get_response(request)


class ProtocolMiddleware:
    """The sync protocol's version, negotiated per request on the store API: a store sends
    X-Edge-Protocol (none: version 1, the stores from before the header); HQ serves every
    version in SUPPORTED_PROTOCOLS — the current one and the one before, so a store one
    release behind keeps syncing during an upgrade — and says which it used."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/v1/stores/"):
            return self.get_response(request)
        asked = request.headers.get("X-Edge-Protocol", "").strip() or "1"
        supported = settings.SUPPORTED_PROTOCOLS
        if not asked.isdigit() or int(asked) not in supported:
            return JsonResponse(
                {"detail": f"sync protocol {asked[:16]!r} is not served here; upgrade the store",
                 "supported": list(supported)},
                status=426,
            )  # fmt: skip
        request.edge_protocol = int(asked)  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Edge-Protocol"] = asked
        return response
