"""The device gateway: owns the lanes' ports, relays scans and scale readings to the store
through Redis, prints the lanes' print jobs (and kicks their drawers), and reports each
device's health. A device that goes away is reported and
retried with backoff; it never takes the gateway down."""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import redis
from django.db import close_old_connections
from django.utils import timezone

from devices.displays import DisplayError, PoleDisplay
from devices.printers import (
    LayoutError,
    PrinterError,
    PrinterNotReady,
    PrinterStatus,
    Receipt,
    drawer_kick,
    drawer_pulse,
    render,
)
from devices.printers.connection import ReceiptPrinter, open_printer
from devices.scales import ScaleError
from devices.scales.drivers import (
    SERIAL_PROTOCOLS,
    ModbusScale,
    RegisterMap,
    Scale,
    SerialSettings,
    serial_scale,
)
from devices.scanners import DeviceHealth, ScannerSettings, SerialScanner
from devices.terminals import Outcome, Terminal, TerminalError, open_terminal
from store_edge.catalog.selectors import config_state
from store_edge.peripherals.models import (
    DeviceKind,
    DeviceProtocol,
    LaneDevice,
    PrintJob,
    TerminalPayment,
)
from store_edge.peripherals.pole import pole_wake_key, screen_for, welcome
from store_edge.peripherals.printing import print_key
from store_edge.peripherals.relay import (
    SCAN_FRESH_SECONDS,
    gateway_relay,
    publish_health,
    publish_reading,
    publish_scan,
)
from store_edge.peripherals.terminal import (
    PROMPT_TTL_SECONDS,
    done_key,
    prompt_key,
    safe_lines,
    work_key,
)

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2
BACKOFF_MAX = 10.0
PRINTER_STATUS_SECONDS = 2.0  # how often an idle printer is asked how it is
PRINT_LOOK_SECONDS = 1.0  # the longest a job waits when Redis did not wake the gateway
TERMINAL_STATUS_SECONDS = 30.0  # how often an idle terminal is asked whether it is there
RESOLVE_AGAIN_SECONDS = 2.0  # between two questions to a terminal about an unknown outcome
DOUBTFUL = (TerminalPayment.State.SENT, TerminalPayment.State.UNKNOWN)
OUTCOME_STATES = {"approved": TerminalPayment.State.APPROVED,
                  "declined": TerminalPayment.State.DECLINED}  # fmt: skip


@dataclass(frozen=True)
class DeviceConfig:
    id: int
    lane: int
    kind: str
    protocol: str
    port: str
    baudrate: int | None
    bytesize: int | None
    parity: str
    stopbits: int | None
    options: dict[str, Any]

    @classmethod
    def of(cls, device: LaneDevice) -> DeviceConfig:
        return cls(device.id, device.lane.number, device.kind, device.protocol, device.port,
                   device.baudrate, device.bytesize, device.parity, device.stopbits,
                   dict(device.options))  # fmt: skip

    def serial(self) -> SerialSettings:
        defaults = SERIAL_PROTOCOLS.get(self.protocol, (None, SerialSettings("", 9600, 8, "N")))[1]
        return SerialSettings(
            self.port,
            self.baudrate or defaults.baudrate,
            self.bytesize or defaults.bytesize,
            self.parity or defaults.parity,
            self.stopbits or defaults.stopbits,
            float(self.options.get("timeout", 0.5)),
        )


def open_scale(config: DeviceConfig) -> Scale:
    """Open the scale a lane device describes."""
    if config.protocol in (DeviceProtocol.MODBUS_TCP, DeviceProtocol.MODBUS_RTU):
        registers = RegisterMap(**config.options.get("registers", {}))
        if config.protocol == DeviceProtocol.MODBUS_TCP:
            host, _, port = config.port.rpartition(":")
            return ModbusScale(registers=registers, host=host or config.port,
                               port=int(port) if host else 502)  # fmt: skip
        return ModbusScale(registers=registers, serial_settings=config.serial())
    return serial_scale(config.protocol, config.serial())


