"""The open-loop driver's schedule and arithmetic (tests/bench/open_loop.py)."""

import math

import pytest

from tests.bench.open_loop import (
    Tally,
    baskets_needed,
    http_answer,
    lane_schedule,
)
from tests.bench.stats import percentile


def test_a_lane_scans_twice_a_second_and_sells_every_20_seconds():
    events = lane_schedule(0, lanes=20, seconds=40)
    scans = [e for e in events if e.kind == "scan"]
    sales = [e for e in events if e.kind == "sale"]
    assert len(scans) == 80
    assert [e.due for e in sales] == [1.0, 21.0]
    assert [e.basket for e in sales] == [0, 1]
    # Scans before the first sale go to basket 0, then 1, then 2 after the second sale.
    assert {e.basket for e in scans if e.due < 1.0} == {0}
    assert {e.basket for e in scans if 1.0 <= e.due < 21.0} == {1}
    assert {e.basket for e in scans if e.due >= 21.0} == {2}
    assert max(e.basket for e in events) + 1 == baskets_needed(seconds=40) == 3
    assert [e.due for e in events] == sorted(e.due for e in events)


def test_lanes_are_staggered_and_together_make_the_store_rate():
    lanes = [lane_schedule(n, lanes=20, seconds=10) for n in range(20)]
    first_scans = [next(e.due for e in lane if e.kind == "scan") for lane in lanes]
    assert len(set(first_scans)) == 20
    assert max(first_scans) < 0.5
    assert sum(1 for lane in lanes for e in lane if e.kind == "scan") == 20 * 2 * 10
    # Lane 20's first sale is at 20 s: none within 10 s; lane 1's at 1 s.
    assert [e.due for e in lanes[0] if e.kind == "sale"] == [1.0]
    assert not [e for e in lanes[19] if e.kind == "sale"]


def test_a_warm_up_schedule_has_no_sale():
    events = lane_schedule(3, lanes=20, seconds=4, sale_interval=math.inf)
    assert {e.kind for e in events} == {"scan"}
    assert {e.basket for e in events} == {0}


def test_a_lane_outside_the_store_is_refused():
    with pytest.raises(ValueError, match="lane 20"):
        lane_schedule(20, lanes=20)


def test_percentile_is_the_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0
    with pytest.raises(ValueError):
        percentile([], 99)
    with pytest.raises(ValueError):
        percentile(values, 0)


def test_latency_counts_from_when_a_request_was_due_not_when_it_left():
    tally = Tally()
    # Due at 10.000 s, sent 8 ms late, answered 2 ms after it left: 10 ms, not 2.
    tally.add("scan", due=10.0, sent=10.008, answered=10.010)
    tally.add("scan", due=11.0, sent=11.001, answered=11.004)
    assert tally.latencies["scan"] == pytest.approx([10.0, 4.0])
    assert tally.lateness == pytest.approx([8.0, 1.0])
    assert tally.late_share() == 0.5
    summary = tally.summary(elapsed=2.0)
    assert summary["requests_per_s"] == 1.0
    assert summary["scan_p99_ms"] == pytest.approx(10.0)
    assert summary["scan_count"] == 2.0


def test_an_early_send_is_not_negative_lateness():
    tally = Tally()
    tally.add("scan", due=5.0, sent=4.999, answered=5.003)
    assert tally.lateness == [0.0]


@pytest.mark.parametrize(
    "raw",
    [b"", b"garbage", b"HTTP/1.1 200 OK", b"HTTP/1.1 abc OK\r\n\r\n{}", b"SMTP 200\r\n\r\n"],
)
def test_a_malformed_answer_is_refused(raw):
    with pytest.raises(ValueError, match="not an HTTP answer"):
        http_answer(raw)


def test_an_answer_gives_its_status_and_body():
    raw = b'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n\r\n{"id": "x"}'
    assert http_answer(raw) == (201, '{"id": "x"}')
