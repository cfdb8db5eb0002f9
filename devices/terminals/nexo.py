"""nexo Sale-to-POI over the local network, as payment terminals expose it (the Adyen
Terminal API's local mode): a JSON `SaleToPOIRequest` POSTed to the terminal, answered by a
`SaleToPOIResponse` when the terminal is done (a payment's answer comes when the customer
has paid).

The messages: PaymentRequest (a payment, or a refund with PaymentType "Refund"),
ReversalRequest, TransactionStatusRequest (the last transaction's outcome and receipts, to
settle an outcome the till did not hear), AbortRequest, DiagnosisRequest (is it there) and
ReconciliationRequest (end of day). Amounts are JSON numbers: read as Decimal, never as
float; written from Decimal with their two decimals.

Each response is parsed into what the till needs (`Answer`); anything else — not JSON,
another message, a missing field, an amount that is not money — is a `NexoError` with what
was wrong. Adyen's own encryption of the message body (its SecurityTrailer) is not done
here: the terminal is reached over TLS (https://…:8443) on the store's network.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from devices.terminals import Outcome, Prompt, TerminalError, TerminalProtocolError

PROTOCOL_VERSION = "3.0"
MAX_RESPONSE = 256 * 1024  # a response with receipts is a few kB
DEFAULT_PORT = 8443
PATH = "/nexo"
ANSWER_SECONDS = 15.0  # a request that does not wait on a customer

CATEGORIES = ("Payment", "Reversal", "TransactionStatus", "Abort", "Diagnosis", "Reconciliation")
# What a terminal's error conditions mean for the cashier.
CONDITIONS = {
    "Aborted": "the payment was stopped at the terminal",
    "Busy": "the terminal is busy with another payment",
    "Cancel": "the customer cancelled",
    "DeviceOut": "the terminal's card reader is out of order",
    "InProgress": "the payment is still going on at the terminal",
    "InsertedCard": "a card is still in the reader",
    "InvalidCard": "the card cannot be used",
    "LoggedOut": "the terminal is logged out",
    "MessageFormat": "the terminal did not understand the till",
    "NotAllowed": "the terminal does not allow this",
    "NotFound": "the terminal has no such transaction",
    "PaymentRestriction": "the card cannot pay for these goods",
    "Refusal": "the card was declined",
    "UnavailableDevice": "the terminal's device is unavailable",
    "UnavailableService": "the terminal does not offer this",
    "UnreachableHost": "the terminal cannot reach its bank",
    "WrongPIN": "wrong PIN",
}


class NexoError(TerminalProtocolError):
    """The terminal answered something that is not the nexo message asked for."""


# Requests ------------------------------------------------------------------------------


def header(category: str, *, sale_id: str, poi_id: str, service_id: str) -> dict[str, str]:
    if category not in CATEGORIES:
        raise ValueError(f"no nexo message category {category!r}")
    return {"ProtocolVersion": PROTOCOL_VERSION, "MessageClass": "Service",
            "MessageCategory": category, "MessageType": "Request", "ServiceID": service_id,
            "SaleID": sale_id, "POIID": poi_id}  # fmt: skip


def amount_number(amount: Decimal) -> str:
    """An amount as the JSON number nexo reads: two decimals, no exponent."""
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{amount} is not an amount of money")
    return f"{amount:.2f}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def payment_body(amount: Decimal, currency: str, transaction_id: str, *, refund: bool = False
                 ) -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {
        "SaleData": {"SaleTransactionID": {"TransactionID": transaction_id, "TimeStamp": _now()}},
        "PaymentTransaction": {"AmountsReq": {"Currency": currency,
                                              "RequestedAmount": Amount(amount)}},
    }  # fmt: skip
    if refund:
        body["PaymentData"] = {"PaymentType": "Refund"}
    return body


def reversal_body(transaction_id: str, timestamp: str) -> dict[str, Any]:
    return {"OriginalPOITransaction": {"POITransactionID": {"TransactionID": transaction_id,
                                                             "TimeStamp": timestamp}},
            "ReversalReason": "MerchantCancel"}  # fmt: skip


def status_body(reference: dict[str, str] | None = None) -> dict[str, Any]:
    """The status of a transaction (`reference`: its category, SaleID and ServiceID), or of
    the terminal's last one, with its receipts again."""
    body: dict[str, Any] = {"ReceiptReprintFlag": True,
                            "DocumentQualifier": ["CashierReceipt", "CustomerReceipt"]}  # fmt: skip
    if reference:
        body["MessageReference"] = reference
    return body


def abort_body(reference: dict[str, str]) -> dict[str, Any]:
    return {"AbortReason": "MerchantAbort", "MessageReference": reference}


class Amount:
    """A Decimal the encoder writes as a JSON number, exactly."""

    def __init__(self, amount: Decimal) -> None:
        self.text = amount_number(amount)


