"""How a push behaves when HQ misbehaves: retries with backoff, runs that back off, entries
HQ quarantines, seqs HQ holds with other content, a box whose clock is hours off, and the
progress a manager sees. HQ is played by httpx's MockTransport here; the real HQ is in
test_sync_with_hq.py and the fault-injection suite in tests/e2e."""

import gzip
import json
import time
from collections.abc import Callable
from datetime import timedelta
from email.utils import formatdate

import httpx
import pytest
from django.test import Client
from django.utils import timezone

from store_edge.celery import app as celery_app
from store_edge.sync import services
from store_edge.sync.client import HQClient, HQRefused, HQUnreachable, backoff_seconds
from store_edge.sync.models import SyncIssue, SyncState
from tests.store_edge.conftest import WATER, LaneClient

Handler = Callable[[httpx.Request], httpx.Response]


def entries_of(request: httpx.Request) -> list[dict]:
    body = request.content
    if request.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)["entries"]


def accept_all(request: httpx.Request) -> httpx.Response:
    seqs = [entry["seq"] for entry in entries_of(request)]
    return httpx.Response(200, json={"high_water_mark": max(seqs), "accepted": len(seqs),
                                     "duplicates": 0, "quarantined": []})  # fmt: skip


def client_for(handler: Handler, *, retries: int = 3, sleeps: list[float] | None = None,
               clock_offset: int = 0) -> HQClient:  # fmt: skip
    return HQClient(base_url="http://hq.invalid", store_id="S0001", store_key="k." + "x" * 40,
                    transport=httpx.MockTransport(handler), retries=retries,
                    clock_offset=clock_offset,
                    sleep=(sleeps.append if sleeps is not None else lambda s: None))  # fmt: skip


@pytest.fixture
def rung(lane_api: LaneClient) -> LaneClient:
    for _ in range(3):
        lane_api.ring([{"code": WATER}])  # 3 sales: seqs 1-6
    return lane_api


def test_network_errors_and_5xx_are_retried_with_growing_jittered_waits(rung: LaneClient) -> None:
    calls: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append("call")
        if len(calls) == 1:
            raise httpx.ConnectError("refused")
        if len(calls) == 2:
            return httpx.Response(503)
        return accept_all(request)

    sleeps: list[float] = []
    result = services.ledger_push(client=client_for(flaky, sleeps=sleeps))
    assert (result.acked_seq, len(calls)) == (6, 3)
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0
    assert SyncState.objects.get().failures == 0


def test_backoff_grows_to_its_cap_and_is_jittered(settings) -> None:  # type: ignore[no-untyped-def]
    settings.SYNC_BACKOFF_BASE_SECONDS, settings.SYNC_BACKOFF_MAX_SECONDS = 1.0, 60.0
    waits = [backoff_seconds(n) for n in range(10)]
    assert all(30.0 <= wait <= 60.0 for wait in waits[6:])
    assert len({round(backoff_seconds(3), 6) for _ in range(20)}) > 1


def test_a_run_that_fails_backs_the_beat_off_but_not_sync_now(rung: LaneClient) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    for expected_failures in (1, 2):
        with pytest.raises(HQUnreachable):
            services.ledger_push(client=client_for(down, retries=1))
        state = SyncState.objects.get()
        assert state.failures == expected_failures
        assert state.offline_since is not None and state.acked_seq == 0
    assert state.next_attempt_at is not None and state.next_attempt_at > timezone.now()
    assert not services.sync_due()
    assert services.sync_due(force=True)
    services.ledger_push(client=client_for(accept_all))
    state = SyncState.objects.get()
    assert (state.failures, state.next_attempt_at, state.acked_seq) == (0, None, 6)
    assert services.sync_due()


def test_entries_hq_quarantines_are_kept_and_the_rest_goes_on(rung: LaneClient) -> None:
    def quarantining(request: httpx.Request) -> httpx.Response:
        seqs = [entry["seq"] for entry in entries_of(request)]
        return httpx.Response(200, json={
            "high_water_mark": max(seqs), "accepted": len(seqs) - 1, "duplicates": 0,
            "quarantined": [{"seq": 3, "reason": "entry #3: unknown SKU"}]})  # fmt: skip

    services.ledger_push(client=client_for(quarantining))
    services.ledger_push(client=client_for(quarantining))  # told again: kept once
    assert list(SyncIssue.objects.values_list("kind", "seq", "reason")) == [
        ("quarantined", 3, "entry #3: unknown SKU")]  # fmt: skip
    assert SyncState.objects.get().acked_seq == 6
    status = rung.get("/sync/status")[1]
    assert (status["quarantined"], status["conflicts"], status["pending_entries"]) == (1, 0, 0)


