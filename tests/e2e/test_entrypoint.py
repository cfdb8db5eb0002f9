"""The image's entry point: each role of the store and of HQ starts with production
settings; a missing secret stops a role at once with the variable's name."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deploy.local.redis_server import free_port, redis_for
from tests.processes import ROOT, Service, hq_database, wait_http

pytestmark = pytest.mark.e2e
ENTRYPOINT = [sys.executable, str(ROOT / "deploy" / "entrypoint.py")]
SECRET = "a-production-secret-for-the-entrypoint-test-0123456789"


def run(role: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ENTRYPOINT, role], env=env, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


@pytest.mark.parametrize(
    ("project", "role", "given", "missing"),
    [
        ("store", "web", {}, "SECRET_KEY"),
        (
            "hq",
            "web",
            {"SECRET_KEY": SECRET, "DATABASE_URL": "x"},
            "GUNICORN_CERTFILE and GUNICORN_KEYFILE (TLS at gunicorn), or BEHIND_TLS_PROXY=true",
        ),
        ("store", "worker", {"SECRET_KEY": SECRET}, "STORE_ID, STORE_KEY, HQ_URL, REDIS_URL"),
        ("store", "beat", {"SECRET_KEY": SECRET, "STORE_ID": "S1"}, "STORE_KEY, HQ_URL"),
        ("store", "gateway", {"SECRET_KEY": SECRET}, "REDIS_URL"),
        ("hq", "migrate", {"SECRET_KEY": SECRET}, "DATABASE_URL"),
        ("hq", "worker", {"SECRET_KEY": " ", "DATABASE_URL": "x"}, "SECRET_KEY, REDIS_URL"),
    ],
)
def test_a_missing_secret_stops_the_role_at_once(
    project: str, role: str, given: dict[str, str], missing: str
) -> None:
    started = time.monotonic()
    done = run(role, {"PATH": os.environ["PATH"], "EDGE_PROJECT": project, **given})
    assert done.returncode == 2
    assert f"{project} {role}: set {missing}" in done.stderr
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("project", "argv", "message"),
    [
        ("shop", ["web"], "EDGE_PROJECT must be one of store, hq"),
        ("store", ["serve"], "the role must be one of web, worker, beat, gateway, migrate"),
        ("hq", ["gateway"], "HQ has no gateway role"),
        ("hq", ["check"], "HQ has no check role"),
        ("store", [], "usage: entrypoint.py"),
        ("store", ["web", "extra"], "usage: entrypoint.py"),
    ],
)
def test_bad_roles_and_projects_are_refused(project: str, argv: list[str], message: str) -> None:
    done = subprocess.run([*ENTRYPOINT, *argv], capture_output=True, text=True, check=False,
                          env={"PATH": os.environ["PATH"], "EDGE_PROJECT": project,
                               "SECRET_KEY": SECRET, "DATABASE_URL": "sqlite:///x"})  # fmt: skip
    assert done.returncode == 2 and message in done.stderr


def test_development_settings_are_refused(tmp_path: Path) -> None:
    env = {"PATH": os.environ["PATH"], "EDGE_PROJECT": "store", "SECRET_KEY": SECRET,
           "APP_ENV": "development"}  # fmt: skip
    done = run("web", env)
    assert done.returncode == 2 and "production settings only" in done.stderr


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    url, process = redis_for(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
                             data_dir=tmp_path / "redis")  # fmt: skip
    yield url
    if process is not None:
        process.terminate()


def running(name: str, role: str, env: dict[str, str], log: Path, expect: str) -> None:
    """Start a long-running role, see it come up (its log says so), stop it."""
    service = Service(name, [*ENTRYPOINT, role], env, log).start()
    try:
        deadline = time.monotonic() + 60
        while expect not in log.read_text(errors="replace"):
            assert service.alive(), f"{name} exited:\n{log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"{name} did not start:\n{log.read_text()[-2000:]}"
            time.sleep(0.3)
        time.sleep(2)
        assert service.alive(), f"{name} stopped after starting:\n{log.read_text()[-2000:]}"
    finally:
        service.stop()


PAGES = {"store": "/pos/sign-in", "hq": "/login/"}


def served_over_https_only(base: str, page: str) -> None:
    """Production web: plain HTTP is sent to HTTPS (but the probes), HTTPS pages carry HSTS."""
    with httpx.Client(base_url=base, headers={"Host": "localhost"}) as client:
        plain = client.get(page)
        assert plain.status_code == 301 and plain.headers["Location"] == f"https://localhost{page}"
        assert client.get("/health").status_code == 200
        tls = client.get(page, headers={"X-Forwarded-Proto": "https"})
        assert tls.status_code in (200, 302), tls.text[:300]
        assert tls.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "default-src 'none'" in tls.headers["Content-Security-Policy"]


def test_every_role_starts_with_production_settings(tmp_path: Path, redis_url: str) -> None:
    with hq_database(tmp_path) as hq_db:
        base = {"PATH": os.environ["PATH"], "SECRET_KEY": SECRET, "REDIS_URL": redis_url,
                "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}  # fmt: skip
        hq = {**base, "EDGE_PROJECT": "hq", "DATABASE_URL": hq_db, "VAR_DIR": str(tmp_path / "hq"),
              "CELERY_QUEUE": f"hq_{tmp_path.name}"}  # fmt: skip
        store = {**base, "EDGE_PROJECT": "store", "VAR_DIR": str(tmp_path / "store"),
                 "DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}", "STORE_ID": "S0001",
                 "STORE_KEY": "k1." + "x" * 40, "HQ_URL": "http://127.0.0.1:9",
                 "CELERY_QUEUE": f"store_{tmp_path.name}",
                 "REDIS_KEY_PREFIX": f"entrypoint_{tmp_path.name}"}  # fmt: skip
        for env in (hq, store):
            migrated = run("migrate", env)
            assert migrated.returncode == 0, migrated.stderr
        for name, env in (("hq", hq), ("store", store)):
            port = free_port()
            web = Service(f"{name}-web", [*ENTRYPOINT, "web"],
                          {**env, "PORT": str(port), "BEHIND_TLS_PROXY": "true"},
                          tmp_path / f"{name}-web.log").start()  # fmt: skip
            try:
                wait_http(f"http://127.0.0.1:{port}/ready", service=web, timeout=60)
                served_over_https_only(f"http://127.0.0.1:{port}", PAGES[name])
            finally:
                web.stop()
            running(f"{name}-worker", "worker", env, tmp_path / f"{name}-worker.log", "[queues]")
            running(f"{name}-beat", "beat", env, tmp_path / f"{name}-beat.log", "is starting")
        running("store-gateway", "gateway", store, tmp_path / "gateway.log", "device(s) running")
        checked = run("check", store)
        assert checked.returncode == 0 and "healthy" in checked.stdout, checked.stderr
