"""Start the real processes of the system for end-to-end tests and benchmarks.

HQ runs on PostgreSQL when HQ_DATABASE_URL is set (a fresh database per run), else on
SQLite; the store runs on SQLite; Celery uses REDIS_URL when it answers, else an
embedded Redis. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from deploy.local.redis_server import free_port, redis_for

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(APP_ENV="development", PYTHONUNBUFFERED="1", LOG_LEVEL="WARNING")
    env.update(extra)
    return env


# Databases prepared once per test run and copied for each system: a migrate (and HQ's
# catalogue import) costs seconds of every start, and the end-to-end tests start a dozen
# systems. Migrations themselves still run: for the first copy, and in the entry point's
# migrate test and the recovery test's new box.
_prepared: dict[str, str] = {}


def _prepare(settings: str, url: str, catalog: Path | None) -> None:
    env = base_env(DATABASE_URL=url, VAR_DIR=tempfile.mkdtemp(prefix="prepared-"))
    manage(settings, "migrate", "--no-input", "-v0", env=env)
    if catalog is not None:
        manage(settings, "import_catalog", str(catalog), "--publish", env=env)


def _prepared_sqlite(settings: str, target: Path, catalog: Path | None = None) -> None:
    key = f"{settings}:{catalog}"
    if key not in _prepared:
        template = Path(tempfile.mkdtemp(prefix="prepared-")) / "db.sqlite3"
        _prepare(settings, f"sqlite:///{template}", catalog)
        _prepared[key] = str(template)
    with sqlite3.connect(_prepared[key]) as source, sqlite3.connect(target) as copy:
        source.backup(copy)


def _prepared_template(admin_url: str, server: str, catalog: Path) -> str:
    """The name of a PostgreSQL database holding HQ migrated, with `catalog` imported and
    published, made once per run."""
    key = f"hq:{catalog}"
    if key not in _prepared:
        name = f"hq_template_{os.getpid()}_{secrets.token_hex(4)}"
        import psycopg

        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        atexit.register(_drop_database, admin_url, name)  # even if preparing it fails
        _prepare("cloud_hq.settings", urlunsplit(urlsplit(server)._replace(path=f"/{name}")),
                 catalog)  # fmt: skip
        _prepared[key] = name
    return _prepared[key]


def _drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def hq_database(tmp: Path, *, catalog: Path | None = None) -> Iterator[str]:
    """Yield a DATABASE_URL for a fresh HQ database, dropped afterwards when on PostgreSQL.
    Given a catalogue, the database comes migrated with it imported and published."""
    server = os.environ.get("HQ_DATABASE_URL", "")
    if not server.startswith("postgres"):
        if catalog is not None:
            _prepared_sqlite("cloud_hq.settings", tmp / "hq.sqlite3", catalog)
        yield f"sqlite:///{tmp / 'hq.sqlite3'}"
        return
    import psycopg

    name = f"hq_e2e_{os.getpid()}_{secrets.token_hex(4)}"
    parts = urlsplit(server)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    template = "" if catalog is None else (
        f' TEMPLATE "{_prepared_template(admin_url, server, catalog)}"'
    )  # fmt: skip
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{template}')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        _drop_database(admin_url, name)


def manage(
    settings: str,
    *args: str,
    env: dict[str, str],
    check: bool = True,
    prefix: Sequence[str] = (),
    timeout: float = 600,
) -> str:
    """Run a management command of the store or HQ and return its standard output."""
    result = subprocess.run(
        [*prefix, PYTHON, str(ROOT / "manage.py"), *args],
        env={**env, "DJANGO_SETTINGS_MODULE": settings},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Service:
        with self.log.open("ab") as handle:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                self.argv, env=self.env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    def kill9(self) -> None:
        """Kill the whole process group at once, as a power cut would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill9()

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None


