"""The README's operator commands run against the demo's data once `var/demo/env.sh` (which
`make demo` writes) is sourced: the store's `python manage.py …` and HQ's
`DJANGO_SETTINGS_MODULE=cloud_hq.settings python manage.py …`, as written."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from tests.processes import PYTHON, ROOT

pytestmark = pytest.mark.e2e


def shell(demo: Path, command: str) -> str:
    """Run `command` in a fresh shell that sourced the demo's env.sh, as an operator would."""
    run = subprocess.run(
        ["bash", "-c", f". {demo / 'env.sh'} && {command}"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"),
             "DATABASE_URL": "sqlite:////nonexistent/elsewhere.sqlite3"},
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def test_the_readmes_commands_run_against_the_demo(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    env = {**os.environ, "DEMO_DIR": str(demo), "DEMO_PRODUCTS": "200"}
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    subprocess.run(
        [PYTHON, "-c", f"from deploy.local.demo import prepare; prepare({redis_url!r})"],
        cwd=ROOT, env=env, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    store_id = dict(line.split("=", 1) for line in (demo / "store.env").read_text().split())[
        "STORE_ID"
    ]
    at_store = json.loads(shell(demo, "python manage.py ledger_summary"))
    assert at_store["store_id"] == store_id
    hq = "DJANGO_SETTINGS_MODULE=cloud_hq.settings python manage.py"
    at_hq = json.loads(shell(demo, f"{hq} ledger_summary --store {store_id}"))
    assert at_hq["store_id"] == store_id
    token = shell(demo, "python manage.py issue_lane_token --lane 2").strip()
    with sqlite3.connect(demo / "store" / "store.sqlite3") as db:
        prefixes = [row[0] for row in db.execute(
            "SELECT t.prefix FROM sales_lanetoken t JOIN sales_lane l ON l.id = t.lane_id"
            " WHERE l.number = 2")]  # fmt: skip
    assert prefixes == [token[:8]]
    shell(demo, "STAFF_PIN=2468 python manage.py create_staff --code 31 --name Ana --role cashier")
    with sqlite3.connect(demo / "store" / "store.sqlite3") as db:
        assert db.execute("SELECT name FROM sales_staffmember WHERE code = '31'").fetchall() == [
            ("Ana",)
        ]
