"""ZVT payment terminals: APDUs and BMPs built by hand from the ZVT specification (ECR
interface, revision 13), the parsers fuzzed, and the driver against the simulated terminal
over real TCP: approve, decline, time out, drop the line after charging, reverse, end of
day."""

from __future__ import annotations

import socket
import threading
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deploy.local.redis_server import free_port
from devices.terminals import TerminalError, ZvtTerminal, zvt
from devices.terminals.simulator import ZvtSimulator
from tests.store_edge.conftest import wait_until

# Hand-built from the specification --------------------------------------------------

# Authorisation (06 01) of 25.00 EUR: BMP 04, the amount in cents as 6 BCD bytes, then BMP
# 49, the currency code 978 as 2 BCD bytes; 10 bytes of data.
AUTH_25_EUR = bytes.fromhex("06 01 0A 04 000000002500 49 0978")
# Registration (06 00): password 000000, config byte BE, currency 978.
REGISTER = bytes.fromhex("06 00 06 000000 BE 0978")
# Reversal (06 30) of receipt 0012, End of day (06 50), Abort (06 B0): password 000000.
REVERSE_12 = bytes.fromhex("06 30 06 000000 87 0012")
END_OF_DAY = bytes.fromhex("06 50 03 000000")
ABORT = bytes.fromhex("06 B0 00")
# Status information (04 0F) of an approved payment: result code 00, amount 25.00, trace
# 000123, time 14:25:30, date 12-04, the masked PAN as LLVAR (F0 F8: 8 bytes, hidden digits
# as E nibbles), terminal ID 52500038, receipt 0042, turnover 000123, card type 06
# (Mastercard), card name "Mastercard" as LLVAR (F1 F0: 10 bytes).
STATUS = bytes.fromhex(
    "27 00" "04 000000002500" "0B 000123" "0C 142530" "0D 1204"
    "22 F0F8 5413EEEEEEEE0011" "29 52500038" "87 0042" "88 000123" "8A 06"
    "8B F1F0" + b"Mastercard".hex()
)  # fmt: skip
# Print line (06 D1): attribute 00, then the text.
PRINT_LINE = bytes.fromhex("06 D1 0B 00") + b"Thank you!"
# Print text block (06 D3): BMP 06, a TLV container: 1F07 (receipt type 02, customer),
# 25 (print texts) holding two 07 (text line) objects: 22 bytes of data, 20 in the container.
TEXT_BLOCK = bytes.fromhex("06 D3 16 06 14 1F07 01 02 25 0E 07 05") + b"Visa " + bytes.fromhex(
    "07 05") + b"00.50"  # fmt: skip


def test_the_tills_commands_are_the_specifications_frames() -> None:
    assert zvt.authorisation(Decimal("25.00")).encode() == AUTH_25_EUR
    assert zvt.registration(0).encode() == REGISTER
    assert zvt.reversal(0, 12).encode() == REVERSE_12
    assert zvt.end_of_day(0).encode() == END_OF_DAY
    assert zvt.abort().encode() == ABORT


def test_a_long_apdu_has_the_three_byte_length() -> None:
    apdu = zvt.Apdu(zvt.PRINT_LINE, b"\x00" + b"x" * 299)
    encoded = apdu.encode()
    assert encoded[:5] == bytes.fromhex("06 D1 FF 2C 01")
    assert zvt.read_apdu(encoded) == (apdu, len(encoded))
    assert zvt.read_apdu(encoded[:-1]) is None


def test_status_information_reads_as_the_specification_defines_it() -> None:
    info = zvt.status_information(STATUS)
    assert info.approved and info.amount == Decimal("25.00")
    assert (info.trace, info.receipt, info.turnover, info.terminal_id) == (
        "000123", "0042", "000123", "52500038")  # fmt: skip
    assert (info.card_type, info.card_name, info.card_last4) == ("Mastercard", "Mastercard", "0011")
    assert info.reference == "52500038-000123-0042"
    assert info.when == "1204 142530"


def test_an_unmasked_card_number_leaves_only_its_last_four_digits() -> None:
    pan = "5413330089020011"
    info = zvt.status_information(bytes.fromhex(f"27 00 22 F0F8 {pan}"))
    assert info.card_last4 == "0011"
    assert pan not in repr(info) and pan[:12] not in repr(info)


