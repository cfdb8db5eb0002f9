"""No card number is kept, logged or sent, over a whole run: a hostile cashier types, scans
and swipes card numbers into every field of the lane API while a store sells and syncs to
HQ through real gunicorn, Celery and Redis; afterwards the store's database, HQ's database,
every process's log and every body that crossed the wire between store and HQ are searched
for anything that looks like a card number (deploy/web/card_numbers.py), and none is found."""

from __future__ import annotations

import gzip
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from deploy.web.card_numbers import card_numbers_in
from tests.e2e.test_sale_travels import catalogue_codes, ring_sale, sync_status, wait_until
from tests.fault_proxy import FaultProxy
from tests.processes import System, running_system

pytestmark = pytest.mark.e2e

CARDS = ["4111111111111111", "5555 5555 5555 4444", "3782-822463-10005", "6011000990139424",
         "%B4012888888881881^CARDHOLDER/TEST^2612101000000000?",
         ";4012888888881881=26121010000000000?"]  # fmt: skip


def hostile_cashier(lane: httpx.Client, codes: list[str]) -> int:
    """Try every card number in every field that takes text; return how many were refused."""
    refused = 0
    basket = lane.post("/baskets").json()["id"]
    assert lane.post(f"/baskets/{basket}/items", json={"code": codes[1]}).status_code == 200
    for card in CARDS:
        attempts = [
            ("post", f"/baskets/{basket}/items", {"code": card}),
            ("post", f"/baskets/{basket}/loyalty", {"card": card}),
            ("post", f"/baskets/{basket}/coupons", {"code": card}),
            ("post", f"/baskets/{basket}/payments",
             {"method": "card", "amount": "1.00", "terminal_reference": card,
              "card_last4": "1111"}),
            ("post", "/returns/without-receipt",
             {"code": codes[1], "quantity": 1, "supervisor": card, "pin": "1234"}),
            ("get", "/products", {"q": card}),
        ]  # fmt: skip
        for method, path, body in attempts:
            if method == "get":
                answer = lane.get(path, params=body)
            else:
                answer = lane.post(path, json=body)
            assert answer.status_code == 422, (path, answer.text)
            assert answer.json()["code"] == "card_number"
            refused += 1
    # The basket is then paid by card as it should be: the terminal's reference, last four.
    due = lane.get(f"/baskets/{basket}").json()["amount_due"]
    paid = {"method": "card", "amount": due, "terminal_reference": "T-0042", "card_last4": "1111"}
    assert lane.post(f"/baskets/{basket}/payments", json=paid).status_code == 200
    assert lane.post(f"/baskets/{basket}/complete").status_code == 201
    return refused


def sqlite_text(path: Path) -> str:
    with closing(sqlite3.connect(path)) as db:
        return "\n".join(db.iterdump())


def hq_text(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        return sqlite_text(Path(database_url.removeprefix("sqlite:///")))
    import psycopg

    rows: list[str] = []
    with psycopg.connect(database_url) as db:
        tables = db.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        ).fetchall()
        for (table,) in tables:
            query = f'SELECT row_to_json(t)::text FROM "{table}" t'  # noqa: S608 - catalog names
            rows.extend(row for (row,) in db.execute(query))
    return "\n".join(rows)


def wire_text(bodies: list[bytes]) -> str:
    texts = []
    for body in bodies:
        try:
            body = gzip.decompress(body)
        except OSError:
            pass
        texts.append(body.decode("utf-8", errors="replace"))
    return "\n".join(texts)


def test_no_card_number_is_kept_logged_or_sent(tmp_path: Path, catalog_file: Path) -> None:
    with running_system(tmp_path, catalog_file, sync_interval=2,
                        store_env_extra={"LOG_LEVEL": "INFO"}) as system:  # fmt: skip
        with FaultProxy(system.hq_port) as proxy:
            system.hq_proxy_port = proxy.port
            refused = run_the_day(system)
            system.stop_all()
            searched = {
                "the store's database": sqlite_text(tmp_path / "store" / "store.sqlite3"),
                "HQ's database": hq_text(system.hq_db),
                "the logs": "\n".join(p.read_text(errors="replace")
                                      for p in (tmp_path / "logs").glob("*.log")),
                "the sync payloads": wire_text(proxy.recorded),
            }  # fmt: skip
    assert refused == 6 * len(CARDS)
    # The search looked at the real data: the card sale's reference is in every place.
    for place in ("the store's database", "HQ's database", "the sync payloads"):
        assert "T-0042" in searched[place], place
    assert "refused a request holding a card number" in searched["the logs"]
    found = {place: in_context(text) for place, text in searched.items()}
    assert found == {place: [] for place in searched}


def in_context(text: str) -> list[str]:
    """Each card-looking number found, with the text around it (to tell what wrote it)."""
    shown = []
    for number in card_numbers_in(text):
        at = text.find(number[:4])
        shown.append(f"{number} in …{text[max(0, at - 120) : at + 60]}…")
    return shown


def run_the_day(system: System) -> int:
    for name in ("hq", "store", "worker", "beat"):
        system.start(name)
    with system.lane() as lane:
        wait_until(lambda: sync_status(lane)["config_version"] == 1, timeout=30, what="config")
        codes = catalogue_codes(system, 10)
        for n in range(5):
            ring_sale(lane, codes[n : n + 3])
        refused = hostile_cashier(lane, codes)
        wait_until(lambda: sync_status(lane)["pending_entries"] == 0, timeout=30, what="push")
    status: dict[str, Any] = system.hq_summary()
    assert status["sales"] == 6
    return refused
