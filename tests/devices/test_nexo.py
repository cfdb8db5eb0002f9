"""nexo Sale-to-POI: requests as the specification writes them, responses hand-built after
the specification's examples (Adyen's Terminal API documents them field by field), the
driver against the simulated terminal over real HTTP (approve, decline, drop after
approving, never answering, refund, reversal, end of day), and hostile answers."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.__main__ import main
from devices.terminals import TerminalError, open_terminal
from devices.terminals.nexo import (
    NexoError,
    NexoTerminal,
    amount_number,
    encode,
    parse,
    payment_body,
    request,
)
from devices.terminals.nexo_simulator import NexoSimulator

HEADER = {"ProtocolVersion": "3.0", "MessageClass": "Service", "MessageCategory": "Payment",
          "MessageType": "Response", "ServiceID": "1110151123", "SaleID": "John",
          "POIID": "MX925-260193322"}  # fmt: skip

# A PaymentResponse after the specification's example: amounts as JSON numbers, the card
# masked, the receipt's lines as key=…&name=…&value=… query strings.
APPROVED = b"""{"SaleToPOIResponse": {"MessageHeader": %s, "PaymentResponse": {
  "POIData": {"POIReconciliationID": "1000", "POITransactionID": {
    "TimeStamp": "2017-11-10T14:11:21.000Z",
    "TransactionID": "oLkO001510323081009.9815103231020966"}},
  "SaleData": {"SaleTransactionID": {"TimeStamp": "2017-11-10T14:11:20.000Z",
    "TransactionID": "27908"}},
  "PaymentReceipt": [{"DocumentQualifier": "CashierReceipt", "RequiredSignatureFlag": false,
    "OutputContent": {"OutputFormat": "Text", "OutputText": [
      {"Text": "key=header1&name=Merchant+copy"},
      {"Text": "key=txRef&name=Tx+Ref&value=oLkO001510323081009"},
      {"Text": "key=totalAmount&name=TOTAL&value=EUR%%C2%%A010.99"}]}},
    {"DocumentQualifier": "CustomerReceipt", "OutputContent": {"OutputFormat": "Text",
      "OutputText": [{"Text": "key=approved&name=APPROVED"}]}}],
  "PaymentResult": {
    "AmountsResp": {"AuthorizedAmount": 10.99, "Currency": "EUR"},
    "PaymentAcquirerData": {"ApprovalCode": "123456", "MerchantID": "TestMerchant"},
    "PaymentInstrumentData": {"PaymentInstrumentType": "Card", "CardData": {
      "EntryMode": ["Contactless"], "MaskedPan": "541333 **** 9999", "PaymentBrand": "mc",
      "SensitiveCardData": {"ExpiryDate": "0228"}}}},
  "Response": {"Result": "Success",
    "AdditionalResponse": "tid=75008565&transactionType=GOODS_SERVICES"}}}}""" % json.dumps(
    HEADER
).encode()

REFUSED = json.dumps({"SaleToPOIResponse": {"MessageHeader": HEADER, "PaymentResponse": {
    "POIData": {"POITransactionID": {"TimeStamp": "2017-11-10T14:11:21.000Z",
                                     "TransactionID": "oLkO001510323081010"}},
    "SaleData": {"SaleTransactionID": {"TimeStamp": "2017-11-10T14:11:20.000Z",
                                       "TransactionID": "27909"}},
    "Response": {"Result": "Failure", "ErrorCondition": "Refusal",
                 "AdditionalResponse": "message=DECLINED&refusalReason=05+%3A+Not+enough+balance"},
}}}).encode()  # fmt: skip


def status_response(result: dict[str, Any], payment: bytes | None = None) -> bytes:
    head = {**HEADER, "MessageCategory": "TransactionStatus"}
    body: dict[str, Any] = {"Response": result}
    if payment is not None:
        inner = json.loads(payment)["SaleToPOIResponse"]
        repeated = {"PaymentResponse": inner["PaymentResponse"]}
        body["RepeatedMessageResponse"] = {
            "MessageHeader": inner["MessageHeader"],
            "RepeatedResponseMessageBody": repeated,
        }
    message = {"MessageHeader": head, "TransactionStatusResponse": body}
    return json.dumps({"SaleToPOIResponse": message}).encode()


def test_an_approved_payment_is_read_as_the_till_needs_it() -> None:
    answer = parse(APPROVED, "Payment")
    assert answer.success and answer.amount == Decimal("10.99")
    outcome = answer.outcome(Decimal("10.99"))
    assert (outcome.state, outcome.card_type, outcome.card_last4) == ("approved", "mc", "9999")
    assert outcome.reference == "oLkO001510323081009"  # the tender reference: 32 at most
    assert outcome.receipt_number == "oLkO001510323081009.9815103231020966"
    assert outcome.merchant_receipt == ["Merchant copy", "Tx Ref oLkO001510323081009",
                                        "TOTAL EUR\xa010.99"]  # fmt: skip
    assert outcome.customer_receipt == ["APPROVED"]
    assert answer.approval_code == "123456"


def test_a_refusal_says_why_and_charges_nothing() -> None:
    outcome = parse(REFUSED, "Payment").outcome(Decimal("10.99"))
    assert outcome.state == "declined"
    assert outcome.message == "the card was declined: DECLINED"


def test_a_transaction_status_gives_the_last_payment_or_none() -> None:
    found = parse(status_response({"Result": "Success"}, APPROVED), "TransactionStatus")
    assert found.payment is not None and found.payment.transaction_id.startswith("oLkO")
    missing = parse(status_response({"Result": "Failure", "ErrorCondition": "NotFound"}),
                    "TransactionStatus")  # fmt: skip
    assert not missing.success and missing.message == "the terminal has no such transaction"


def test_a_request_is_written_as_nexo_reads_it() -> None:
    body = payment_body(Decimal("10.99"), "EUR", "27908")
    message = request("Payment", body, sale_id="John", poi_id="MX925-260193322",
                      service_id="1110151123")  # fmt: skip
    raw = encode(message)
    assert b'"RequestedAmount":10.99}' in raw  # a JSON number, exactly as the till's amount
    decoded = json.loads(raw, parse_float=Decimal)["SaleToPOIRequest"]
    assert decoded["MessageHeader"] == {**HEADER, "MessageType": "Request"}
    assert decoded["PaymentRequest"]["SaleData"]["SaleTransactionID"]["TransactionID"] == "27908"
    refund = payment_body(Decimal("1.00"), "EUR", "27910", refund=True)
    assert refund["PaymentData"] == {"PaymentType": "Refund"}
    for bad in ("10.999", "-1.00", "NaN", "Infinity"):
        with pytest.raises(ValueError):
            amount_number(Decimal(bad))


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"", "not JSON"),
        (b"<html>502 Bad Gateway</html>", "not JSON"),
        (b"[]", "not an object"),
        (b'{"SaleToPOIResponse": {}}', "MessageHeader"),
        (APPROVED.replace(b'"Payment"', b'"Abort"'), "not the Payment response"),
        (APPROVED.replace(b'"Result": "Success"', b'"Result": "Maybe"'), "none of nexo's"),
        (APPROVED.replace(b'Amount": 10.99', b'Amount": ' + b"10.999"), "not an amount of money"),
        (APPROVED.replace(b'Amount": 10.99', b'Amount": ' + b'"10.99"'), "not an amount"),
        (APPROVED.replace(b'Amount": 10.99', b'Amount": ' + b"1e400"), "not an amount"),
        (APPROVED.replace(b'Amount": 10.99', b'Amount": ' + b"NaN"), "not JSON"),
        (APPROVED.replace(b'"mc"', b'"' + b"m" * 500 + b'"'), "PaymentBrand"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON"),
        (b'{"a": "' + b"x" * 300_000 + b'"}', "longer than any"),
    ],
)
def test_a_malformed_answer_is_a_clear_error(raw: bytes, problem: str) -> None:
    with pytest.raises(NexoError, match=problem):
        parse(raw, "Payment")


KEYS = st.sampled_from(["SaleToPOIResponse", "MessageHeader", "PaymentResponse", "Response",
                        "Result", "POIData", "PaymentResult", "AmountsResp", "AuthorizedAmount",
                        "PaymentReceipt", "MessageCategory", "MessageType", "x"])  # fmt: skip
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(KEYS | st.text(max_size=5), children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300)
@given(JSON)
def test_any_json_is_an_answer_or_a_clear_error(value: Any) -> None:
    try:
        parse(json.dumps(value).encode(), "Payment")
    except NexoError:
        pass


@given(st.binary(max_size=500))
def test_any_bytes_are_an_answer_or_a_clear_error(raw: bytes) -> None:
    try:
        parse(raw, "Payment")
    except NexoError:
        pass


@given(st.integers(min_value=0, max_value=len(APPROVED)))
def test_a_truncated_answer_is_a_clear_error(cut: int) -> None:
    if cut == len(APPROVED):
        assert parse(APPROVED[:cut], "Payment").success
        return
    with pytest.raises(NexoError):
        parse(APPROVED[:cut], "Payment")


# The driver and the simulated terminal --------------------------------------------------


@pytest.fixture
def nexo() -> Any:
    simulator = NexoSimulator()
    yield simulator
    simulator.close()


def driver(simulator: NexoSimulator, **options: Any) -> NexoTerminal:
    terminal = open_terminal("nexo", simulator.url, poi_id=simulator.poi_id, **options)
    assert isinstance(terminal, NexoTerminal)
    return terminal


def test_a_payment_is_sent_the_tills_amount_and_answered(nexo: NexoSimulator) -> None:
    terminal = driver(nexo)
    assert terminal.status()
    assert terminal.last_transaction() is None
    prompts: list[str] = []
    outcome = terminal.pay(Decimal("12.50"), prompts.append)
    assert (outcome.state, outcome.amount, outcome.card_last4) == ("approved", Decimal("12.50"),
                                                                   "0011")  # fmt: skip
    assert prompts == ["follow the terminal"]
    (sent,) = [m for m in nexo.received if m["SaleToPOIRequest"]["MessageHeader"]
               ["MessageCategory"] == "Payment"]  # fmt: skip
    amounts = sent["SaleToPOIRequest"]["PaymentRequest"]["PaymentTransaction"]["AmountsReq"]
    assert amounts == {"Currency": "EUR", "RequestedAmount": Decimal("12.50")}
    assert outcome.customer_receipt[0] == "Customer copy"
    last = terminal.last_transaction()
    assert last is not None and last.receipt_number == outcome.receipt_number
    assert nexo.errors == []


def test_a_decline_a_refund_a_reversal_and_the_end_of_day(nexo: NexoSimulator) -> None:
    terminal = driver(nexo)
    nexo.state.mode = "decline"
    declined = terminal.pay(Decimal("3.00"))
    assert declined.state == "declined" and "declined" in declined.message
    nexo.state.mode = "approve"
    first = terminal.pay(Decimal("7.00"))
    terminal.pay(Decimal("5.00"))
    assert terminal.refund(Decimal("1.00")).state == "approved"
    assert terminal.reverse(first.receipt_number, Decimal("7.00")).state == "approved"
    assert terminal.reverse(first.receipt_number, Decimal("7.00")).state == "declined"
    closed = terminal.end_of_day()
    assert (closed.state, closed.amount) == ("approved", Decimal("4.00"))  # 5.00 less 1.00


def test_the_line_dropped_after_charging_is_unknown_and_the_status_says_approved(
    nexo: NexoSimulator,
) -> None:
    terminal = driver(nexo)
    nexo.state.mode = "drop_after_approve"
    outcome = terminal.pay(Decimal("2.00"))
    assert outcome.state == "unknown"
    nexo.state.mode = "approve"
    last = terminal.last_transaction()
    assert last is not None and (last.state, last.amount) == ("approved", Decimal("2.00"))
    assert len(nexo.approved()) == 1  # charged once


def test_a_terminal_that_never_answers_is_aborted_and_unknown(nexo: NexoSimulator) -> None:
    nexo.state.mode = "timeout"
    terminal = driver(nexo, payment_seconds=0.5)
    outcome = terminal.pay(Decimal("2.00"))
    assert outcome.state == "unknown"
    categories = [m["SaleToPOIRequest"]["MessageHeader"]["MessageCategory"] for m in nexo.received]
    assert categories == ["Payment", "Abort"]
    abort = nexo.received[-1]["SaleToPOIRequest"]["AbortRequest"]
    payment_head = nexo.received[0]["SaleToPOIRequest"]["MessageHeader"]
    assert abort["MessageReference"]["ServiceID"] == payment_head["ServiceID"]
    assert nexo.approved() == []


def test_a_terminal_away_or_not_a_terminal_is_an_error_before_anything_is_charged(
    nexo: NexoSimulator,
) -> None:
    url = nexo.url
    nexo.close()
    with pytest.raises(TerminalError, match="cannot reach"):
        NexoTerminal.at(url, "V400m-1").pay(Decimal("1.00"))
    for bad in ("ftp://10.0.0.9", "10.0.0.9:8443", "https://"):
        with pytest.raises(TerminalError):
            NexoTerminal.at(bad, "V400m-1")
    with pytest.raises(TerminalError, match="POIID"):
        NexoTerminal.at("https://10.0.0.9:8443", "")


def test_the_simulator_refuses_what_is_not_a_nexo_request(nexo: NexoSimulator) -> None:
    url = nexo.url + "/nexo"
    assert httpx.post(url, content=b"{not json").status_code == 400
    assert httpx.post(nexo.url + "/other", content=b"{}").status_code == 404
    head = {**HEADER, "MessageType": "Request", "POIID": nexo.poi_id}
    del head["ServiceID"]
    answer = httpx.post(url, content=json.dumps({"SaleToPOIRequest": {
        "MessageHeader": head, "PaymentRequest": {}}}).encode())  # fmt: skip
    response = answer.json()["SaleToPOIResponse"]["PaymentResponse"]["Response"]
    assert response == {"Result": "Failure", "ErrorCondition": "MessageFormat",
                        "AdditionalResponse": "MessageHeader.ServiceID is missing"}  # fmt: skip


def test_the_cli_tells_the_terminals_status(
    nexo: NexoSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    driver(nexo).pay(Decimal("4.20"))
    assert main(["terminal", "status", "--protocol", "nexo", "--port", nexo.url,
                 "--poi-id", nexo.poi_id]) == 0  # fmt: skip
    told = json.loads(capsys.readouterr().out)
    assert told["ready"] and told["last_transaction"]["amount"] == "4.20"
    assert told["last_transaction"]["card_last4"] == "0011"
    assert main(["terminal", "status", "--protocol", "nexo", "--port", "http://127.0.0.1:1",
                 "--poi-id", "x"]) == 3  # fmt: skip
