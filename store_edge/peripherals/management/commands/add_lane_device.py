import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from store_edge.lanes.models import Lane
from store_edge.peripherals.models import DeviceKind, DeviceProtocol, LaneDevice

PROTOCOLS = {
    DeviceKind.SCALE: {"toledo8217", "nci", "sics", "modbus_tcp", "modbus_rtu"},
    DeviceKind.SCANNER: {"serial_scanner"},
    DeviceKind.PRINTER: {"escpos"},
    DeviceKind.TERMINAL: {"zvt", "nexo"},
    DeviceKind.DISPLAY: {"escpos_display"},
}


class Command(BaseCommand):
    help = (
        "Attach a scanner, a scale, a receipt printer, a payment terminal or a pole display to "
        "a lane (the same as the admin's Lane devices)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--lane", type=int, required=True)
        parser.add_argument("--kind", required=True, choices=DeviceKind.values)
        parser.add_argument("--protocol", required=True, choices=DeviceProtocol.values)
        parser.add_argument(
            "--port",
            required=True,
            help="/dev/ttyUSB0, /dev/usb/lp0, host:port (printer 9100, ZVT terminal 20007), "
            "or a nexo terminal's https://host:8443",
        )
        parser.add_argument("--baud", type=int)
        parser.add_argument(
            "--options",
            default="{}",
            help="JSON: prefix/suffix, registers, width, payment_seconds, poi_id, ca",
        )

    def handle(self, *args: Any, lane: int, kind: str, protocol: str, port: str,
               baud: int | None, options: str, **rest: Any) -> None:  # fmt: skip
        spoken = PROTOCOLS[DeviceKind(kind)]
        if protocol not in spoken:
            raise CommandError(f"a {kind} does not speak {protocol}: {', '.join(sorted(spoken))}")
        try:
            extra = json.loads(options)
        except json.JSONDecodeError as exc:
            raise CommandError(f"--options is not JSON: {exc}") from exc
        if not isinstance(extra, dict):
            raise CommandError("--options is a JSON object")
        if kind == DeviceKind.DISPLAY and not port.startswith("/"):
            raise CommandError("a pole display's --port is its serial port: /dev/ttyUSB1")
        if protocol == "nexo":
            if not port.startswith(("https://", "http://")):
                raise CommandError("a nexo terminal's --port is its URL: https://10.0.0.9:8443")
            if not isinstance(extra.get("poi_id"), str) or not extra["poi_id"]:
                raise CommandError(
                    'a nexo terminal needs its POIID: --options \'{"poi_id": "V400m-324688179"}\''
                )
        row = Lane.objects.filter(number=lane).first()
        if row is None:
            raise CommandError(f"no lane {lane}: issue it a token first (issue_lane_token)")
        device = LaneDevice.objects.create(lane=row, kind=kind, protocol=protocol, port=port,
                                           baudrate=baud, options=extra)  # fmt: skip
        self.stdout.write(f"added {device}")
