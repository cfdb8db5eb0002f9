"""Receipt printers (ESC/POS over raw TCP, USB and serial) and the cash drawer kicked
through them: a receipt laid out once (`layout`), its ESC/POS and the printer's status
(`commands`), the line to the printer (`connection`), a decoder of what a printer is sent
(`decode`) and a simulator (`simulator`)."""

from devices.printers.commands import (
    PrinterError,
    PrinterNoAnswer,
    PrinterNotReady,
    PrinterProtocolError,
    PrinterStatus,
    drawer_kick,
    drawer_pulse,
    render,
    status_of,
)
from devices.printers.layout import LayoutError, Receipt, Row, TaxRow, text_lines

__all__ = [
    "LayoutError",
    "PrinterError",
    "PrinterNoAnswer",
    "PrinterNotReady",
    "PrinterProtocolError",
    "PrinterStatus",
    "Receipt",
    "Row",
    "TaxRow",
    "drawer_kick",
    "drawer_pulse",
    "render",
    "status_of",
    "text_lines",
]
