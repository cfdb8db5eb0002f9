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
from store_edge.peripherals.models import DeviceKind, DeviceProtocol, LaneDevice, PrintJob
from store_edge.peripherals.printing import print_key
from store_edge.peripherals.relay import (
    SCAN_FRESH_SECONDS,
    gateway_relay,
    publish_health,
    publish_reading,
    publish_scan,
)

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.2
BACKOFF_MAX = 10.0
PRINTER_STATUS_SECONDS = 2.0  # how often an idle printer is asked how it is
PRINT_LOOK_SECONDS = 1.0  # the longest a job waits when Redis did not wake the gateway


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
        target = {DeviceKind.SCALE: self._scale, DeviceKind.PRINTER: self._printer}.get(
            DeviceKind(self.config.kind), self._scanner
        )
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
        """Until a job is queued for the lane (Redis wakes us) or a second has passed."""
        try:
            gateway_relay().blpop([print_key(self.config.lane)], timeout=PRINT_LOOK_SECONDS)
        except (redis.RedisError, OSError, ValueError):
            self.stop.wait(PRINT_LOOK_SECONDS / 4)

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
