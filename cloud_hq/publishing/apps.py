from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save


class PublishingConfig(AppConfig):
    name = "cloud_hq.publishing"
    label = "hq_publishing"

    def ready(self) -> None:
        from cloud_hq.stores.models import Store

        post_save.connect(_store_saved, sender=Store, dispatch_uid="prior_prices_for_new_store")


def _store_saved(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    """A store registered after the newest publish gets that version's reductions too."""
    if created and not raw:
        from cloud_hq.publishing.prior_prices import prior_prices_for_store

        prior_prices_for_store(store=instance)
