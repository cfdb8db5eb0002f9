"""Migrations run forward on a store database of the previous layout, with sales in it: no
row moves, the upgraded store signs its cashier in, rings the next sale in the open shift
after the last seq and sale number, and keeps every grant of a moved model's permission."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.processes import ROOT


def test_a_store_of_the_previous_layout_upgrades_and_sells_on(tmp_path: Path) -> None:
    env = {**os.environ, "APP_ENV": "development", "VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "store_edge.settings",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite3'}"}  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-m", "tests.store_edge.previous_layout"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["lane"] == 1 and seen["signed_in"] == "12" and seen["devices"] == [1]
    assert seen["old_sale"] == [1, True, "completed", 1, 1, 1]
    assert seen["new_sale"] == "01-0000002" and seen["new_sale_in_shift"]
    assert seen["shift_sales"] == 2
    assert seen["resumed"] == "open"
    assert seen["ledger"] == {"last_seq": 4, "entries": 4}
    assert seen["group_permissions"] == ["staff.change_staffmember"]
