"""The store's Celery app: beat triggers sync, the worker runs it; SQLite holds the truth."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "store_edge.settings")

app = Celery("store_edge")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
