"""Nonces are remembered while a request carrying them could still be replayed."""

from datetime import timedelta

from django.utils import timezone

from cloud_hq.stores.models import Store, UsedNonce
from cloud_hq.stores.services import nonces_prune
from tests.cloud_hq.conftest import StoreClient


def test_nonces_older_than_twice_the_window_are_forgotten(hq: StoreClient, settings) -> None:
    # Given a 300 s window, and nonces seen 11 minutes, 9 minutes and just now
    settings.SIGNATURE_WINDOW_SECONDS = 300
    store = Store.objects.get(code=hq.credentials.store_id)
    now = timezone.now()
    for nonce, age in [("a" * 16, 660), ("b" * 16, 540)]:
        UsedNonce.objects.create(store=store, nonce=nonce, seen_at=now - timedelta(seconds=age))
    assert hq.push([]).status_code == 200

    # When nonces are pruned
    pruned = nonces_prune()

    # Then only the one older than 600 s is forgotten
    assert pruned == 1
    assert UsedNonce.objects.filter(nonce="a" * 16).count() == 0
    assert UsedNonce.objects.count() == 2