def test_print_lines_and_text_blocks() -> None:
    line, _ = zvt.read_apdu(PRINT_LINE)  # type: ignore[misc]
    assert zvt.print_lines(line) == ("", ["Thank you!"])
    block, _ = zvt.read_apdu(TEXT_BLOCK)  # type: ignore[misc]
    assert zvt.print_lines(block) == ("customer", ["Visa", "00.50"])


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (bytes.fromhex("27"), "cut short"),
        (bytes.fromhex("99 00"), "unknown BMP"),
        (bytes.fromhex("22 F0"), "cut short"),
        (bytes.fromhex("22 A1 00"), r"LL\(L\)VAR"),
        (bytes.fromhex("04 0000000000AB"), "not BCD"),
        (bytes.fromhex("06 85"), "malformed"),
    ],
)
def test_malformed_status_information_is_a_clear_error(data: bytes, why: str) -> None:
    with pytest.raises(zvt.ZvtError, match=why):
        zvt.status_information(data)


@settings(max_examples=500)
@given(st.binary(max_size=600))
def test_garbage_is_a_zvt_error_or_a_message_never_a_crash(data: bytes) -> None:
    try:
        found = zvt.read_apdu(data)
    except zvt.ZvtError:
        return
    if found is None:
        return
    apdu, used = found
    assert used <= len(data)
    for parse in (zvt.parse_bmps, zvt.status_information, zvt.parse_tlv):
        try:
            parse(apdu.data)
        except zvt.ZvtError:
            pass
    try:
        zvt.print_lines(apdu)
    except zvt.ZvtError:
        pass


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2))
def test_amounts_go_through_bcd_as_they_are(amount: Decimal) -> None:
    info = zvt.status_information(b"\x04" + zvt.amount_bcd(amount))
    assert info.amount == amount


def test_an_amount_in_fractions_of_a_cent_is_refused() -> None:
    with pytest.raises(zvt.ZvtError):
        zvt.amount_bcd(Decimal("1.005"))
    with pytest.raises(zvt.ZvtError):
        zvt.amount_bcd(Decimal("-1.00"))


# The driver and the simulator --------------------------------------------------------


@pytest.fixture
def terminal():
    simulator = ZvtSimulator()
    yield simulator
    simulator.close()


def test_a_payment_sends_the_tills_amount_and_returns_the_terminals_answer(
    terminal: ZvtSimulator,
) -> None:
    prompts: list[str] = []
    outcome = ZvtTerminal.at(terminal.address).pay(Decimal("12.50"), prompts.append)
    assert outcome.state == "approved" and outcome.amount == Decimal("12.50")
    sent = [a for a in terminal.received if a.command == zvt.AUTHORISATION]
    assert [a.encode() for a in sent] == [zvt.authorisation(Decimal("12.50")).encode()]
    assert prompts == ["insert card"]
    assert (outcome.card_type, outcome.card_last4) == ("Mastercard", "0011")
    assert outcome.reference == "52500038-000001-0001" and outcome.receipt_number == "0001"
    assert outcome.customer_receipt[0] == "Customer copy"
    assert outcome.merchant_receipt[0] == "Merchant copy"
    assert [c.amount for c in terminal.approved()] == [Decimal("12.50")]
    assert terminal.errors == []  # every message was acknowledged
    (charge,) = terminal.charges
    assert 0 < charge.asked_at <= charge.told_at  # the terminal's own time, for the bench


def test_a_declined_card_is_declined_with_the_reason(terminal: ZvtSimulator) -> None:
    terminal.state.mode, terminal.state.decline_code = "decline", 0x51
    outcome = ZvtTerminal.at(terminal.address).pay(Decimal("3.00"))
    assert (outcome.state, outcome.message) == ("declined", "insufficient funds")
    assert terminal.approved() == []


def test_a_terminal_that_never_finishes_is_unknown_at_the_deadline(terminal: ZvtSimulator) -> None:
    terminal.state.mode = "timeout"
    started = time.monotonic()
    outcome = ZvtTerminal.at(terminal.address, payment_seconds=0.5).pay(Decimal("5.00"))
    assert outcome.state == "unknown" and "in time" in outcome.message
    assert time.monotonic() - started < 3