def test_a_conflict_is_reported_and_stops_the_push(rung: LaneClient) -> None:
    def conflicting(request: httpx.Request) -> httpx.Response:
        return httpx.Response(409, json={"detail": "seq 2 already held with different content",
                                         "high_water_mark": 1, "conflicts": [2]})  # fmt: skip

    with pytest.raises(HQRefused) as refused:
        services.ledger_push(client=client_for(conflicting))
    assert refused.value.status == 409
    assert list(SyncIssue.objects.values_list("kind", "seq")) == [("conflict", 2)]
    assert SyncState.objects.get().acked_seq == 0
    assert rung.get("/sync/status")[1]["conflicts"] == 1


@pytest.mark.parametrize("skew_hours", [3, -5])
def test_a_box_whose_clock_is_hours_off_signs_in_hqs_time(
    rung: LaneClient, skew_hours: int
) -> None:
    hq_offset = skew_hours * 3600  # HQ's clock minus this box's
    signed: list[int] = []

    def strict_hq(request: httpx.Request) -> httpx.Response:
        hq_now = time.time() + hq_offset
        stamp = int(request.headers["X-Edge-Timestamp"])
        signed.append(stamp)
        date = {"Date": formatdate(hq_now, usegmt=True)}
        if abs(stamp - hq_now) > 300:
            return httpx.Response(401, json={"detail": "timestamp away from HQ's clock"},
                                  headers=date)  # fmt: skip
        response = accept_all(request)
        response.headers.update(date)
        return response

    services.ledger_push(client=client_for(strict_hq))
    assert len(signed) == 2  # refused once, then signed in HQ's time
    state = SyncState.objects.get()
    assert state.acked_seq == 6
    assert abs(state.clock_offset_seconds - hq_offset) <= 2
    rung.ring([{"code": WATER}])
    signed.clear()
    services.ledger_push(client=client_for(strict_hq, clock_offset=state.clock_offset_seconds))
    assert len(signed) == 1


def test_a_refusal_that_is_not_about_the_clock_is_not_retried(rung: LaneClient) -> None:
    calls: list[int] = []

    def refusing(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(401, json={"detail": "bad signature"},
                              headers={"Date": formatdate(time.time(), usegmt=True)})  # fmt: skip

    with pytest.raises(HQRefused):
        services.ledger_push(client=client_for(refusing))
    assert len(calls) == 1


def test_the_backlog_shows_its_rate_and_time_left(rung: LaneClient, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SYNC_BATCH_ROWS = 2

    def slow(request: httpx.Request) -> httpx.Response:
        time.sleep(0.01)
        return accept_all(request)

    services.ledger_push(client=client_for(slow))
    assert SyncState.objects.get().push_rate > 0
    rung.ring([{"code": WATER}])
    status = rung.get("/sync/status")[1]
    assert status["pending_entries"] == 2
    assert status["eta_seconds"] is not None and status["push_rate"] > 0


def test_sync_now_in_the_admin(admin_client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.HQ_URL, settings.STORE_ID, settings.STORE_KEY = (
        "http://127.0.0.1:1",
        "S1",
        "k." + "x" * 40,
    )
    settings.SYNC_RETRIES = 0
    SyncState.objects.get_or_create(id=1)
    SyncState.objects.update(next_attempt_at=timezone.now() + timedelta(hours=1))
    page = admin_client.get("/admin/sync/syncstate/")
    assert page.status_code == 200 and b"entries to send" in page.content.lower()
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        answer = admin_client.post("/admin/sync/syncstate/", {"action": "sync_now",
                                   "_selected_action": [1]}, follow=True)  # fmt: skip
    finally:
        celery_app.conf.task_always_eager = eager
    assert b"Sync started" in answer.content
    # It ran despite the backoff, and recorded that HQ did not answer.
    assert "unreachable" in SyncState.objects.get().last_error
    assert admin_client.get("/admin/sync/syncissue/").status_code == 200


@pytest.mark.django_db
def test_every_request_names_the_sync_protocol_and_a_426_is_a_refusal() -> None:
    seen: list[str] = []

    def hq(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("X-Edge-Protocol", ""))
        return httpx.Response(426, json={"detail": "sync protocol '2' is not served here",
                                         "supported": [3]})  # fmt: skip

    sleeps: list[float] = []
    with pytest.raises(HQRefused) as refused, client_for(hq, sleeps=sleeps) as client:
        client.request("GET", client.store_path("config"))
    assert seen == ["2"] and sleeps == []  # not retried: an upgrade is needed, not patience
    assert refused.value.status == 426
