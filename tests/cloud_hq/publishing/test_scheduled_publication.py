"""Scheduled publication: HQ's beat publishes a due schedule once, whatever runs it twice;
a schedule not yet due waits; HQ notes when each store last asked for its config."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from cloud_hq.publishing import services
from cloud_hq.publishing.models import ConfigVersion, ScheduledPublication
from cloud_hq.publishing.tasks import scheduled_publish
from cloud_hq.stores.models import Store
from tests.cloud_hq.conftest import StoreClient, catalog_document


def test_a_due_schedule_is_published_once(import_catalog: Any) -> None:
    import_catalog(catalog_document())
    now = timezone.now()
    due = ScheduledPublication.objects.create(publish_at=now - timedelta(minutes=1))
    also_due = ScheduledPublication.objects.create(publish_at=now - timedelta(seconds=5))
    later = ScheduledPublication.objects.create(publish_at=now + timedelta(hours=8))
    assert scheduled_publish() == [1]
    assert scheduled_publish() == []  # a second beat: nothing left
    assert ConfigVersion.objects.count() == 1
    for schedule in (due, also_due):
        schedule.refresh_from_db()
        assert schedule.published is not None and schedule.published.version == 1
    later.refresh_from_db()
    assert later.published is None


def test_a_merchandiser_schedules_and_cannot_change_a_done_one(
    client: Client, import_catalog: Any
) -> None:
    import_catalog(catalog_document())
    user = User.objects.create_user("mia", password="x" * 12, is_staff=True)
    user.groups.add(Group.objects.get(name="Merchandiser"))
    client.force_login(user)
    form = {"publish_at_0": "2026-12-01", "publish_at_1": "03:00:00", "note": "December prices"}
    answer = client.post("/admin/hq_publishing/scheduledpublication/add/", form)
    assert answer.status_code == 302
    schedule = ScheduledPublication.objects.get()
    assert schedule.created_by == "mia"
    bad = client.post("/admin/hq_publishing/scheduledpublication/add/", {
        "publish_at_0": "tomorrow", "publish_at_1": "03:00:00"})  # fmt: skip
    assert b"Enter a valid date." in bad.content
    assert ScheduledPublication.objects.count() == 1
    assert services.scheduled_publish(now=schedule.publish_at) == [1]
    url = f"/admin/hq_publishing/scheduledpublication/{schedule.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403


def test_hq_notes_when_a_store_last_asked_for_its_config(
    hq: StoreClient, import_catalog: Any
) -> None:
    import_catalog(catalog_document(), "--publish")
    assert Store.objects.get(code="S0001").config_checked_at is None
    assert hq.get("config").status_code == 200
    checked = Store.objects.get(code="S0001").config_checked_at
    assert checked is not None and timezone.now() - checked < timedelta(seconds=5)
