"""ZVT over a serial line (RS-232, 9600 8N2 by default): each APDU travels in a frame
DLE STX, the APDU with every DLE doubled, DLE ETX, then the CRC (CRC-CCITT reflected,
polynomial 0x8408, start 0, over the APDU and the ETX; low byte first). The receiver
answers each frame with ACK (06), or NAK (15) for a frame it could not read, which the
sender sends again (three tries in all).

`FramedLine` gives the frames as a socket-like line (`sendall` one APDU, `recv` the next
one) over a file descriptor, so that the driver and the simulator speak ZVT over serial
exactly as they do over TCP."""

from __future__ import annotations

import os
import select
import time

DLE, STX, ETX = 0x10, 0x02, 0x03
ACK_BYTE, NAK_BYTE = b"\x06", b"\x15"
T1_SECONDS = 2.0  # for a frame's acknowledgement, and a frame's bytes once it has begun
TRIES = 3
MAX_FRAME = 2 * (65535 + 5) + 6


class FrameError(ValueError):
    """A frame that is not one: no DLE STX, a DLE alone, a wrong CRC, too long."""


def crc16(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


def frame(apdu: bytes) -> bytes:
    crc = crc16(apdu + bytes([ETX]))
    stuffed = apdu.replace(bytes([DLE]), bytes([DLE, DLE]))
    return bytes([DLE, STX]) + stuffed + bytes([DLE, ETX, crc & 0xFF, crc >> 8])


def read_frame(buffer: bytes | bytearray) -> tuple[bytes, int] | None:
    """The APDU of the first frame in `buffer` and the bytes the frame takes; None while it
    is incomplete. FrameError when what is there cannot be a frame."""
    if not buffer:
        return None
    if buffer[0] != DLE or (len(buffer) > 1 and buffer[1] != STX):
        raise FrameError(f"a frame begins with DLE STX, not {bytes(buffer[:2]).hex(' ')}")
    apdu = bytearray()
    at = 2
    while at + 1 < len(buffer):
        byte = buffer[at]
        if byte != DLE:
            apdu.append(byte)
            at += 1
            continue
        following = buffer[at + 1]
        if following == DLE:
            apdu.append(DLE)
            at += 2
        elif following == ETX:
            if at + 4 > len(buffer):
                return None
            told = buffer[at + 2] | buffer[at + 3] << 8
            if crc16(bytes(apdu) + bytes([ETX])) != told:
                raise FrameError("the frame's CRC is wrong")
            return bytes(apdu), at + 4
        else:
            raise FrameError(f"DLE followed by {following:02x}")
        if len(apdu) > MAX_FRAME:
            raise FrameError("a frame longer than any APDU")
    if len(buffer) > MAX_FRAME:
        raise FrameError("a frame longer than any APDU")
    return None


class FramedLine:
    """A ZVT serial line on a file descriptor, as a socket: `sendall(apdu)` sends one
    APDU's frame and waits for its ACK; `recv()` answers the next frame and returns its
    APDU (TimeoutError when none began in the line's timeout). OSError when the line or
    the other side fails."""

    def __init__(self, fd: int, timeout: float = 0.2, owner: object = None) -> None:
        self.fd = fd
        self.owner = owner  # what opened the descriptor, closed with the line
        self.timeout: float | None = timeout
        self.buffer = bytearray()

    def fileno(self) -> int:
        return self.fd

    def settimeout(self, timeout: float | None) -> None:
        self.timeout = timeout

    def setsockopt(self, *args: object) -> None:
        return None

    def sendall(self, apdu: bytes) -> None:
        data = frame(apdu)
        for _ in range(TRIES):
            self._write(data)
            answer = self._byte(T1_SECONDS)
            if answer == ACK_BYTE:
                return
            if answer != NAK_BYTE:
                raise OSError(f"no acknowledgement of a frame (got {answer!r})")
        raise OSError(f"a frame refused {TRIES} times")

    def recv(self, size: int = 0) -> bytes:
        ends = None if self.timeout is None else time.monotonic() + self.timeout
        naks = 0
        while True:
            try:
                found = read_frame(self.buffer)
            except FrameError:
                self.buffer.clear()
                self._drain()
                naks += 1
                if naks >= TRIES:
                    raise OSError("the other side's frames cannot be read") from None
                self._write(NAK_BYTE)
                continue
            if found is not None:
                apdu, used = found
                del self.buffer[:used]
                self._write(ACK_BYTE)
                return apdu
            # A frame that has begun is given T1 to arrive whole.
            wait = T1_SECONDS if self.buffer else (
                None if ends is None else max(ends - time.monotonic(), 0))  # fmt: skip
            chunk = self._read(wait)
            if chunk is None:
                if self.buffer:
                    raise OSError("a frame stopped half way")
                raise TimeoutError("no frame")
            self.buffer += chunk

    def close(self) -> None:
        close = getattr(self.owner, "close", None)
        if close is not None:
            close()
        else:
            os.close(self.fd)

    def __enter__(self) -> FramedLine:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def _read(self, timeout: float | None) -> bytes | None:
        if not select.select([self.fd], [], [], timeout)[0]:
            return None
        data = os.read(self.fd, 4096)
        if not data:
            raise OSError("the serial line closed")
        return data

    def _byte(self, timeout: float) -> bytes | None:
        if self.buffer:
            byte = bytes(self.buffer[:1])
            del self.buffer[:1]
            return byte
        # One byte only: what follows an acknowledgement is the other side's next frame,
        # which a select on the line must still see.
        if not select.select([self.fd], [], [], timeout)[0]:
            return None
        byte = os.read(self.fd, 1)
        if not byte:
            raise OSError("the serial line closed")
        return byte

    def _drain(self) -> None:
        while select.select([self.fd], [], [], 0.05)[0]:
            if not os.read(self.fd, 4096):
                return

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]
