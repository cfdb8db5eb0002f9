"""The store's settings: durable SQLite, and no production start with a default secret."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_sqlite_is_durable_and_waits_for_the_write_lock() -> None:
    with connection.cursor() as cursor:
        assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert cursor.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert connection.transaction_mode == "IMMEDIATE"
    assert connection.settings_dict["CONN_MAX_AGE"] is None


@pytest.mark.parametrize("settings_module", ["store_edge.settings", "cloud_hq.settings"])
@pytest.mark.parametrize("secret", [None, "", "insecure-development-key-for-the-store-node"])
def test_production_refuses_to_start_without_its_own_secret(
    settings_module: str, secret: str | None, tmp_path: Path
) -> None:
    env = {"PATH": "/usr/bin:/bin", "APP_ENV": "production", "VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": settings_module}  # fmt: skip
    if secret is not None:
        env["SECRET_KEY"] = secret
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_starts_with_a_secret(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "APP_ENV": "production", "VAR_DIR": str(tmp_path),
           "SECRET_KEY": "a-real-secret-" + "x" * 40,
           "DJANGO_SETTINGS_MODULE": "store_edge.settings"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('up')"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "up"


def test_the_store_refuses_a_database_other_than_sqlite(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "APP_ENV": "development", "VAR_DIR": str(tmp_path),
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/store",
           "DJANGO_SETTINGS_MODULE": "store_edge.settings"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "SQLite" in result.stderr


def test_health_and_ready_answer(client: object, db: None) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json() == {"status": "ready"}