def encode(message: dict[str, Any]) -> bytes:
    """A request's bytes, amounts written as exact JSON numbers."""
    marks: dict[str, str] = {}

    def default(value: object) -> str:
        if isinstance(value, Amount):
            mark = f"\x00amount{len(marks)}\x00"
            marks[json.dumps(mark)] = value.text
            return mark
        raise TypeError(f"{type(value).__name__} is not JSON")

    text = json.dumps(message, default=default, separators=(",", ":"))
    for mark, number in marks.items():
        text = text.replace(mark, number)
    return text.encode()


def request(category: str, body: dict[str, Any], *, sale_id: str, poi_id: str,
            service_id: str) -> dict[str, Any]:  # fmt: skip
    return {"SaleToPOIRequest": {
        "MessageHeader": header(category, sale_id=sale_id, poi_id=poi_id, service_id=service_id),
        f"{category}Request": body}}  # fmt: skip


# Responses -----------------------------------------------------------------------------


@dataclass
class Answer:
    """What a terminal's response says, in the till's terms."""

    category: str
    success: bool
    condition: str = ""  # the ErrorCondition, when it failed
    message: str = ""  # why, for the cashier
    transaction_id: str = ""  # the terminal's POITransactionID
    timestamp: str = ""
    amount: Decimal | None = None
    card_type: str = ""
    masked_pan: str = ""
    approval_code: str = ""
    customer_receipt: list[str] = field(default_factory=list)
    merchant_receipt: list[str] = field(default_factory=list)
    totals: Decimal | None = None  # a reconciliation's net total
    payment: Answer | None = None  # a transaction status: the payment it found

    def outcome(self, asked: Decimal) -> Outcome:
        last4 = "".join(c for c in self.masked_pan if c.isdigit())[-4:]
        state = "approved" if self.success else "declined"
        # Adyen's POITransactionID is the tender reference, a dot and the PSP reference: the
        # tender reference alone names the transaction at the terminal within 32 characters.
        reference = self.transaction_id
        if len(reference) > 32:
            reference = reference.split(".")[0][:32]
        return Outcome(state, self.amount if self.amount is not None else asked, self.message,
                       reference=reference, receipt_number=self.transaction_id,
                       card_type=self.card_type, card_last4=last4 if len(last4) == 4 else "",
                       customer_receipt=self.customer_receipt,
                       merchant_receipt=self.merchant_receipt)  # fmt: skip


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise NexoError(f"{what} is not an object")
    return value


def _text(value: object, what: str, limit: int = 200) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise NexoError(f"{what} is not a short text")
    return value


