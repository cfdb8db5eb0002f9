"""HQ: master data, publishing, exactly-once ingest of what the stores report."""

from cloud_hq.celery import app as celery_app

__all__ = ("celery_app",)