@dataclass
class DeviceWorker:
    config: DeviceConfig
    health: DeviceHealth = field(default_factory=DeviceHealth)
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    printer_status: PrinterStatus | None = None

    def start(self) -> None:
        target = {DeviceKind.SCALE: self._scale, DeviceKind.PRINTER: self._printer,
                  DeviceKind.TERMINAL: self._terminal, DeviceKind.DISPLAY: self._pole,
                  }.get(DeviceKind(self.config.kind), self._scanner)  # fmt: skip
        self.thread = threading.Thread(target=self._guarded, args=(target,), daemon=True,
                                       name=f"device-{self.config.id}")  # fmt: skip
        self.thread.start()

    def _guarded(self, target: Any) -> None:
        while not self.stop.is_set():
            try:
                target()
                return
            except Exception as exc:  # noqa: BLE001 - one device must never take the gateway down
                logger.exception("device %s failed; restarting it", self.config.id)
                self._failed(f"unexpected: {exc}")
                self.stop.wait(1)

    def _scale(self) -> None:
        scale: Scale | None = None
        backoff = 0.25
        while not self.stop.is_set():
            try:
                if scale is None:
                    scale = open_scale(self.config)
                    self.health.connected, backoff = True, 0.25
                reading = scale.read()
                self.health.last_seen, self.health.reads = time.time(), self.health.reads + 1
                publish_reading(self.config.lane, reading)
                self._report()
                self.stop.wait(POLL_SECONDS)
            except ScaleError as exc:
                self._failed(str(exc))
                if scale is not None:
                    scale.close()
                    scale = None
                self.stop.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
            except redis.RedisError as exc:
                self._failed(f"Redis: {exc}")
                self.stop.wait(backoff)
        if scale is not None:
            scale.close()

    def _printer(self) -> None:
        """Print the lane's jobs in order as they come; between them, read the printer's
        status every few seconds. A job the printer cannot take is held (never retried on
        its own: the customer may have gone), and the cashier reprints it."""
        printer: ReceiptPrinter | None = None
        backoff, asked_at = 0.25, 0.0
        while not self.stop.is_set():
            try:
                close_old_connections()
                if printer is None:
                    timeout = float(self.config.options.get("timeout", 1))
                    printer = open_printer(self.config.port, baudrate=self.config.baudrate,
                                           timeout=timeout)  # fmt: skip
                    self.health.connected, backoff = True, 0.25
                job = PrintJob.objects.filter(lane__number=self.config.lane,
                                              state=PrintJob.State.QUEUED).first()  # fmt: skip
                if job is not None:
                    self._print(printer, job)
                    asked_at = time.monotonic()
                    continue
                if time.monotonic() - asked_at >= PRINTER_STATUS_SECONDS:
                    self._printer_seen(printer.status())
                    asked_at = time.monotonic()
                self._wait_for_job()
            except PrinterError as exc:
                self._failed(str(exc))
                self._hold_all(str(exc))
                if printer is not None:
                    printer.close()
                    printer = None
                self.stop.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
        if printer is not None:
            printer.close()

    def _print(self, printer: ReceiptPrinter, job: PrintJob) -> None:
        try:
            document = Receipt.from_json(job.document) if job.document else None
        except LayoutError as exc:
            self._job_done(job, PrintJob.State.HELD, f"not a receipt: {exc}")
            return
        width = int(self.config.options.get("width", 42))
        data = drawer_kick() if document is None else render(document, width=width,
                                                               drawer=job.drawer)  # fmt: skip
        try:
            status = printer.send(data)
        except PrinterNotReady as exc:  # it answers: the drawer opens all the same
            if job.drawer:
                printer.line.write(drawer_pulse())
                logger.info("lane %s: drawer opened without its receipt", self.config.lane)
            self._job_done(job, PrintJob.State.HELD, str(exc), drawer_opened=job.drawer)
            self._printer_seen(exc.status)
            return
        except PrinterError as exc:
            self._job_done(job, PrintJob.State.HELD, str(exc))
            raise
        self._job_done(job, PrintJob.State.PRINTED, "", drawer_opened=job.drawer)
        self._printer_seen(status)

    def _job_done(self, job: PrintJob, state: str, error: str, *, drawer_opened: bool = False
                  ) -> None:  # fmt: skip
        fields: dict[str, Any] = {"state": state, "last_error": error[:200],
                                  "attempts": job.attempts + 1}  # fmt: skip
        if state == PrintJob.State.PRINTED:
            fields["printed_at"] = timezone.now()
        if drawer_opened:
            fields["drawer"] = False  # opened: printing it again opens it no more
        PrintJob.objects.filter(id=job.id).update(**fields)

    def _hold_all(self, error: str) -> None:
        """The printer is away: the jobs waiting for it are held, and the cashier told."""
        try:
            PrintJob.objects.filter(lane__number=self.config.lane,
                                    state=PrintJob.State.QUEUED).update(
                state=PrintJob.State.HELD, last_error=error[:200])  # fmt: skip
        except Exception:  # noqa: BLE001 - the database being busy must not stop the worker
            logger.exception("could not hold lane %s's print jobs", self.config.lane)

    def _printer_seen(self, status: PrinterStatus) -> None:
        self.printer_status = status
        self.health.connected = True
        self.health.last_seen, self.health.reads = time.time(), self.health.reads + 1
        self.health.last_error = status.problem
        self._report()

    def _wait_for_job(self) -> None:
        self._wait_on(print_key(self.config.lane))

    def _wait_on(self, key: str) -> None:
        """Until work is queued for the lane (Redis wakes us) or a second has passed."""
        try:
            gateway_relay().blpop([key], timeout=PRINT_LOOK_SECONDS)
        except (redis.RedisError, OSError, ValueError):
            self.stop.wait(PRINT_LOOK_SECONDS / 4)

    def _pole(self) -> None:
        """Keep the lane's pole display showing the lane's latest screen (a welcome until
        the lane shows something); a display plugged back in is shown it again at once."""
        display: PoleDisplay | None = None
        backoff, shown = 0.25, None
        while not self.stop.is_set():
            try:
                close_old_connections()
                if display is None:
                    display = PoleDisplay.open(self.config.port, baudrate=self.config.baudrate)
                    self.health.connected, backoff, shown = True, 0.25, None
                wanted = screen_for(gateway_relay(), self.config.lane, time.time(), welcome())
                if wanted != shown:
                    display.show(*wanted)
                    shown = wanted
                    self.health.last_seen, self.health.reads = time.time(), self.health.reads + 1
                    self.health.connected, self.health.last_error = True, ""
                    self._report()
                self._wait_on(pole_wake_key(self.config.lane))
            except DisplayError as exc:
                self._failed(str(exc))
                if display is not None:
                    display.close()
                    display = None
                self.stop.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)
            except (redis.RedisError, OSError) as exc:
                self._failed(f"Redis: {exc}")
                self.stop.wait(backoff)
        if display is not None:
            display.close()

    def _terminal(self) -> None:
        """Carry out the lane's card payments one at a time. Before each, and before
        anything else, a payment whose outcome is unknown is resolved with the terminal's
        record of its last transaction: charged (approved, recorded once) or not."""
        terminal = self._open_terminal()
        last_receipt: str | None = None  # the terminal's last receipt number, once known
        asked_at, backoff = 0.0, 0.25
        payments = TerminalPayment.objects.filter(lane__number=self.config.lane)
        while not self.stop.is_set():
            pending: TerminalPayment | None = None
            try:
                close_old_connections()
                doubtful = payments.filter(state__in=DOUBTFUL).first()
                if doubtful is not None:
                    if not self._resolve(terminal, doubtful):
                        self.stop.wait(RESOLVE_AGAIN_SECONDS)
                    last_receipt = None  # asked again before the next payment
                    continue
                pending = payments.filter(state=TerminalPayment.State.PENDING).first()
                if pending is None:
                    if time.monotonic() - asked_at >= TERMINAL_STATUS_SECONDS:
                        asked_at = time.monotonic()
                        self._terminal_seen(terminal.status())
                    self._wait_on(work_key(self.config.lane))
                    continue
                if last_receipt is None:
                    last = terminal.last_transaction()
                    last_receipt = last.receipt_number if last else ""
                outcome = self._carry_out(terminal, pending, last_receipt)
                if outcome.state == "approved" and outcome.receipt_number:
                    last_receipt = outcome.receipt_number
                backoff = 0.25
            except TerminalError as exc:  # nothing was sent: nothing was charged
                if pending is not None:
                    self._finished(pending, TerminalPayment.State.DECLINED,
                                   message=f"{exc}: nothing was charged")  # fmt: skip
                self._failed(str(exc))
                last_receipt = None
                self.stop.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX)

    def _open_terminal(self) -> Terminal:
        options = self.config.options
        extra: dict[str, Any] = {"payment_seconds": float(options.get("payment_seconds", 120))}
        if self.config.protocol == DeviceProtocol.ZVT:
            extra["baudrate"] = self.config.baudrate
        if self.config.protocol == DeviceProtocol.NEXO:
            extra.update(poi_id=str(options.get("poi_id", "")),
                         sale_id=str(options.get("sale_id") or f"lane{self.config.lane}"),
                         currency=config_state().currency or "EUR",
                         verify=str(options["ca"]) if options.get("ca") else True)  # fmt: skip
        return open_terminal(self.config.protocol, self.config.port, **extra)

    def _carry_out(self, terminal: Terminal, payment: TerminalPayment, baseline: str) -> Outcome:
        TerminalPayment.objects.filter(id=payment.id).update(state=TerminalPayment.State.SENT,
                                                             baseline_receipt=baseline)  # fmt: skip
        if payment.what == "end_of_day":
            outcome = terminal.end_of_day()
        elif payment.what == "refund":
            outcome = terminal.refund(payment.amount, self._prompt)
        else:
            outcome = terminal.pay(payment.amount, self._prompt)
        state = OUTCOME_STATES.get(outcome.state, TerminalPayment.State.UNKNOWN)
        self._finished(payment, state, outcome)
        self._terminal_seen(True)
        return outcome

    def _resolve(self, terminal: Terminal, payment: TerminalPayment) -> bool:
        """Settle an unknown outcome by the terminal's last transaction; False while it
        cannot be settled (the terminal away, or its last transaction another one)."""
        if payment.state == TerminalPayment.State.SENT:  # the gateway stopped mid-payment
            TerminalPayment.objects.filter(id=payment.id).update(
                state=TerminalPayment.State.UNKNOWN
            )
        try:
            last = terminal.last_transaction()
        except TerminalError as exc:
            self._failed(str(exc))
            TerminalPayment.objects.filter(id=payment.id).update(
                message=f"checking the terminal: {exc}"[:200])  # fmt: skip
            return False
        self._terminal_seen(True)
        baseline = payment.baseline_receipt
        if (
            payment.what == "end_of_day"
            or (last is None and not baseline)
            or (last is not None and last.receipt_number == baseline)
        ):
            why = "the terminal has no record of it: nothing was charged"
            self._finished(payment, TerminalPayment.State.DECLINED, message=why)
            return True
        if last is not None and last.state == "approved" and last.amount == payment.amount:
            self._finished(payment, TerminalPayment.State.APPROVED, last,
                           message="approved, as the terminal's record says")  # fmt: skip
            return True
        TerminalPayment.objects.filter(id=payment.id).update(
            message="the terminal's last transaction is another one: a supervisor checks it"
        )
        return False

    def _finished(self, payment: TerminalPayment, state: str, outcome: Outcome | None = None,
                  *, message: str = "") -> None:  # fmt: skip
        fields: dict[str, Any] = {"state": state, "finished_at": timezone.now()}
        if outcome is not None:
            last4 = outcome.card_last4 if len(outcome.card_last4) == 4 else ""
            fields.update(
                reference=outcome.reference[:32], receipt_number=outcome.receipt_number[:64],
                card_type=safe_lines([outcome.card_type])[0][:32], card_last4=last4,
                customer_receipt=safe_lines(outcome.customer_receipt),
                merchant_receipt=safe_lines(outcome.merchant_receipt),
            )  # fmt: skip
            if payment.what == "end_of_day":
                fields["amount"] = outcome.amount
        fields["message"] = (message or (outcome.message if outcome else ""))[:200]
        TerminalPayment.objects.filter(id=payment.id).update(**fields)
        try:
            client = gateway_relay()
            client.delete(prompt_key(self.config.lane))
            client.rpush(done_key(payment.id), "1")
            client.expire(done_key(payment.id), 60)
        except (redis.RedisError, OSError, ValueError):
            logger.info("lane %s is not told at once: it looks again", self.config.lane)

    def _prompt(self, text: str) -> None:
        try:
            gateway_relay().set(prompt_key(self.config.lane), text, ex=PROMPT_TTL_SECONDS)
        except (redis.RedisError, OSError, ValueError):
            pass  # the page shows "at the terminal" without the terminal's words

    def _terminal_seen(self, ready: bool) -> None:
        self.health.connected = ready
        self.health.last_seen, self.health.reads = time.time(), self.health.reads + 1
        self.health.last_error = "" if ready else "the terminal is not ready"
        self._report()

    def _scanner(self) -> None:
        options = self.config.options
        settings = ScannerSettings(self.config.port, self.config.baudrate or 9600,
                                   self.config.bytesize or 8, self.config.parity or "N",
                                   self.config.stopbits or 1, options.get("prefix", ""),
                                   options.get("suffix", ""))  # fmt: skip

        # The port is read on this thread and scans are relayed from another: a slow Redis
        # never holds the port, so each scan keeps the time it was really read.
        scans: queue.Queue[tuple[str, float]] = queue.Queue()
        scanner = SerialScanner(settings, lambda code: scans.put((code, time.time())),
                                self.health)  # fmt: skip
        for target in (self._report_every_second, lambda: self._relay_scans(scans)):
            threading.Thread(target=target, daemon=True).start()
        scanner.run(self.stop)

    def _relay_scans(self, scans: queue.Queue[tuple[str, float]]) -> None:
        while not self.stop.is_set():
            try:
                code, read_at = scans.get(timeout=0.5)
            except queue.Empty:
                continue
            self._relay_scan(code, read_at)

    def _relay_scan(self, code: str, read_at: float) -> None:
        """Relay a scan, retrying while the cashier is still waiting to see it. Past
        SCAN_FRESH_SECONDS they have scanned the item again, and a late copy would ring it
        twice: it is dropped and the device reports why (a copy Redis takes too late is
        not rung either: see peripherals.scans_since)."""
        wait, scan_id, error = 0.05, uuid.uuid4().hex, "too late"
        while time.time() - read_at <= SCAN_FRESH_SECONDS and not self.stop.is_set():
            try:
                publish_scan(self.config.lane, code, read_at, scan_id)
                return
            except redis.RedisError as exc:
                error = str(exc)
            self.stop.wait(wait)
            wait = min(wait * 2, 0.5)
        logger.warning("a scan on lane %s was lost: Redis is away", self.config.lane)
        self._failed(f"a scan was lost: Redis: {error}", report=False)

    def _report_every_second(self) -> None:
        while not self.stop.wait(1.0):
            self._report()

    def _failed(self, message: str, *, report: bool = True) -> None:
        self.health.connected = False
        self.health.errors += 1
        self.health.last_error = message
        if report:
            self._report()

    def _report(self) -> None:
        extra = {} if self.printer_status is None else {"printer": self.printer_status.as_json()}
        try:
            publish_health(self.config.id, {"lane": self.config.lane, "kind": self.config.kind,
                                            "port": self.config.port, **extra,
                                            **self.health.as_json()})  # fmt: skip
        except redis.RedisError:
            logger.warning("cannot report device %s health: Redis is away", self.config.id)


class Gateway:
    """Runs one worker per active lane device; picks up configuration changes."""

    def __init__(self) -> None:
        self.workers: dict[int, DeviceWorker] = {}

    def sync(self) -> None:
        """Start workers for new or changed devices and stop those of removed ones."""
        wanted = {d.id: DeviceConfig.of(d) for d in
                  LaneDevice.objects.filter(active=True).select_related("lane")}  # fmt: skip
        for device_id, worker in list(self.workers.items()):
            if wanted.get(device_id) != worker.config:
                worker.stop.set()
                del self.workers[device_id]
        for device_id, config in wanted.items():
            if device_id not in self.workers:
                worker = DeviceWorker(config)
                worker.start()
                self.workers[device_id] = worker

    def stop(self) -> None:
        for worker in self.workers.values():
            worker.stop.set()
        for worker in self.workers.values():
            if worker.thread:
                worker.thread.join(timeout=3)