def test_a_line_dropped_after_charging_is_resolved_by_the_terminals_record(
    terminal: ZvtSimulator,
) -> None:
    driver = ZvtTerminal.at(terminal.address)
    driver.pay(Decimal("1.00"))
    before = driver.last_transaction()
    terminal.state.mode = "drop_after_approve"
    outcome = driver.pay(Decimal("4.00"))
    assert outcome.state == "unknown"
    terminal.state.mode = "approve"
    last = driver.last_transaction()
    assert last is not None and before is not None
    assert last.state == "approved" and last.amount == Decimal("4.00")
    assert last.receipt_number != before.receipt_number  # charged: once
    assert [c.amount for c in terminal.approved()] == [Decimal("1.00"), Decimal("4.00")]
    assert terminal.charges[-1].told_at == 0  # the till was never told


def test_a_terminal_without_a_last_transaction_says_so(terminal: ZvtSimulator) -> None:
    assert ZvtTerminal.at(terminal.address).last_transaction() is None


def test_reversal_end_of_day_and_status(terminal: ZvtSimulator) -> None:
    driver = ZvtTerminal.at(terminal.address)
    first = driver.pay(Decimal("7.00"))
    driver.pay(Decimal("2.50"))
    assert driver.reverse(first.receipt_number, Decimal("7.00")).state == "approved"
    assert driver.reverse(first.receipt_number, Decimal("7.00")).state == "declined"
    day = driver.end_of_day()
    assert (day.state, day.amount) == ("approved", Decimal("2.50"))
    assert driver.status()


def test_a_terminal_away_is_an_error_before_anything_is_sent() -> None:
    with pytest.raises(TerminalError, match="cannot reach the terminal"):
        ZvtTerminal.at(f"127.0.0.1:{free_port()}").pay(Decimal("1.00"))
    with pytest.raises(TerminalError, match="is not host:port"):
        ZvtTerminal.at("terminal:zvt")


def test_a_peer_that_speaks_no_zvt_never_hangs_the_till() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def junk() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(100)
            conn.sendall(b"\x80\x00\x00" + b"\x06\x0f\x00")  # registered
            conn.recv(100)
            conn.recv(100)
            conn.sendall(b"\x80\x00\x00" + b"\x04\x0f\x03\x99\x99\x99")  # an unknown BMP
            time.sleep(1)

    thread = threading.Thread(target=junk, daemon=True)
    thread.start()
    outcome = ZvtTerminal.at(f"127.0.0.1:{port}", payment_seconds=2).pay(Decimal("1.00"))
    assert outcome.state == "unknown" and "not ZVT" in outcome.message
    server.close()


def test_cli_says_whether_the_terminal_answers_and_its_last_payment(
    terminal: ZvtSimulator,
) -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    def devices(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "devices", *args],
                              cwd=Path(__file__).resolve().parents[2], capture_output=True,
                              text=True, timeout=30)  # fmt: skip

    ZvtTerminal.at(terminal.address).pay(Decimal("9.99"))
    ok = devices("terminal", "status", "--protocol", "zvt", "--port", terminal.address)
    assert ok.returncode == 0, ok.stderr
    answer = json.loads(ok.stdout)
    assert answer["ready"] and answer["last_transaction"]["amount"] == "9.99"
    away = devices("terminal", "status", "--protocol", "zvt", "--port",
                   f"127.0.0.1:{free_port()}")  # fmt: skip
    assert away.returncode == 3 and "cannot reach" in json.loads(away.stderr)["error"]
    assert devices("terminal", "status", "--port", terminal.address).returncode == 2


def test_a_payment_the_till_gave_up_on_is_aborted_before_it_charges(
    terminal: ZvtSimulator,
) -> None:
    terminal.state.delay = 2.0  # the customer takes longer than the till waits
    driver = ZvtTerminal.at(terminal.address, payment_seconds=0.5)
    outcome = driver.pay(Decimal("9.99"))
    assert outcome.state == "unknown"
    wait_until(lambda: terminal.aborts == 1)
    assert [a.command for a in terminal.received].count(zvt.ABORT) == 1
    assert terminal.approved() == []  # never charged, even after the customer came
    assert driver.last_transaction() is None
