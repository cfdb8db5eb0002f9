"""Payments sent twice, nothing taken once nothing is due, and a line's quantity changed."""

import uuid

from store_edge.baskets.models import BasketPayment
from store_edge.staff.services import (
    PinGivenAt,
)
from tests.store_edge.conftest import BANANAS, BREAD, WATER, LaneClient

AT = PinGivenAt(lane_id=None, address="192.0.2.7")


def test_a_payment_sent_twice_with_its_id_counts_once(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": BREAD})
    payment = {"method": "cash", "amount": "1.00", "id": str(uuid.uuid4())}
    first = lane_api.post(f"/baskets/{basket_id}/payments", payment)
    again = lane_api.post(f"/baskets/{basket_id}/payments", payment)
    assert first == again
    assert again[1]["amount_paid"] == "1.00"
    assert BasketPayment.objects.count() == 1
    changed = {**payment, "amount": "2.00"}
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments", changed)
    assert (status, "something else" in answer["detail"]) == (422, True)


def test_no_payment_is_taken_once_nothing_is_due(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    assert lane_api.post(f"/baskets/{basket_id}/payments",
                         {"method": "cash", "amount": "5.00"})[0] == 200  # fmt: skip
    status, answer = lane_api.post(f"/baskets/{basket_id}/payments",
                                   {"method": "cash", "amount": "5.00"})  # fmt: skip
    assert (status, answer["detail"]) == (409, "nothing is due: complete the sale")
    assert BasketPayment.objects.count() == 1


def test_a_lines_quantity_changes_and_bad_quantities_are_refused(lane_api: LaneClient) -> None:
    basket_id = lane_api.new_basket()
    _, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": WATER})
    line_id = basket["lines"][0]["id"]
    status, basket = lane_api.post(f"/baskets/{basket_id}/items/{line_id}/quantity",
                                   {"quantity": 4})  # fmt: skip
    assert (status, basket["lines"][0]["quantity"], basket["total"]) == (200, "4.000", "3.16")
    for bad in ({"quantity": 0}, {"quantity": "three"}, {"quantity": 10**6}, {}):
        status, _ = lane_api.post(f"/baskets/{basket_id}/items/{line_id}/quantity", bad)
        assert status == 422
    status, _ = lane_api.post(f"/baskets/{basket_id}/items/{uuid.uuid4()}/quantity",
                              {"quantity": 2})  # fmt: skip
    assert status == 404
    _, basket = lane_api.post(f"/baskets/{basket_id}/items", {"code": BANANAS, "weight_kg": "1"})
    bananas = basket["lines"][1]["id"]
    status, answer = lane_api.post(f"/baskets/{basket_id}/items/{bananas}/quantity",
                                   {"quantity": 2})  # fmt: skip
    assert (status, "weighed" in answer["detail"]) == (422, True)
