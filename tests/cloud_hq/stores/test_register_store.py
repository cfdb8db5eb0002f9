"""register_store: a store gets an id and a signing key, printed for its environment."""

import re

import pytest
from django.test import Client

from cloud_hq.stores.models import Store, StoreKey
from tests.cloud_hq.conftest import StoreClient, refused_command, register_store, run_command


def test_register_store_prints_store_id_and_store_key(db: None) -> None:
    # When a store is registered without a code
    printed = run_command("register_store", name="Berlin Mitte").stdout

    # Then it prints STORE_ID and STORE_KEY (<key id>.<secret>) lines
    lines = printed.splitlines()
    assert lines[0] == "STORE_ID=S0001"
    assert re.fullmatch(r"STORE_KEY=[0-9a-f]{12}\.[A-Za-z0-9_-]{32,}", lines[1])
    store = Store.objects.get(code="S0001")
    assert (store.name, store.currency) == ("Berlin Mitte", "EUR")
    assert StoreKey.objects.filter(store=store).count() == 1


def test_printed_store_key_signs_requests_hq_accepts(db: None, client: Client) -> None:
    # Given a store registered with the command
    credentials = register_store(name="Berlin Mitte")

    # When the store signs a push with the printed key
    answer = StoreClient(client, credentials).push([])

    # Then HQ accepts it
    assert answer.status_code == 200, answer.content
    assert answer.json() == {
        "high_water_mark": 0,
        "accepted": 0,
        "duplicates": 0,
        "quarantined": [],
    }


def test_stores_get_the_next_free_code(db: None) -> None:
    # Given a store registered under S0002
    register_store(name="Hamburg", code="S0002")

    # When two stores are registered without a code
    first = register_store(name="Köln")
    second = register_store(name="München")

    # Then they get the codes that are still free
    assert (first.store_id, second.store_id) == ("S0003", "S0004")


def test_currency_is_upper_cased_and_defaults_from_settings(db: None, settings) -> None:
    # Given HQ's default currency is CHF
    settings.DEFAULT_CURRENCY = "CHF"

    # When one store gives no currency and another gives "pln"
    register_store(name="Zürich", code="ZH1")
    register_store(name="Kraków", code="KR1", currency="pln")

    # Then the first uses the default and the second PLN
    assert Store.objects.get(code="ZH1").currency == "CHF"
    assert Store.objects.get(code="KR1").currency == "PLN"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"currency": "EURO"}, "'EURO' is not an ISO 4217 currency code"),
        ({"currency": "E1R"}, "is not an ISO 4217 currency code"),
        ({"code": "S 01"}, "a store code is 1-16 letters"),
        ({"code": "S" * 17}, "a store code is 1-16 letters"),
        ({"name": "   "}, "a store needs a name"),
        ({"country": "DEU"}, "'deu' is not an ISO 3166 country code"),
        ({"country": "d1"}, "is not an ISO 3166 country code"),
        ({"time_zone": "Europe/Atlantis"}, "'Europe/Atlantis' is not an IANA time zone"),
        ({"time_zone": "../../etc/passwd"}, "is not an IANA time zone"),
        ({"time_zone": "Z" * 5000}, "is not an IANA time zone"),
    ],
)
def test_invalid_registration_is_refused_and_creates_nothing(
    db: None, options: dict[str, str], message: str
) -> None:
    # When a registration has a bad currency, code or name
    refusal = refused_command("register_store", **{"name": "Berlin", **options})

    # Then it is refused with the reason, and no store or key is created
    assert message in refusal.message
    assert Store.objects.count() == 0
    assert StoreKey.objects.count() == 0


def test_duplicate_store_code_is_refused(db: None) -> None:
    # Given a registered store S0001
    register_store(name="Berlin Mitte", code="S0001")

    # When another store is registered under the same code
    refusal = refused_command("register_store", name="Berlin Ost", code="S0001")

    # Then it is refused, and the first store keeps its name and its one key
    assert "store S0001 is already registered" in refusal.message
    assert Store.objects.get(code="S0001").name == "Berlin Mitte"
    assert StoreKey.objects.count() == 1


def test_a_store_is_registered_with_its_country_and_time_zone(db: None) -> None:
    # When a store is registered in Germany, in Berlin's time zone
    run_command("register_store", name="Berlin", code="B1", country=" DE ",
                time_zone="Europe/Berlin")  # fmt: skip

    # Then HQ keeps the country as ISO 3166 lower case, the zone as given
    store = Store.objects.get(code="B1")
    assert (store.country, store.time_zone) == ("de", "Europe/Berlin")
