"""Request ids in the logs of the store and HQ: taken from X-Request-ID when a proxy (or the
store, calling HQ) sent a sane one, made up otherwise, sent back, and put on every log record
written while the request is served."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

from deploy.web.card_numbers import holds_card_number

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
SANE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
HEADER = "X-Request-ID"


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        sane = SANE.match(given) and not holds_card_number(given)  # it goes in every log line
        request_id = given if sane else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def logging_config(*, level: str, fmt: str, quiet: dict[str, str]) -> dict[str, Any]:
    """Django's LOGGING: JSON lines (for the collector) or plain text, with request ids."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "deploy.web.request_ids.RequestIdFilter"}},
        "formatters": {
            "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
                "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": fmt,
                "filters": ["request_id"],
            }
        },  # fmt: skip
        "root": {"handlers": ["console"], "level": level},
        "loggers": {name: {"level": value} for name, value in quiet.items()},
    }
