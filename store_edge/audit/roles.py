"""The store's admin roles as Django groups, kept in step after every migrate. Cashiers have
no admin account at all (they sign in at the lane with their PIN).

- Store manager: everything in the store's admin (HQ's master data stays read-only).
- Supervisor: reads sales, shifts, stock, sync and alerts; approves (posts) stock counts,
  deliveries, waste and adjustments; cannot edit staff, lanes, rules or anything else.
"""

from __future__ import annotations

from typing import Any

STORE_APPS = (
    "lanes", "staff", "peripherals", "baskets", "sales", "shifts", "ledger", "inventory", "sync",
    "monitoring", "catalog", "audit",
)  # fmt: skip
ROLES: dict[str, list[str]] = {
    "Store manager": [f"{app}.*" for app in STORE_APPS],
    "Supervisor": [f"{app}.view_*" for app in STORE_APPS] + [
        "inventory.add_stockdocument", "inventory.change_stockdocument",
        "inventory.receive_delivery", "inventory.count_stock", "inventory.adjust_stock",
        "inventory.record_waste",
    ],
}  # fmt: skip


def roles_ensure(**_: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    every = list(Permission.objects.select_related("content_type"))
    for name, wanted in ROLES.items():
        group = Group.objects.get_or_create(name=name)[0]
        group.permissions.set([p for p in every if any(
            _matches(p.content_type.app_label, p.codename, w) for w in wanted)])  # fmt: skip


def _matches(app: str, codename: str, wanted: str) -> bool:
    wanted_app, wanted_code = wanted.split(".")
    if wanted_app != app:
        return False
    if wanted_code.endswith("*"):
        return codename.startswith(wanted_code[:-1])
    return codename == wanted_code
