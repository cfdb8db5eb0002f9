"""HQ staff roles as Django groups, kept in step with the code after every migrate.

- HQ admin: everything (also give them is_staff to reach the admin).
- Merchandiser: master data — catalogue, prices, promotions, publishing, store deliveries.
- Analyst: the reports, read-only.
- Support: fleet health, stores and their keys (read), the conflict queue.
"""

from __future__ import annotations

from typing import Any

MERCHANDISER_APPS = ("hq_catalog", "hq_publishing")
ROLES: dict[str, list[str]] = {
    "Merchandiser": [f"{app}.*" for app in MERCHANDISER_APPS] + [
        "hq_stores.view_store", "hq_stores.add_announceddelivery",
        "hq_stores.change_announceddelivery", "hq_stores.view_announceddelivery"],
    "Analyst": ["hq_reporting.view_reports"],
    "Support": ["hq_reporting.view_fleet", "hq_stores.view_store", "hq_stores.view_storekey",
                "hq_stores.view_storeheartbeat", "hq_reconciliation.view_conflict",
                "hq_reconciliation.change_conflict"],
    "HQ admin": ["*"],
}  # fmt: skip


def roles_ensure(**_: Any) -> None:
    """Create or refresh the role groups with exactly the permissions above."""
    from django.contrib.auth.models import Group, Permission

    every = Permission.objects.select_related("content_type")
    for name, wanted in ROLES.items():
        group = Group.objects.get_or_create(name=name)[0]
        chosen = [
            p for p in every
            if any(_matches(f"{p.content_type.app_label}.{p.codename}", w) for w in wanted)
        ]  # fmt: skip
        group.permissions.set(chosen)


def _matches(permission: str, wanted: str) -> bool:
    if wanted == "*":
        return True
    app, codename = wanted.split(".")
    return permission.startswith(f"{app}.") if codename == "*" else permission == wanted
