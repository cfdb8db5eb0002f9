"""Diagnostics for the technician installing a store, and simulators for the demo.

    python -m devices scale read --protocol toledo8217 --port /dev/ttyUSB0 [--baud 9600]
    python -m devices scale read --protocol modbus --host 10.0.0.7 [--tcp-port 502]
    python -m devices scanner listen --port /dev/ttyACM0 [--count 1] [--seconds 30]
    python -m devices barcode parse CODE [--region de]
    python -m devices printer status --port 10.0.0.8:9100 (or /dev/usb/lp0, /dev/ttyUSB0)
    python -m devices printer test --port 10.0.0.8:9100 [--width 42] [--drawer]
    python -m devices terminal status --protocol zvt --port 10.0.0.9:20007
    python -m devices terminal status --protocol nexo --port https://10.0.0.9:8443 --poi-id V400m-1
    python -m devices display show --port /dev/ttyUSB1 "Welcome" "Lane 1" [--baud 9600]
    python -m devices simulate scale --protocol sics --link /tmp/scale0 [--weight 0.512]
    python -m devices simulate scanner --link /tmp/scanner0
    python -m devices simulate printer --tcp-port 9100 [--out var/printed]
    python -m devices simulate terminal --tcp-port 20007 [--mode approve] [--protocol nexo]
                                        [--link /tmp/zvt0 (ZVT on a serial line)]
    python -m devices simulate display --link /tmp/display0 [--out var/display.txt]

Each prints JSON. Exit codes: 0 done; 2 bad arguments; 3 port missing or not permitted;
4 no answer; 5 an answer of another protocol (or noise); 6 not a product code. A printer
that cannot print (out of paper, cover open, offline) is 3, with the reason.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

from devices.barcodes import BarcodeError, BarcodeRules, parse_code
from devices.displays import DisplayError
from devices.printers import PrinterError, PrinterNoAnswer, PrinterProtocolError
from devices.scales import ScaleError, ScaleNoAnswer, ScaleProtocolError, ScaleUnsellable
from devices.scales import sellable_weight as sellable
from devices.scales.drivers import SERIAL_PROTOCOLS, ModbusScale, RegisterMap, SerialSettings
from devices.scales.drivers import serial_scale as open_scale
from devices.scanners import ScannerSettings, SerialScanner
from devices.terminals import TerminalError, open_terminal

USAGE, PORT_PROBLEM, NO_ANSWER, WRONG_PROTOCOL, NOT_A_CODE = 2, 3, 4, 5, 6


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (ScaleNoAnswer, PrinterNoAnswer) as exc:
        return _fail(NO_ANSWER, str(exc))
    except PrinterProtocolError as exc:
        return _fail(WRONG_PROTOCOL, f"{exc} (is it an ESC/POS printer?)")
    except (PrinterError, TerminalError, DisplayError) as exc:
        return _fail(PORT_PROBLEM, str(exc))
    except ScaleProtocolError as exc:
        return _fail(WRONG_PROTOCOL, f"{exc} (is it the right protocol and baud rate?)")
    except ScaleError as exc:
        return _fail(PORT_PROBLEM, str(exc))
    except BarcodeError as exc:
        return _fail(NOT_A_CODE, str(exc))


def _fail(code: int, message: str) -> int:
    print(json.dumps({"error": message}), file=sys.stderr)
    return code


def _print(document: dict[str, Any]) -> None:
    print(json.dumps(document, default=str), flush=True)


def scale_read(args: argparse.Namespace) -> int:
    if args.protocol == "modbus":
        scale: Any = ModbusScale(registers=RegisterMap(), host=args.host, port=args.tcp_port,
                                 timeout=args.timeout)  # fmt: skip
    else:
        defaults = SERIAL_PROTOCOLS[args.protocol][1]
        settings = SerialSettings(
            args.port,
            args.baud or defaults.baudrate,
            args.bytesize or defaults.bytesize,
            args.parity or defaults.parity,
            args.stopbits or defaults.stopbits,
            args.timeout,
        )
        scale = open_scale(args.protocol, settings)
    try:
        reading = scale.read()
    finally:
        scale.close()
    document = reading.as_json()
    try:
        document["sellable_kg"] = str(sellable(reading))
    except ScaleUnsellable as exc:
        document["sellable_kg"], document["why_not"] = None, str(exc)
    _print(document)
    return 0


def scanner_listen(args: argparse.Namespace) -> int:
    stop = threading.Event()
    seen = 0

    def on_code(code: str) -> None:
        nonlocal seen
        seen += 1
        try:
            parsed: Any = _code_json(parse_code(code))
        except BarcodeError as exc:
            parsed = {"error": str(exc)}
        _print({"code": code, "parsed": parsed})
        if args.count and seen >= args.count:
            stop.set()

    scanner = SerialScanner(ScannerSettings(args.port, args.baud or 9600), on_code)
    thread = threading.Thread(target=scanner.run, args=(stop,), daemon=True)
    thread.start()
    stop.wait(args.seconds)
    stop.set()
    thread.join(timeout=2)
    if seen == 0 and scanner.health.errors:
        raise ScaleError(scanner.health.last_error)
    return 0


def barcode_parse(args: argparse.Namespace) -> int:
    _print(_code_json(parse_code(args.code, rules=BarcodeRules(rcn_region=args.region))))
    return 0


def _code_json(scanned: Any) -> dict[str, Any]:
    return {"kind": str(scanned.kind), "value": scanned.value, "price": scanned.price,
            "weight_kg": scanned.weight_kg, "expiry": scanned.expiry, "batch": scanned.batch,
            "symbology": scanned.symbology}  # fmt: skip


def printer_status(args: argparse.Namespace) -> int:
    from devices.printers.connection import open_printer

    printer = open_printer(args.port, timeout=args.timeout, baudrate=args.baud)
    try:
        status = printer.status()
    finally:
        printer.close()
    _print({"port": args.port, **status.as_json(), "can_print": status.can_print,
            "problem": status.problem})  # fmt: skip
    return 0


def printer_test(args: argparse.Namespace) -> int:
    """Print a test page: the widths, the code page's letters, a barcode, a cut."""
    from datetime import datetime

    from devices.printers import Receipt, Row, render
    from devices.printers.connection import open_printer

    page = Receipt(
        title="Printer test",
        header=(f"Port {args.port}", datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")),
        items=(Row("1" * args.width, ""), Row("Left", "right"),
               Row("Äpfel Öl Straße café crème ñandú", "1.00")),
        sums=(Row("TOTAL", "0.00", "grand"),),
        barcode="TEST-0000001",
        footer=("If this page reads well, the printer is set up.",),
    )  # fmt: skip
    printer = open_printer(args.port, timeout=args.timeout, baudrate=args.baud)
    try:
        status = printer.send(render(page, width=args.width, drawer=args.drawer))
    finally:
        printer.close()
    _print({"port": args.port, "printed": True, **status.as_json()})
    return 0


def terminal_status(args: argparse.Namespace) -> int:
    """Whether the terminal answers (a status enquiry), and its last transaction."""
    options: dict[str, Any] = {"connect_timeout": args.timeout}
    if args.protocol == "nexo":
        options.update(poi_id=args.poi_id or "", verify=args.ca or True)
    terminal = open_terminal(args.protocol, args.port, **options)
    if not terminal.status():
        return _fail(NO_ANSWER, f"the terminal at {args.port} took the connection, said nothing")
    last = terminal.last_transaction()
    told = None if last is None else last.as_json()
    if told is not None:
        told = {k: v for k, v in told.items() if not k.endswith("_receipt")}
    _print({"port": args.port, "protocol": args.protocol, "ready": True,
            "last_transaction": told})  # fmt: skip
    return 0


def display_show(args: argparse.Namespace) -> int:
    """Show two lines on a pole display (it answers nothing: look at it)."""
    from devices.displays import PoleDisplay, fit

    display = PoleDisplay.open(args.port, baudrate=args.baud)
    try:
        display.show(args.top, args.bottom)
    finally:
        display.close()
    _print({"port": args.port, "shown": [fit(args.top), fit(args.bottom)]})
    return 0


def simulate(args: argparse.Namespace) -> int:
    from devices.simulators import ScaleSimulator, ScannerSimulator

    device: Any
    if args.device == "terminal":
        from devices.terminals.simulator import TerminalState, ZvtSimulator

        state = TerminalState(mode=args.mode, delay=args.delay)
        if args.protocol == "nexo":
            from devices.terminals.nexo_simulator import NexoSimulator

            port = 8443 if args.tcp_port is None else args.tcp_port
            device = NexoSimulator(port=port, state=state)
            _print({"simulating": "terminal", "protocol": "nexo", "url": device.url,
                    "poi_id": device.poi_id})  # fmt: skip
            return _until_stopped(device)
        port = 20007 if args.tcp_port is None else args.tcp_port
        link = Path(args.link) if args.link else None
        device = ZvtSimulator(port=port, state=state, serial_path=link)
        _print({"simulating": "terminal", "protocol": "zvt", "address": device.address})
        return _until_stopped(device)
    if args.device == "printer":
        from devices.printers.simulator import PrinterSimulator, PrinterState

        out = Path(args.out) if args.out else None
        device = PrinterSimulator(port=args.tcp_port, out_dir=out,
                                  state=PrinterState(drawer_closes_after=3.0))  # fmt: skip
        _print({"simulating": "printer", "address": device.address, "out": args.out})
        return _until_stopped(device)
    link = Path(args.link)
    if args.device == "scale":
        device = ScaleSimulator(link, args.protocol)
        device.state.weight = Decimal(args.weight)
    elif args.device == "display":
        from devices.displays.simulator import PoleDisplaySimulator

        device = PoleDisplaySimulator(link, out=Path(args.out) if args.out else None)
    else:
        device = ScannerSimulator(link)
    _print({"simulating": args.device, "link": str(link)})
    return _until_stopped(device)


def _until_stopped(device: Any) -> int:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        device.close()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devices",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    groups = parser.add_subparsers(dest="group", required=True)

    scale = groups.add_parser("scale").add_subparsers(dest="action", required=True)
    read = scale.add_parser("read", help="print one reading as JSON")
    read.add_argument("--protocol", required=True, choices=[*SERIAL_PROTOCOLS, "modbus"])
    read.add_argument("--port", help="serial port, e.g. /dev/ttyUSB0")
    read.add_argument("--baud", type=int)
    read.add_argument("--bytesize", type=int, choices=[7, 8])
    read.add_argument("--parity", choices=["N", "E", "O"])
    read.add_argument("--stopbits", type=int, choices=[1, 2])
    read.add_argument("--host", help="Modbus TCP indicator")
    read.add_argument("--tcp-port", type=int, default=502)
    read.add_argument("--timeout", type=float, default=1.0)
    read.set_defaults(run=_checked_scale_read)

    scanner = groups.add_parser("scanner").add_subparsers(dest="action", required=True)
    listen = scanner.add_parser("listen", help="print scans as JSON lines")
    listen.add_argument("--port", required=True)
    listen.add_argument("--baud", type=int)
    listen.add_argument("--count", type=int, default=0, help="stop after this many scans")
    listen.add_argument("--seconds", type=float, default=30.0)
    listen.set_defaults(run=scanner_listen)

    barcode = groups.add_parser("barcode").add_subparsers(dest="action", required=True)
    parse = barcode.add_parser("parse", help="print what a code means as JSON")
    parse.add_argument("code")
    parse.add_argument("--region", help="ISO country code for variable-measure codes")
    parse.set_defaults(run=barcode_parse)

    printer = groups.add_parser("printer").add_subparsers(dest="action", required=True)
    for name, run, what in (("status", printer_status, "print the printer's status as JSON"),
                            ("test", printer_test, "print a test page")):  # fmt: skip
        command = printer.add_parser(name, help=what)
        command.add_argument("--port", required=True, help="host:port, /dev/usb/lp0, /dev/ttyUSB0")
        command.add_argument("--baud", type=int, help="serial printers (38400 by default)")
        command.add_argument("--timeout", type=float, default=1.0)
        if name == "test":
            command.add_argument("--width", type=int, default=42, choices=[32, 42, 48])
            command.add_argument("--drawer", action="store_true", help="kick the drawer too")
        command.set_defaults(run=run)

    terminal = groups.add_parser("terminal").add_subparsers(dest="action", required=True)
    status = terminal.add_parser("status", help="whether the terminal answers, its last payment")
    status.add_argument("--protocol", required=True, choices=["zvt", "nexo"])
    status.add_argument("--port", required=True, help="ZVT: host:port; nexo: https://host:8443")
    status.add_argument("--poi-id", help="nexo: the terminal's POIID")
    status.add_argument("--ca", help="nexo: a CA file for the terminal's certificate")
    status.add_argument("--timeout", type=float, default=3.0)
    status.set_defaults(run=terminal_status)

    display = groups.add_parser("display").add_subparsers(dest="action", required=True)
    show = display.add_parser("show", help="show two lines on a pole display")
    show.add_argument("--port", required=True, help="serial port, e.g. /dev/ttyUSB1")
    show.add_argument("--baud", type=int, help="9600 by default")
    show.add_argument("top")
    show.add_argument("bottom", nargs="?", default="")
    show.set_defaults(run=display_show)

    sim = groups.add_parser("simulate").add_subparsers(dest="device", required=True)
    sim_scale = sim.add_parser("scale")
    sim_scale.add_argument("--protocol", required=True, choices=list(SERIAL_PROTOCOLS))
    sim_scale.add_argument("--link", required=True)
    sim_scale.add_argument("--weight", default="0.512")
    sim_scale.set_defaults(run=simulate)
    sim_scanner = sim.add_parser("scanner")
    sim_scanner.add_argument("--link", required=True)
    sim_scanner.set_defaults(run=simulate)
    sim_printer = sim.add_parser("printer", help="an ESC/POS printer on a TCP port")
    sim_printer.add_argument("--tcp-port", type=int, default=9100)
    sim_printer.add_argument("--out", help="a directory: each receipt printed as a text file")
    sim_printer.set_defaults(run=simulate)
    sim_terminal = sim.add_parser("terminal", help="a ZVT or nexo payment terminal")
    sim_terminal.add_argument("--protocol", default="zvt", choices=["zvt", "nexo"])
    sim_terminal.add_argument("--tcp-port", type=int, help="ZVT 20007, nexo 8443 (HTTP)")
    sim_terminal.add_argument("--delay", type=float, default=0.0, help="seconds a customer takes")
    sim_terminal.add_argument("--link", help="ZVT on a serial line: a pty reached by this name")
    sim_terminal.add_argument(
        "--mode", default="approve", choices=["approve", "decline", "timeout", "drop_after_approve"]
    )
    sim_terminal.set_defaults(run=simulate)
    sim_display = sim.add_parser("display", help="a 2x20 pole display on a pty")
    sim_display.add_argument("--link", required=True)
    sim_display.add_argument("--out", help="a file: the display's two lines, as they change")
    sim_display.set_defaults(run=simulate)
    return parser


def _checked_scale_read(args: argparse.Namespace) -> int:
    if args.protocol == "modbus" and not args.host:
        return _fail(USAGE, "--host is needed for a Modbus TCP indicator")
    if args.protocol != "modbus" and not args.port:
        return _fail(USAGE, "--port is needed for a serial scale")
    return scale_read(args)


if __name__ == "__main__":
    sys.exit(main())
