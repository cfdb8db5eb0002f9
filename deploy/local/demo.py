"""`make demo`: the whole system on this machine, with demo data, until Ctrl-C.

HQ on :8000 and the store on :8001 (both gunicorn), the store's Celery worker and beat,
HQ's Celery worker, and Redis (REDIS_URL if it answers, else an embedded one). Data lives
in var/demo and is reused on the next run.
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
from honcho.manager import Manager
from honcho.printer import Printer

from deploy.local.redis_server import redis_for

ROOT = Path(__file__).resolve().parents[2]
VAR = Path(os.environ.get("DEMO_DIR", ROOT / "var" / "demo"))
BIN = Path(sys.executable).parent
HQ_PORT = int(os.environ.get("HQ_PORT", "8000"))
STORE_PORT = int(os.environ.get("STORE_PORT", "8001"))
PRINTER_PORT = int(os.environ.get("PRINTER_PORT", "9100"))  # lane 1's receipt printer
TERMINAL_PORT = int(os.environ.get("TERMINAL_PORT", "20007"))  # lane 1's ZVT terminal
DEMO_PRODUCTS = os.environ.get("DEMO_PRODUCTS", "5000")
ADMIN_PASSWORD = "demo-admin-password"  # noqa: S105 - printed for the demo's operator
DEMO_STAFF = [
    ("12", "Chris Cashier", "cashier", "1234"),
    ("77", "Sam Supervisor", "supervisor", "4321"),
]


def _env(settings: str, **extra: str) -> dict[str, str]:
    """A demo process's environment: the databases are the settings' defaults under VAR_DIR
    (var/demo/hq/hq.sqlite3, var/demo/store/store.sqlite3), so the same variables serve
    both projects (see env.sh)."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    env.update(APP_ENV="development", DJANGO_SETTINGS_MODULE=settings)
    env.update(extra)
    return env


SHARED = ("APP_ENV", "VAR_DIR", "SECRET_KEY", "REDIS_URL", "HQ_URL", "STORE_ID", "STORE_KEY")


def shell_env(store: dict[str, str]) -> Path:
    """Write var/demo/env.sh: sourced in another terminal, the README's commands (the store's
    `python manage.py …`, HQ's with DJANGO_SETTINGS_MODULE=cloud_hq.settings) run against
    the running demo's data."""
    path = VAR / "env.sh"
    exports = " ".join(f"{name}={shlex.quote(store[name])}" for name in SHARED)
    path.write_text(
        "# The demo's settings, for the README's commands: . var/demo/env.sh\n"
        "unset DJANGO_SETTINGS_MODULE DATABASE_URL\n"
        f"export {exports}\n"
        f"export PATH={shlex.quote(str(BIN))}:$PATH\n"
    )
    path.chmod(0o600)
    return path


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [str(BIN / "python"), str(ROOT / "manage.py"), *args],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def _remembered(path: Path, produce: Callable[[], str]) -> str:
    """Return the text kept in `path`, producing and keeping it on the first run."""
    if not path.exists():
        path.write_text(produce())
        path.chmod(0o600)
    return path.read_text().strip()


def prepare(redis_url: str) -> tuple[dict[str, str], dict[str, str], str]:
    """Migrate, import the catalogue, register the store and a lane; return envs and token."""
    (VAR / "hq").mkdir(parents=True, exist_ok=True)
    (VAR / "store").mkdir(parents=True, exist_ok=True)
    secret = _remembered(VAR / "secret_key", lambda: secrets.token_urlsafe(50))
    hq = _env("cloud_hq.settings", VAR_DIR=str(VAR), REDIS_URL=redis_url, SECRET_KEY=secret)
    print("• HQ: migrating", flush=True)
    _manage(hq, "migrate", "--no-input", "-v0")
    catalogue = VAR / "catalogue.json"

    def import_catalogue() -> str:
        print(f"• HQ: importing a demo catalogue of {DEMO_PRODUCTS} products", flush=True)
        _manage(hq, "generate_demo_catalog", "--products", DEMO_PRODUCTS, "--out", str(catalogue))
        return _manage(hq, "import_catalog", str(catalogue), "--publish")

    _remembered(VAR / "hq" / "catalogue-imported", import_catalogue)
    credentials = dict(
        line.split("=", 1)
        for line in _remembered(
            VAR / "store.env", lambda: _manage(hq, "register_store", "--name", "Demo store")
        ).split()
    )
    store = _env("store_edge.settings", VAR_DIR=str(VAR), REDIS_URL=redis_url, SECRET_KEY=secret,
                 HQ_URL=f"http://127.0.0.1:{HQ_PORT}", **credentials)  # fmt: skip
    print("• store: migrating", flush=True)
    _manage(store, "migrate", "--no-input", "-v0")
    token = _remembered(
        VAR / "lane1.token", lambda: _manage(store, "issue_lane_token", "--lane", "1")
    )
    for env, marker in ((hq, "hq"), (store, "store")):
        _remembered(VAR / marker / "admin-created", lambda env=env: _admin(env))
    devices = VAR / "devices"
    devices.mkdir(exist_ok=True)
    lane1 = [("scale", "toledo8217", devices / "lane1-scale"),
             ("scanner", "serial_scanner", devices / "lane1-scanner"),
             ("printer", "escpos", f"127.0.0.1:{PRINTER_PORT}"),
             ("terminal", "zvt", f"127.0.0.1:{TERMINAL_PORT}"),
             ("display", "escpos_display", devices / "lane1-display")]  # fmt: skip
    for kind, protocol, link in lane1:
        _remembered(
            VAR / "store" / f"device-{kind}",
            lambda kind=kind, protocol=protocol, link=link: _manage(
                store, "add_lane_device", "--lane", "1", "--kind", kind, "--protocol",
                protocol, "--port", str(link),
            ),
        )  # fmt: skip
    for code, name, role, pin in DEMO_STAFF:
        _remembered(
            VAR / "store" / f"staff-{code}",
            lambda code=code, name=name, role=role, pin=pin: _manage(
                {**store, "STAFF_PIN": pin}, "create_staff", "--code", code, "--name", name,
                "--role", role,
            ),
        )  # fmt: skip
    shell_env(store)
    return hq, store, token


