"""Promotions read in the store's own time zone: daily hours and weekdays are local, a
window without an offset ends at each store's local midnight, one with an offset at one
instant for all. The expected answers are worked out by hand, across the daylight-saving
changes of 2026 in three zones (north, north-west, south)."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from store_edge.pricing.domain import Context, Kind, PromotionBook, Window, price_basket
from tests.store_edge.pricing.test_promotions import ALL_YEAR, line, promo

BERLIN = ZoneInfo("Europe/Berlin")  # CET/CEST: +2 from 29 March 02:00, +1 from 25 October 03:00
NEW_YORK = ZoneInfo("America/New_York")  # EST/EDT: -4 from 8 March, -5 from 1 November
SYDNEY = ZoneInfo("Australia/Sydney")  # AEDT/AEST: +10 from 5 April, +11 from 4 October

HAPPY_HOUR = Window(ALL_YEAR.starts, ALL_YEAR.ends, opens=time(17), closes=time(19))


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str) -> datetime:
    """A time without an offset: a store's local time, wherever the store is."""
    return datetime.fromisoformat(text)


# (zone, instant in UTC, what the store's clock shows, live at 17:00-19:00)
HOURS = [
    (BERLIN, "2026-03-28 16:30", "Sat 17:30 CET", True),
    (BERLIN, "2026-03-28 18:30", "Sat 19:30 CET", False),
    (BERLIN, "2026-03-30 14:30", "Mon 16:30 CEST", False),
    (BERLIN, "2026-03-30 15:30", "Mon 17:30 CEST", True),
    (BERLIN, "2026-03-30 16:30", "Mon 18:30 CEST", True),
    (BERLIN, "2026-03-30 17:00", "Mon 19:00 CEST", False),
    (BERLIN, "2026-10-26 15:30", "Mon 16:30 CET", False),
    (BERLIN, "2026-10-26 16:30", "Mon 17:30 CET", True),
    (NEW_YORK, "2026-03-07 21:30", "Sat 16:30 EST", False),
    (NEW_YORK, "2026-03-07 22:30", "Sat 17:30 EST", True),
    (NEW_YORK, "2026-03-09 21:30", "Mon 17:30 EDT", True),
    (NEW_YORK, "2026-03-09 23:30", "Mon 19:30 EDT", False),
    (NEW_YORK, "2026-11-02 21:30", "Mon 16:30 EST", False),
    (NEW_YORK, "2026-11-02 22:30", "Mon 17:30 EST", True),
    (SYDNEY, "2026-04-04 06:30", "Sat 17:30 AEDT", True),
    (SYDNEY, "2026-04-04 08:30", "Sat 19:30 AEDT", False),
    (SYDNEY, "2026-04-06 06:30", "Mon 16:30 AEST", False),
    (SYDNEY, "2026-04-06 07:30", "Mon 17:30 AEST", True),
    (SYDNEY, "2026-10-05 06:30", "Mon 17:30 AEDT", True),
    (SYDNEY, "2026-10-05 08:30", "Mon 19:30 AEDT", False),
]


@pytest.mark.parametrize(("zone", "instant", "clock", "live"), HOURS)
def test_daily_hours_are_the_store_s_local_hours(
    zone: ZoneInfo, instant: str, clock: str, live: bool
) -> None:
    at = z(instant)
    assert at.astimezone(zone).strftime("%a %H:%M %Z") == clock  # the table's own check
    assert HAPPY_HOUR.contains(at, zone) is live


def test_weekdays_are_the_store_s_local_days() -> None:
    mondays = Window(ALL_YEAR.starts, ALL_YEAR.ends, weekdays=frozenset({0}))
    sunday_in_utc = z("2026-10-04 23:30")  # Monday 10:30 in Sydney, Sunday 19:30 in New York
    assert mondays.contains(sunday_in_utc, SYDNEY)
    assert not mondays.contains(sunday_in_utc, NEW_YORK)
    assert not mondays.contains(sunday_in_utc)  # read in UTC when no zone is given


