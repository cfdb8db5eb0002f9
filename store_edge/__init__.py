"""The store node: sells offline, keeps the ledger, syncs with HQ."""

from store_edge.celery import app as celery_app

__all__ = ("celery_app",)
