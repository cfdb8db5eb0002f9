"""A nexo Sale-to-POI terminal on a local HTTP port, for tests and the demo: it takes a
`SaleToPOIRequest` as a terminal in local mode does and answers Payment (and refunds),
Reversal, TransactionStatus (the last transaction, with its receipts), Abort, Diagnosis and
Reconciliation, and on demand declines, times out (holds the request until the till gives
up), drops the connection right after charging, or answers slowly. A request that is not a
nexo request is answered as a terminal answers it: HTTP 400, or a Failure with
ErrorCondition "MessageFormat". What it charged is kept (`charges`)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from devices.terminals.nexo import CATEGORIES, MAX_RESPONSE, PROTOCOL_VERSION, Amount, encode
from devices.terminals.simulator import Charge, TerminalState

POI_ID = "V400m-324688179"
MASKED_PAN = "541333 **** 0011"


@dataclass
class NexoCharge(Charge):
    transaction_id: str = ""
    sale_reference: dict[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        return

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        simulator = self.server.simulator
        length = int(self.headers.get("Content-Length") or 0)
        if self.path != "/nexo" or not 0 < length <= MAX_RESPONSE:
            self._answer(400 if self.path == "/nexo" else 404, b"")
            return
        raw = self.rfile.read(length)
        try:
            message = json.loads(raw, parse_float=Decimal)
            request = message["SaleToPOIRequest"]
            head = request["MessageHeader"]
            category = head["MessageCategory"]
        except (ValueError, KeyError, TypeError):
            simulator.errors.append("not a SaleToPOIRequest")
            self._answer(400, b"")
            return
        simulator.received.append(message)
        answer = simulator.respond(category, head, request.get(f"{category}Request"))
        if answer is None:  # dropped, or held until the till gives up
            self.close_connection = True
            return
        self._answer(200, encode(answer))

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    simulator: NexoSimulator


@dataclass
class NexoSimulator:
    port: int = 0
    host: str = "127.0.0.1"
    poi_id: str = POI_ID
    state: TerminalState = field(default_factory=TerminalState)
    charges: list[NexoCharge] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = _Server((self.host, self.port), _Handler)
        self._server.simulator = self
        self.port = self._server.server_address[1]
        self._number = 0
        self._last: dict[str, Any] | None = None  # the last payment's response body
        self._stop_waiting = False  # an abort came for the payment being taken
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.1}, name="nexo-sim")  # fmt: skip
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def approved(self) -> list[NexoCharge]:
        with self._lock:
            return [c for c in self.charges if not c.reversed and not c.refund]

    def close(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=2)

    # Answers -----------------------------------------------------------------------------

    def respond(self, category: str, head: dict[str, Any], body: Any) -> dict[str, Any] | None:
        problem = self._malformed(category, head, body)
        if problem:
            self.errors.append(problem)
            return self._response(category, head, _failure("MessageFormat", problem))
        if category == "Payment":
            return self._payment(head, body)
        if category == "TransactionStatus":
            return self._response(category, head, self._status(body))
        if category == "Reversal":
            return self._response(category, head, self._reversal(body))
        if category == "Abort":
            self._stop_waiting = True
            return self._response(category, head, {"Response": {"Result": "Success"}})
        if category == "Reconciliation":
            return self._response(category, head, self._reconciliation())
        return self._response(category, head, {"Response": {"Result": "Success"},
                                               "POIStatus": {"GlobalStatus": "OK"}})  # fmt: skip

    def _malformed(self, category: str, head: dict[str, Any], body: Any) -> str:
        if category not in CATEGORIES:
            return f"no category {category!r}"
        for name in ("ProtocolVersion", "MessageClass", "MessageType", "ServiceID", "SaleID",
                     "POIID"):  # fmt: skip
            if not isinstance(head.get(name), str):
                return f"MessageHeader.{name} is missing"
        if head["MessageType"] != "Request" or head["POIID"] != self.poi_id:
            return "not a request to this terminal"
        if not isinstance(body, dict):
            return f"no {category}Request"
        return ""

    def _payment(self, head: dict[str, Any], body: dict[str, Any]) -> dict[str, Any] | None:
        asked_at = time.time()
        try:
            amount = Decimal(body["PaymentTransaction"]["AmountsReq"]["RequestedAmount"])
            sale = body["SaleData"]["SaleTransactionID"]
        except (KeyError, TypeError, InvalidOperation):
            return self._response("Payment", head, _failure("MessageFormat", "no amount"))
        refund = body.get("PaymentData", {}).get("PaymentType") == "Refund"
        self._stop_waiting = False
        if self.state.delay:
            self._wait(self.state.delay)
        if self.state.mode == "timeout" and not refund:
            self._wait(3600)  # the customer never comes: until the till gives up or aborts
            if not self._stop_waiting:
                return None
            return self._response("Payment", head, _failure("Aborted", ""))
        if self.state.mode == "decline" and not refund:
            failure = _failure("Refusal", "message=DECLINED&refusalReason=05 : Not enough balance")
            return self._response(
                "Payment", head, {**failure, "SaleData": {"SaleTransactionID": sale}}
            )
        with self._lock:
            self._number += 1
            transaction_id = f"sim{self._number:04d}.{int(asked_at)}"
            charge = NexoCharge(amount, self._number, self._number, refund=refund,
                                asked_at=asked_at, transaction_id=transaction_id,
                                sale_reference={"ServiceID": head["ServiceID"],
                                                "SaleID": head["SaleID"]})  # fmt: skip
            self.charges.append(charge)
            answer = self._approved(amount, transaction_id, sale)
            self._last = answer
        if self.state.mode == "drop_after_approve" and not refund:
            return None  # charged, and the connection drops before the till is told
        charge.told_at = time.time()
        return self._response("Payment", head, answer)

    def _wait(self, seconds: float) -> None:
        ends = time.monotonic() + seconds
        while time.monotonic() < ends and not self._stop.is_set() and not self._stop_waiting:
            time.sleep(0.05)

    def _approved(self, amount: Decimal, transaction_id: str, sale: Any) -> dict[str, Any]:
        stamp = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")

        def receipt(qualifier: str, title: str) -> dict[str, Any]:
            lines = [f"name={title}", "key=brand&name=Card&value=MC",
                     f"name=Card&value={MASKED_PAN}",
                     f"key=amount&name=Amount&value=EUR {amount:.2f}", "name=APPROVED"]  # fmt: skip
            return {"DocumentQualifier": qualifier, "RequiredSignatureFlag": False,
                    "OutputContent": {"OutputFormat": "Text",
                                      "OutputText": [{"Text": t} for t in lines]}}  # fmt: skip

        return {
            "Response": {"Result": "Success", "AdditionalResponse": "tid=75008565"},
            "SaleData": {"SaleTransactionID": sale},
            "POIData": {"POITransactionID": {"TransactionID": transaction_id, "TimeStamp": stamp},
                        "POIReconciliationID": "1000"},
            "PaymentResult": {
                "PaymentInstrumentData": {"PaymentInstrumentType": "Card",
                                          "CardData": {"PaymentBrand": "mc",
                                                       "MaskedPan": MASKED_PAN,
                                                       "EntryMode": ["Contactless"]}},
                "AmountsResp": {"AuthorizedAmount": Amount(amount), "Currency": "EUR"},
                "PaymentAcquirerData": {"ApprovalCode": "123456"},
            },
            "PaymentReceipt": [receipt("CashierReceipt", "Merchant copy"),
                               receipt("CustomerReceipt", "Customer copy")],
        }  # fmt: skip

    def _status(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            last = self._last
        if last is None:
            return _failure("NotFound", "")
        return {"Response": {"Result": "Success"},
                "RepeatedMessageResponse": {
                    "MessageHeader": {"MessageCategory": "Payment", "MessageType": "Response"},
                    "RepeatedResponseMessageBody": {"PaymentResponse": last}}}  # fmt: skip

    def _reversal(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            wanted = body["OriginalPOITransaction"]["POITransactionID"]["TransactionID"]
        except (KeyError, TypeError):
            return _failure("MessageFormat", "no OriginalPOITransaction")
        with self._lock:
            charge = next((c for c in self.charges if c.transaction_id == wanted
                           and not c.reversed and not c.refund), None)  # fmt: skip
            if charge is None:
                return _failure("NotFound", "")
            charge.reversed = True
        return {"Response": {"Result": "Success"},
                "POIData": {"POITransactionID": {"TransactionID": f"rev-{wanted}",
                                                 "TimeStamp": "2026-01-01T00:00:00.000Z"}},
                "ReversedAmount": Amount(charge.amount)}  # fmt: skip

    def _reconciliation(self) -> dict[str, Any]:
        with self._lock:
            paid = [c for c in self.charges if not c.reversed and not c.refund]
            refunds = [c for c in self.charges if c.refund]
            self.charges.clear()
        debits = sum((c.amount for c in paid), Decimal(0))
        credits = sum((c.amount for c in refunds), Decimal(0))
        totals = [
            {"TransactionType": "Debit", "TransactionCount": len(paid),
             "TransactionAmount": Amount(debits)},
            {"TransactionType": "Credit", "TransactionCount": len(refunds),
             "TransactionAmount": Amount(credits)},
        ]  # fmt: skip
        return {
            "Response": {"Result": "Success"},
            "ReconciliationType": "SaleReconciliation",
            "POIReconciliationID": "1001",
            "TransactionTotals": [{"PaymentInstrumentType": "Card", "PaymentTotal": totals}],
        }

    def _response(
        self, category: str, head: dict[str, Any], body: dict[str, Any]
    ) -> dict[str, Any]:
        answer_head = {"ProtocolVersion": PROTOCOL_VERSION, "MessageClass": "Service",
                       "MessageCategory": category, "MessageType": "Response",
                       "ServiceID": head.get("ServiceID", ""), "SaleID": head.get("SaleID", ""),
                       "POIID": self.poi_id}  # fmt: skip
        return {"SaleToPOIResponse": {"MessageHeader": answer_head, f"{category}Response": body}}


def _failure(condition: str, additional: str) -> dict[str, Any]:
    response = {"Result": "Failure", "ErrorCondition": condition}
    if additional:
        response["AdditionalResponse"] = additional
    return {"Response": response}