# A chain-wide window written without an offset ends at each store's local midnight.
LOCAL_OCTOBER = Window(local("2026-10-01 00:00"), local("2026-10-26 00:00"))
ENDS_LOCALLY = [
    (BERLIN, "2026-10-25 22:59", "2026-10-25 23:00"),  # 00:00 CET, the day after the change
    (NEW_YORK, "2026-10-26 03:59", "2026-10-26 04:00"),  # 00:00 EDT
    (SYDNEY, "2026-10-25 12:59", "2026-10-25 13:00"),  # 00:00 AEDT
]


@pytest.mark.parametrize(("zone", "last", "over"), ENDS_LOCALLY)
def test_a_window_without_an_offset_ends_at_each_store_s_midnight(
    zone: ZoneInfo, last: str, over: str
) -> None:
    assert LOCAL_OCTOBER.contains(z(last), zone)
    assert not LOCAL_OCTOBER.contains(z(over), zone)


def test_a_window_with_an_offset_ends_at_one_instant_for_all() -> None:
    window = Window(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 26, tzinfo=UTC))
    for zone in (BERLIN, NEW_YORK, SYDNEY):
        assert window.contains(z("2026-10-25 23:59"), zone)
        assert not window.contains(z("2026-10-26 00:00"), zone)


def test_a_local_time_a_clock_change_skips_or_repeats_is_read_as_first_shown() -> None:
    # Berlin skips 02:00-03:00 on 29 March: 02:30 is read as 03:30 CEST (01:30 UTC).
    spring = Window(local("2026-03-29 02:30"), local("2026-03-30 00:00"))
    assert not spring.contains(z("2026-03-29 01:29"), BERLIN)
    assert spring.contains(z("2026-03-29 01:30"), BERLIN)
    # It shows 02:00-03:00 twice on 25 October: 02:30 is the first, in CEST (00:30 UTC).
    autumn = Window(local("2026-10-25 00:00"), local("2026-10-25 02:30"))
    assert autumn.contains(z("2026-10-25 00:29"), BERLIN)
    assert not autumn.contains(z("2026-10-25 00:30"), BERLIN)


def test_the_engine_prices_a_happy_hour_in_the_store_s_zone() -> None:
    beer = promo("beer-happy-hour", Kind.PERCENT_OFF, skus={"beer"}, percent=20)
    beer = type(beer)(**{**{f: getattr(beer, f) for f in beer.__dataclass_fields__},
                         "window": HAPPY_HOUR})  # fmt: skip
    book = PromotionBook.of([beer])
    at = z("2026-10-26 16:30")  # 17:30 in Berlin, 12:30 in New York
    berlin = price_basket([line("beer")], context=Context(at=at, zone=BERLIN), book=book)
    new_york = price_basket([line("beer")], context=Context(at=at, zone=NEW_YORK), book=book)
    assert [a.promotion for a in berlin.lines[0].adjustments] == ["beer-happy-hour"]
    assert new_york.lines[0].adjustments == ()


def test_a_zone_this_store_does_not_know_is_taken_and_the_box_zone_holds(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A zone newer than the store's time zone data must not refuse HQ's whole config: it
    is kept, the box's TIME_ZONE holds, and the log says so. A name that is no zone name
    at all is refused."""
    from pydantic import ValidationError

    from store_edge.catalog.models import ConfigState
    from store_edge.catalog.selectors import store_place
    from store_edge.sync.contract import StoreProfileWire

    wire = {"name": "S1", "currency": "EUR", "time_zone": "America/Nowhere_Yet"}
    assert StoreProfileWire.model_validate(wire).time_zone == "America/Nowhere_Yet"
    for bad in ("../../etc/passwd", "Europe/Berlin; DROP", "/UTC", "x" * 65):
        with pytest.raises(ValidationError):
            StoreProfileWire.model_validate({**wire, "time_zone": bad})
    ConfigState.objects.create(id=1, version=1, time_zone="America/Nowhere_Yet",
                               applied_at=datetime(2026, 11, 1, tzinfo=UTC))  # fmt: skip
    with caplog.at_level("WARNING"):
        place = store_place((1, "2026-11-01T00:00:00+00:00"))
    assert str(place.zone) == settings.TIME_ZONE
    assert "'America/Nowhere_Yet' is unknown here" in caplog.text