def _money(value: object, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise NexoError(f"{what} is not an amount")
    try:
        amount = Decimal(value)
    except InvalidOperation as exc:
        raise NexoError(f"{what} is not an amount") from exc
    if not amount.is_finite() or abs(amount) >= 10**9 or amount != amount.quantize(Decimal("0.01")):
        raise NexoError(f"{what} is not an amount of money: {amount}")
    return amount


def parse(raw: bytes, expected: str) -> Answer:
    """The response to a request of category `expected`; NexoError when it is not one."""
    if len(raw) > MAX_RESPONSE:
        raise NexoError("a response longer than any")
    try:
        message = json.loads(raw, parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise NexoError(f"the terminal's answer is not JSON: {str(exc)[:80]}") from exc
    response = _object(_object(message, "the answer").get("SaleToPOIResponse"),
                       "SaleToPOIResponse")  # fmt: skip
    head = _object(response.get("MessageHeader"), "MessageHeader")
    if head.get("MessageCategory") != expected or head.get("MessageType") != "Response":
        raise NexoError(f"a {head.get('MessageCategory')!r} {head.get('MessageType')!r} message, "
                        f"not the {expected} response")  # fmt: skip
    return _body(expected, _object(response.get(f"{expected}Response"), f"{expected}Response"))


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _body(category: str, body: dict[str, Any]) -> Answer:
    result = _object(body.get("Response"), "Response")
    success = result.get("Result") in ("Success", "Partial")
    if result.get("Result") not in ("Success", "Partial", "Failure"):
        raise NexoError(f"Result {result.get('Result')!r} is none of nexo's")
    condition = _text(result.get("ErrorCondition"), "ErrorCondition", 40)
    answer = Answer(category, success, condition)
    if not success:
        refusal = _additional(result.get("AdditionalResponse")).get("message", "")
        answer.message = CONDITIONS.get(condition, condition or "the terminal refused")
        if refusal and condition == "Refusal":
            answer.message = f"{answer.message}: {refusal[:60]}"
    if category in ("Payment", "Reversal"):
        _transaction(answer, body)
    elif category == "TransactionStatus" and success:
        repeated = _object(body.get("RepeatedMessageResponse"), "RepeatedMessageResponse")
        inner = _object(repeated.get("RepeatedResponseMessageBody"), "RepeatedResponseMessageBody")
        answer.payment = _body("Payment", _object(inner.get("PaymentResponse"), "PaymentResponse"))
    elif category == "Reconciliation" and success:
        answer.totals = _totals(body.get("TransactionTotals", []))
    return answer


def _transaction(answer: Answer, body: dict[str, Any]) -> None:
    poi = body.get("POIData")
    if poi is not None:
        poi_id = _object(_object(poi, "POIData").get("POITransactionID"), "POITransactionID")
        answer.transaction_id = _text(poi_id.get("TransactionID"), "TransactionID", 64)
        answer.timestamp = _text(poi_id.get("TimeStamp"), "TimeStamp", 40)
    result = body.get("PaymentResult")
    if result is not None:
        result = _object(result, "PaymentResult")
        amounts = result.get("AmountsResp")
        if amounts is not None:
            answer.amount = _money(_object(amounts, "AmountsResp").get("AuthorizedAmount"),
                                   "AuthorizedAmount")  # fmt: skip
        instrument = _object(result.get("PaymentInstrumentData", {}), "PaymentInstrumentData")
        card = _object(instrument.get("CardData", {}), "CardData")
        answer.card_type = _text(card.get("PaymentBrand"), "PaymentBrand", 32)
        answer.masked_pan = _text(card.get("MaskedPan"), "MaskedPan", 32)
        acquirer = _object(result.get("PaymentAcquirerData", {}), "PaymentAcquirerData")
        answer.approval_code = _text(acquirer.get("ApprovalCode"), "ApprovalCode", 16)
    receipts = body.get("PaymentReceipt", [])
    if not isinstance(receipts, list) or len(receipts) > 8:
        raise NexoError("PaymentReceipt is not a list of receipts")
    for receipt in receipts:
        receipt = _object(receipt, "PaymentReceipt")
        lines = _receipt_lines(_object(receipt.get("OutputContent"), "OutputContent"))
        if receipt.get("DocumentQualifier") == "CashierReceipt":
            answer.merchant_receipt.extend(lines)
        elif receipt.get("DocumentQualifier") == "CustomerReceipt":
            answer.customer_receipt.extend(lines)


def _receipt_lines(content: dict[str, Any]) -> list[str]:
    """A receipt's text lines. Adyen writes each as a query string (key=…&name=…&value=…):
    the line is its name and value."""
    texts = content.get("OutputText", [])
    if not isinstance(texts, list) or len(texts) > 200:
        raise NexoError("OutputText is not a list of lines")
    lines = []
    for entry in texts:
        text = _text(_object(entry, "OutputText").get("Text"), "Text", 400)
        fields = _additional(text) if "=" in text else {}
        if fields.get("name") is not None or fields.get("value") is not None:
            text = " ".join(v for v in (fields.get("name", ""), fields.get("value", "")) if v)
        lines.append(text[:64])
    return lines


def _additional(text: object) -> dict[str, str]:
    """A query string (AdditionalResponse, a receipt line) as its fields."""
    from urllib.parse import parse_qsl

    if not isinstance(text, str) or len(text) > 4000:
        return {}
    return dict(parse_qsl(text, keep_blank_values=True))


def _totals(totals: object) -> Decimal:
    """A reconciliation's net: debits less credits, over every instrument."""
    if not isinstance(totals, list) or len(totals) > 64:
        raise NexoError("TransactionTotals is not a list")
    net = Decimal(0)
    for total in totals:
        for payment in _object(total, "TransactionTotals").get("PaymentTotal", []):
            payment = _object(payment, "PaymentTotal")
            amount = _money(payment.get("TransactionAmount", 0), "TransactionAmount")
            kind = payment.get("TransactionType")
            if kind in ("Debit", "OneTimeReservation", "CompletedReservation"):
                net += amount
            elif kind in ("Credit", "ReverseDebit"):
                net -= amount
            elif kind == "ReverseCredit":
                net += amount
    return net


# The terminal --------------------------------------------------------------------------


@dataclass
class NexoTerminal:
    """A nexo terminal at a URL (https://10.0.0.9:8443; the path /nexo is added when it is
    not given). `sale_id` names the till to the terminal, `poi_id` the terminal."""

    url: str
    poi_id: str
    sale_id: str = "store-edge"
    currency: str = "EUR"
    connect_timeout: float = 3.0
    payment_seconds: float = 120.0
    verify: str | bool = True  # a CA file for the terminal's certificate, or the system's
    transport: httpx.BaseTransport | None = None
    _last_payment: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def at(cls, url: str, poi_id: str, **options: Any) -> NexoTerminal:
        parsed = httpx.URL(url)
        if parsed.scheme not in ("https", "http") or not parsed.host:
            raise TerminalError(f"{url!r} is not https://host:port of a nexo terminal")
        if parsed.path in ("", "/"):
            url = str(parsed.copy_with(path=PATH))
        if not poi_id or len(poi_id) > 64:
            raise TerminalError("a nexo terminal needs its POIID (model-serial number)")
        return cls(url, poi_id, **options)

    def pay(self, amount: Decimal, on_prompt: Prompt | None = None) -> Outcome:
        return self._payment(amount, on_prompt, refund=False)

    def refund(self, amount: Decimal, on_prompt: Prompt | None = None) -> Outcome:
        return self._payment(amount, on_prompt, refund=True)

    def reverse(self, receipt_number: str, amount: Decimal) -> Outcome:
        """Reverse the payment the terminal numbered `receipt_number` (its POITransactionID)."""
        answer = self._ask("Reversal", reversal_body(receipt_number, _now()), ANSWER_SECONDS)
        if answer is None:
            return Outcome("unknown", amount, "the terminal did not answer the reversal")
        return answer.outcome(amount)

    def last_transaction(self) -> Outcome | None:
        """The terminal's record of its last transaction, None if it has none (or it was
        not a payment that went through the terminal). TerminalError if it cannot be asked."""
        answer = self._ask("TransactionStatus", status_body(), 30)
        if answer is None:
            raise TerminalError("the terminal did not say what its last transaction was")
        if not answer.success:
            if answer.condition == "InProgress":
                raise TerminalError("the payment is still going on at the terminal")
            return None
        if answer.payment is None:
            raise NexoError("a transaction status without the transaction")
        return answer.payment.outcome(answer.payment.amount or Decimal(0))

    def end_of_day(self) -> Outcome:
        answer = self._ask("Reconciliation", {"ReconciliationType": "SaleReconciliation"}, 180)
        if answer is None:
            return Outcome("unknown", Decimal(0), "the terminal did not close its day")
        if not answer.success:
            return Outcome("declined", Decimal(0), answer.message)
        return Outcome("approved", answer.totals or Decimal(0))

    def status(self) -> bool:
        answer = self._ask("Diagnosis", {"HostDiagnosisFlag": False}, ANSWER_SECONDS)
        return answer is not None and answer.success

    def abort(self) -> None:
        """Ask the terminal to stop the payment it is taking (the customer may still have
        paid: the payment's own answer says)."""
        if self._last_payment:
            self._ask("Abort", abort_body(self._last_payment), ANSWER_SECONDS, answered=False)

    # The dialogue ------------------------------------------------------------------------

    def _payment(self, amount: Decimal, on_prompt: Prompt | None, *, refund: bool) -> Outcome:
        if on_prompt:
            on_prompt("follow the terminal")
        transaction = f"{int(time.time())}{secrets.randbelow(1000):03d}"
        body = payment_body(amount, self.currency, transaction, refund=refund)
        try:
            answer = self._ask("Payment", body, self.payment_seconds)
        except NexoError as exc:  # it answered, but not so that the till knows what happened
            return Outcome("unknown", amount, f"the terminal's answer is not understood: {exc}")
        if answer is None:
            # The terminal may still be waiting for the card: stop it there before anyone
            # asks what came of it.
            try:
                self.abort()
            except TerminalError:
                pass
            return Outcome("unknown", amount, "the terminal's answer did not come")
        if answer.success and answer.amount is not None and answer.amount != amount:
            return Outcome("unknown", amount,
                           f"the terminal approved {answer.amount}, not {amount}")  # fmt: skip
        return answer.outcome(amount)

    def _ask(self, category: str, body: dict[str, Any], seconds: float, *,
             answered: bool = True) -> Answer | None:  # fmt: skip
        """The terminal's answer; None when the request went out and its answer did not
        come (the outcome is not known); TerminalError when nothing reached the terminal."""
        service_id = f"{secrets.randbelow(10**10):010d}"
        reference = {"MessageCategory": category, "SaleID": self.sale_id, "ServiceID": service_id}
        if category == "Payment":
            self._last_payment = {**reference, "POIID": self.poi_id}
        data = encode(request(category, body, sale_id=self.sale_id, poi_id=self.poi_id,
                              service_id=service_id))  # fmt: skip
        timeout = httpx.Timeout(seconds + 5, connect=self.connect_timeout)
        try:
            with httpx.Client(
                verify=self.verify, timeout=timeout, transport=self.transport
            ) as http:
                response = http.post(self.url, content=data,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise TerminalError(f"cannot reach the terminal at {self.url}: {exc}") from exc
        except httpx.TransportError:
            return None  # sent, and the answer never came: unknown
        if not answered:
            return None
        if response.status_code != 200:
            raise NexoError(f"the terminal answered HTTP {response.status_code}")
        return parse(response.content, category)
