"""Helpers for the migrations that moved models from one app to another without moving a
row: the tables keep their names (`Meta.db_table`), the migration state moves, and the
content types (what permissions, groups and the admin's log point at) are relabelled."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import migrations


def content_types_moved(*, models: Iterable[str], old_app: str, new_app: str) -> Any:
    """A reversible RunPython that relabels the moved models' content types, keeping their
    permissions (and so every group's and user's grant of them)."""
    names = tuple(models)

    def relabel(apps: Any, frm: str, to: str) -> None:
        content_type = apps.get_model("contenttypes", "ContentType")
        held = set(
            content_type.objects.filter(app_label=to, model__in=names).values_list(
                "model", flat=True
            )
        )
        content_type.objects.filter(app_label=frm, model__in=set(names) - held).update(app_label=to)

    return migrations.RunPython(
        lambda apps, schema_editor: relabel(apps, old_app, new_app),
        lambda apps, schema_editor: relabel(apps, new_app, old_app),
    )