def wait_http(url: str, *, timeout: float = 30.0, service: Service | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service is not None and not service.alive():
            raise RuntimeError(f"{service.name} exited:\n{service.log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def gunicorn(module: str, port: int, workers: int = 2) -> list[str]:
    return [
        str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), f"{module}.wsgi",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "60",
    ]  # fmt: skip


@dataclass
class System:
    """HQ and one store, each under gunicorn, with the store's Celery worker and beat on demand."""

    tmp: Path
    hq_db: str
    redis_url: str
    catalog: Path
    sync_interval: int = 5
    store_env_extra: dict[str, str] = field(default_factory=dict)
    store_clock_skew: str = ""  # e.g. "+3h": every store process runs under faketime
    hq_proxy_port: int = 0  # the store reaches HQ through this port when set
    services: dict[str, Service] = field(default_factory=dict)
    store_id: str = ""
    store_key: str = ""
    lane_token: str = ""
    hq_port: int = 0
    store_port: int = 0
    hq_prepared: bool = False  # HQ's database came migrated with the catalogue published

    @property
    def hq_env(self) -> dict[str, str]:
        return base_env(DATABASE_URL=self.hq_db, VAR_DIR=str(self.tmp / "hq"),
                        REDIS_URL=self.redis_url)  # fmt: skip

    @property
    def store_env(self) -> dict[str, str]:
        return base_env(
            DATABASE_URL=f"sqlite:///{self.tmp / 'store' / 'store.sqlite3'}",
            VAR_DIR=str(self.tmp / "store"),
            REDIS_URL=self.redis_url,
            CELERY_QUEUE=f"store_edge_{self.tmp.name}",
            REDIS_KEY_PREFIX=f"test_{self.tmp.name}_{os.getpid()}",
            HQ_URL=f"http://127.0.0.1:{self.hq_proxy_port or self.hq_port}",
            STORE_ID=self.store_id,
            STORE_KEY=self.store_key,
            SYNC_INTERVAL_SECONDS=str(self.sync_interval),
            **self.store_env_extra,
        )

    @property
    def hq_url(self) -> str:
        return f"http://127.0.0.1:{self.hq_port}"

    @property
    def store_url(self) -> str:
        return f"http://127.0.0.1:{self.store_port}"

    def hq_manage(self, *args: str) -> str:
        return manage("cloud_hq.settings", *args, env=self.hq_env)

    @property
    def store_prefix(self) -> list[str]:
        return ["faketime", "-f", self.store_clock_skew] if self.store_clock_skew else []

    def store_manage(self, *args: str) -> str:
        return manage("store_edge.settings", *args, env=self.store_env, prefix=self.store_prefix)

    def prepare_hq(self) -> None:
        self.hq_port, self.store_port = free_port(), free_port()
        if not self.hq_prepared:
            self.hq_manage("migrate", "--no-input", "-v0")
            self.hq_manage("import_catalog", str(self.catalog), "--publish")
        self.store_id, self.store_key = self.register_store()

    def register_store(self, name: str = "Test store") -> tuple[str, str]:
        """Register a store at HQ and return its id and key."""
        printed = self.hq_manage("register_store", "--name", name).split()
        registered = dict(line.split("=", 1) for line in printed)
        return registered["STORE_ID"], registered["STORE_KEY"]

    def prepare(self) -> None:
        self.prepare_hq()
        (self.tmp / "store").mkdir(exist_ok=True)
        _prepared_sqlite("store_edge.settings", self.tmp / "store" / "store.sqlite3")
        self.lane_token = self.store_manage("issue_lane_token", "--lane", "1").strip()

    def service(self, name: str) -> Service:
        logs = self.tmp / "logs"
        logs.mkdir(exist_ok=True)
        celery = [str(BIN / "celery"), "-A", "store_edge"]
        queue = f"store_edge_{self.tmp.name}"
        specs: dict[str, tuple[list[str], dict[str, str]]] = {
            "hq": (gunicorn("cloud_hq", self.hq_port), self.hq_env),
            "store": (gunicorn("store_edge", self.store_port), self.store_env),
            "worker": (
                celery + ["worker", "--pool", "solo", "-Q", queue, "--loglevel", "INFO",
                          "-n", f"w{secrets.token_hex(3)}@%h"],
                self.store_env,
            ),
            "gateway": (
                [PYTHON, str(ROOT / "manage.py"), "run_devices", "--reload-every", "1"],
                {**self.store_env, "DJANGO_SETTINGS_MODULE": "store_edge.settings"},
            ),
            "beat": (
                celery + ["beat", "--loglevel", "INFO",
                          "-s", str(self.tmp / f"beat-{secrets.token_hex(3)}")],
                self.store_env,
            ),
        }  # fmt: skip
        argv, env = specs[name.split("#")[0]]
        if name.split("#")[0] != "hq":
            argv = [*self.store_prefix, *argv]
        return Service(name, argv, env, logs / f"{name}.log")

    def start(self, name: str) -> Service:
        service = self.service(name).start()
        self.services[name] = service
        if name == "hq":
            wait_http(f"{self.hq_url}/ready", service=service)
        elif name.split("#")[0] == "store":
            wait_http(f"{self.store_url}/ready", service=service)
        return service

    def stop_all(self) -> None:
        for service in self.services.values():
            service.stop()

    def lane(self) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.store_url}/api/v1",
            headers={"Authorization": f"Bearer {self.lane_token}"},
            timeout=30,
        )

    def hq_summary(self) -> dict[str, Any]:
        return json.loads(self.hq_manage("ledger_summary", "--store", self.store_id))

    def store_summary(self) -> dict[str, Any]:
        return json.loads(self.store_manage("ledger_summary"))


@contextmanager
def running_hq(tmp: Path, catalog: Path) -> Iterator[System]:
    """HQ alone under gunicorn, with the catalogue imported and published."""
    with hq_database(tmp, catalog=catalog) as hq_db:
        system = System(tmp=tmp, hq_db=hq_db, redis_url="", catalog=catalog, hq_prepared=True)
        system.prepare_hq()
        system.start("hq")
        try:
            yield system
        finally:
            system.stop_all()


@contextmanager
def running_system(
    tmp: Path, catalog: Path, *, redis_db: int | None = None, **options: Any
) -> Iterator[System]:
    """HQ and a store prepared (not started). `redis_db` gives the store a Redis database
    of its own (a test that flushes it then touches nothing else)."""
    redis_url, redis_process = redis_for(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), data_dir=tmp / "redis"
    )
    if redis_db is not None:
        parts = urlsplit(redis_url)
        redis_url = urlunsplit(parts._replace(path=f"/{redis_db}"))
    try:
        with hq_database(tmp, catalog=catalog) as hq_db:
            system = System(tmp=tmp, hq_db=hq_db, redis_url=redis_url, catalog=catalog,
                            hq_prepared=True, **options)  # fmt: skip
            system.prepare()
            try:
                yield system
            finally:
                system.stop_all()
    finally:
        if redis_process is not None:
            redis_process.kill()
            redis_process.wait()
