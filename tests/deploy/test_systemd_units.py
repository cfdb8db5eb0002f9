"""The systemd alternative: one unit per store role, each through the entry point with a role
it knows, as the store's own user, memory-capped, restarted when it dies."""

from __future__ import annotations

import configparser
from pathlib import Path

from deploy.entrypoint import ROLES

UNITS = sorted((Path(__file__).parents[2] / "deploy" / "systemd").glob("*.service"))


def test_one_unit_per_store_role() -> None:
    roles = set()
    for path in UNITS:
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.read(path)
        service = unit["Service"]
        role = service["ExecStart"].split()[-1]
        assert role in ROLES and service["ExecStart"].split()[-2] == "deploy/entrypoint.py"
        roles.add(role)
        assert service["User"] == "store-edge" and service["Restart"] == "always"
        assert "EDGE_PROJECT=store" in service["Environment"]
        assert service["MemoryMax"].endswith("M") and int(service["MemoryMax"][:-1]) <= 256
        assert service["NoNewPrivileges"] == "true"
    assert roles == {"web", "worker", "beat", "gateway"}
