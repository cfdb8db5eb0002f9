"""HQ's Celery app (housekeeping; ingest itself runs in the web request)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cloud_hq.settings")

app = Celery("cloud_hq")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
