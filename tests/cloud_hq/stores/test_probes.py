"""Liveness and readiness probes of HQ."""

from django.test import Client


def test_health_answers_ok(client: Client) -> None:
    answer = client.get("/health")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_ready_answers_ready_when_migrations_are_applied(db: None, client: Client) -> None:
    answer = client.get("/ready")

    assert answer.status_code == 200
    assert answer.json() == {"status": "ready"}
