"""A small HTTP proxy between the store and HQ that misbehaves on purpose: it delays
requests (so that batches arrive out of order), sends a request to HQ and drops the answer,
sends a request twice, and answers 502 while HQ is down. Seeded, so a failure replays."""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class FaultProxy:
    def __init__(self, upstream_port: int, *, seed: int = 7) -> None:
        self.upstream_port = upstream_port
        self.rng = random.Random(seed)  # noqa: S311
        self.lock = threading.Lock()
        self.faults = False
        self.delay_p, self.drop_p, self.duplicate_p = 0.25, 0.10, 0.10
        self.stats: Counter[str] = Counter()
        self.on_push: Callable[[], None] | None = None
        self.recorded: list[bytes] = []  # every body that went through, both ways
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:  # noqa: N802
                proxy.forward(self)

            def do_POST(self) -> None:  # noqa: N802
                proxy.forward(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _decide(self) -> str:
        with self.lock:
            if not self.faults:
                return "pass"
            roll = self.rng.random()
            delay = self.rng.uniform(0.2, 2.0)
        if roll < self.drop_p:
            return "drop"
        if roll < self.drop_p + self.duplicate_p:
            return "duplicate"
        if roll < self.drop_p + self.duplicate_p + self.delay_p:
            time.sleep(delay)
            return "delay"
        return "pass"

    def _send(self, method: str, path: str, headers: dict[str, str], body: bytes):  # type: ignore[no-untyped-def]
        connection = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
        decision = self._decide()
        self.stats[decision] += 1
        self.recorded.append(body)
        if handler.path.endswith("/events") and self.on_push is not None:
            self.on_push()  # a push is in flight: a test may kill the worker now
        try:
            status, response_headers, data = self._send(
                handler.command, handler.path, headers, body
            )
            if decision == "duplicate":
                self._send(handler.command, handler.path, headers, body)  # HQ sees it twice
        except OSError:
            self.stats["hq_down"] += 1
            status, response_headers, data = 502, [], b'{"detail": "HQ is down"}'
        self.recorded.append(data)
        if decision == "drop":
            handler.close_connection = True  # HQ applied it; the store never hears back
            return
        handler.close_connection = True
        try:
            handler.send_response(status)
            for name, value in response_headers:
                if name.lower() not in HOP_BY_HOP:
                    handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(data)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(data)
        except OSError:
            self.stats["client_gone"] += 1  # the worker was killed while waiting
