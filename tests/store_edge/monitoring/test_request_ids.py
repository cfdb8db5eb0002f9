"""Request ids: echoed when sane, made up otherwise, and on every log line of the request;
the JSON log format is one parseable object a line."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest
from django.test import Client

from deploy.web.request_ids import REQUEST_ID, logging_config


@pytest.mark.django_db
def test_a_sane_request_id_is_echoed_and_a_hostile_one_replaced(client: Client) -> None:
    assert client.get("/health", HTTP_X_REQUEST_ID="lb-42.a_b")["X-Request-ID"] == "lb-42.a_b"
    for hostile in ("x" * 65, "a b", "id\r\nSet-Cookie: x=1", "<script>", ""):
        answer = client.get("/health", HTTP_X_REQUEST_ID=hostile)
        made = answer["X-Request-ID"]
        assert made != hostile and len(made) == 32 and made.isalnum()


def test_json_lines_carry_the_request_id() -> None:
    stream = io.StringIO()
    config = logging_config(level="INFO", fmt="json", quiet={})
    config["handlers"]["console"]["stream"] = stream
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        logging.config.dictConfig(config)
        token = REQUEST_ID.set("req-7")
        logging.getLogger("store_edge.test").warning("sale %s refused", "01-000042")
        REQUEST_ID.reset(token)
        logging.getLogger("store_edge.test").info('quote " and newline\n inside')
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["request_id"] == "req-7" and first["level"] == "WARNING"
    assert first["message"] == "sale 01-000042 refused" and first["logger"] == "store_edge.test"
    assert second["request_id"] == "-" and second["message"] == 'quote " and newline\n inside'
