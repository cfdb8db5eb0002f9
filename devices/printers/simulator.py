"""A receipt printer on a TCP port (raw, like port 9100 of a network printer) for tests and
the demo: it decodes the ESC/POS it is sent into text, barcodes, cuts and drawer kicks,
answers real-time status requests (DLE EOT 1-4) from its state, and can run out of paper,
have its cover open or go offline on demand. With `out_dir`, each receipt it cuts is
written there as a text file (the demo's lane 1 prints to var/demo/printed/)."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from devices.printers.decode import Decoder, Printed

MAX_JOB_BYTES = 4 << 20  # a connection that sends more without a cut is cut off


def _only_status_requests(data: bytes) -> bool:
    """Whether a chunk is nothing but real-time status requests (DLE EOT n)."""
    return len(data) % 3 == 0 and all(
        data[i : i + 2] == b"\x10\x04" for i in range(0, len(data), 3)
    )


@dataclass
class PrinterState:
    paper_out: bool = False
    paper_near_end: bool = False
    cover_open: bool = False
    offline: bool = False
    drawer_open: bool = False  # drawer sensor high: open
    silent: bool = False  # takes the connection, answers no status
    drawer_closes_after: float | None = None  # seconds; None: a test closes it

    def answer(self, n: int) -> int:
        """The status byte for DLE EOT n, with its fixed bits (1 and 4 set)."""
        byte = 0b0001_0010
        stopped = self.paper_out or self.cover_open or self.offline
        if n == 1:
            byte |= 0b0000_1000 if stopped else 0
            byte |= 0b0000_0100 if self.drawer_open else 0
        elif n == 2:
            byte |= 0b0000_0100 if self.cover_open else 0
            byte |= 0b0010_0000 if self.paper_out else 0
        elif n == 4:
            byte |= 0b0000_1100 if self.paper_near_end or self.paper_out else 0
            byte |= 0b0110_0000 if self.paper_out else 0
        return byte


@dataclass
class PrinterSimulator:
    port: int = 0  # 0: any free port (see .port once started)
    host: str = "127.0.0.1"
    out_dir: Path | None = None
    state: PrinterState = field(default_factory=PrinterState)
    decoder: Decoder = field(default_factory=Decoder)
    received: int = 0  # bytes
    last_byte_at: float | None = None  # time.time() of the last byte taken
    print_byte_at: float | None = None  # of the last byte that was not a status request
    connections: int = 0

    def __post_init__(self) -> None:
        self._stopped = Decoder()  # what it is sent while it cannot print: only real time
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._server = socket.create_server((self.host, self.port))
        self.port = self._server.getsockname()[1]
        self._server.settimeout(0.2)
        self._cut = threading.Condition(self._lock)
        self._thread = threading.Thread(target=self._serve, daemon=True, name="printer-sim")
        self._thread.start()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def receipts(self) -> list[Printed]:
        with self._lock:
            return list(self.decoder.receipts)

    def wait_receipts(self, count: int, timeout: float = 5.0) -> list[Printed]:
        """The receipts cut so far, once there are `count` (or the timeout has passed)."""
        deadline = time.monotonic() + timeout
        with self._cut:
            while len(self.decoder.receipts) < count and time.monotonic() < deadline:
                self._cut.wait(deadline - time.monotonic())
            return list(self.decoder.receipts)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._client, args=(conn,), daemon=True).start()

    def _client(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        taken = 0
        with conn:
            while not self._stop.is_set():
                try:
                    data = conn.recv(65536)
                except TimeoutError:
                    self._drawer_closing()
                    continue
                except OSError:
                    return
                if not data:
                    return
                taken += len(data)
                if taken > MAX_JOB_BYTES:
                    return  # a stream that never ends is not a receipt
                cut, answers = self._take(data)
                for printed in cut:
                    self._keep(printed)
                if answers and not self.state.silent:
                    try:
                        conn.sendall(answers)
                    except OSError:
                        return

    def _take(self, data: bytes) -> tuple[list[Printed], bytes]:
        """Feed what arrived to the decoder: the receipts it cut, and the status answers."""
        with self._lock:
            self.received += len(data)
            cut_before = len(self.decoder.receipts)
            kicks_before = self._kicks()
            if not (self.state.paper_out or self.state.cover_open or self.state.offline):
                requests = self.decoder.feed(data)
            else:  # stopped: it prints none of it, but answers status, pulses
                requests = self._stopped.feed(data)
            self.last_byte_at = time.time()
            if not _only_status_requests(data):
                self.print_byte_at = self.last_byte_at
            cut = self.decoder.receipts[cut_before:]
            if self._kicks() > kicks_before:
                self.state.drawer_open, self._kicked_at = True, time.monotonic()
            if cut:
                self._cut.notify_all()
            return cut, bytes(self.state.answer(n) for n in requests)

    def _kicks(self) -> int:
        return self.decoder.drawer_kicks + self.decoder.pulses + self._stopped.pulses

    def _drawer_closing(self) -> None:
        after = self.state.drawer_closes_after
        if after is not None and self.state.drawer_open:
            if time.monotonic() - getattr(self, "_kicked_at", 0.0) >= after:
                self.state.drawer_open = False

    def _keep(self, printed: Printed) -> None:
        if self.out_dir is None:
            return
        self.out_dir.mkdir(parents=True, exist_ok=True)
        number = len(list(self.out_dir.glob("receipt-*.txt"))) + 1
        barcodes = "".join(f"\n[{kind} {data}]" for kind, data in printed.barcodes)
        (self.out_dir / f"receipt-{number:05d}.txt").write_text(printed.text() + barcodes + "\n")