def _admin(env: dict[str, str]) -> str:
    _manage({**env, "DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD}, "createsuperuser",
            "--no-input", "--username", "admin", "--email", "admin@example.com")  # fmt: skip
    return "admin"


def first_pull(store: dict[str, str]) -> None:
    """Pull the catalogue as soon as HQ answers, rather than at the first beat tick."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{HQ_PORT}/ready", timeout=1).status_code == 200:
                print(_manage(store, "sync_now", "--pull-only").strip(), flush=True)
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)


def main() -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    redis_url, redis_process = redis_for(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), data_dir=VAR / "redis"
    )
    print(f"• Redis: {redis_url}" + (" (embedded)" if redis_process else ""), flush=True)
    hq, store, token = prepare(redis_url)
    celery = f"{BIN / 'celery'}"
    gunicorn = f"{BIN / 'gunicorn'} -c {ROOT / 'deploy' / 'gunicorn.conf.py'}"
    hq_beat = VAR / "hq" / "celerybeat-schedule"
    processes = {
        "hq": (f"{gunicorn} cloud_hq.wsgi -b 127.0.0.1:{HQ_PORT}", hq),
        "hq-worker": (
            f"{celery} -A cloud_hq worker -B -s {hq_beat} --pool solo -Q cloud_hq -l INFO",
            hq,
        ),
        "store": (f"{gunicorn} store_edge.wsgi -b 127.0.0.1:{STORE_PORT}", store),
        "store-worker": (f"{celery} -A store_edge worker --pool solo -Q store_edge -l INFO", store),
        "store-beat": (f"{celery} -A store_edge beat -l INFO", store),
        "gateway": (f"{BIN / 'python'} {ROOT / 'manage.py'} run_devices", store),
        "scale-sim": (
            f"{BIN / 'python'} -m devices simulate scale --protocol toledo8217 "
            f"--link {VAR / 'devices' / 'lane1-scale'} --weight 0.512",
            store,
        ),
        "scanner-sim": (
            f"{BIN / 'python'} -m devices simulate scanner "
            f"--link {VAR / 'devices' / 'lane1-scanner'}",
            store,
        ),
        "printer-sim": (
            f"{BIN / 'python'} -m devices simulate printer --tcp-port {PRINTER_PORT} "
            f"--out {VAR / 'printed'}",
            store,
        ),
        "terminal-sim": (
            f"{BIN / 'python'} -m devices simulate terminal --tcp-port {TERMINAL_PORT} "
            "--mode approve",
            store,
        ),
        "display-sim": (
            f"{BIN / 'python'} -m devices simulate display "
            f"--link {VAR / 'devices' / 'lane1-display'} --out {VAR / 'pole-display.txt'}",
            store,
        ),
    }
    manager = Manager(Printer(sys.stdout))
    for name, (command, env) in processes.items():
        manager.add_process(name, command, env=env, cwd=str(ROOT))
    threading.Thread(target=first_pull, args=(store,), daemon=True).start()
    print(
        f"""
  HQ          http://127.0.0.1:{HQ_PORT}/admin/   (admin / {ADMIN_PASSWORD})
  HQ reports  http://127.0.0.1:{HQ_PORT}/reports/   and fleet health at /fleet/
  HQ API      http://127.0.0.1:{HQ_PORT}/api/v1/docs
  Store       http://127.0.0.1:{STORE_PORT}/admin/   (admin / {ADMIN_PASSWORD})
  Lane API    http://127.0.0.1:{STORE_PORT}/api/v1/docs
  Lane page   http://127.0.0.1:{STORE_PORT}/pos/   (paste the lane 1 token below once)
  Lane 1      Authorization: Bearer {token}
  Staff       cashier 12 / PIN 1234, supervisor 77 / PIN 4321
  Devices     lane 1: a simulated Toledo 8217 scale (0.512 kg) and serial scanner
              under {VAR / "devices"}; add bananas (PLU 4011) without a weight;
              a receipt printer on 127.0.0.1:{PRINTER_PORT}: what it prints is in
              {VAR / "printed"}/receipt-NNNNN.txt; a ZVT card terminal on
              127.0.0.1:{TERMINAL_PORT} that approves every card; a 2x20 pole
              display whose screen is in {VAR / "pole-display.txt"}
  Store id    {store["STORE_ID"]}    sync every {store.get("SYNC_INTERVAL_SECONDS", "300")} s
  Data        {VAR}   (Ctrl-C stops everything; the next run reuses it)
  Commands    in another terminal: . {VAR / "env.sh"}   then the README's manage.py commands
              (ledger_summary, sync_now, issue_lane_token, …) run against this demo
""",
        flush=True,
    )
    try:
        manager.loop()
    finally:
        if redis_process is not None:
            redis_process.terminate()
            redis_process.wait(timeout=10)
    sys.exit(manager.returncode)


if __name__ == "__main__":
    main()
