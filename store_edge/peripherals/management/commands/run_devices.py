import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from store_edge.peripherals.gateway import Gateway


class Command(BaseCommand):
    help = "Run the device gateway: the lanes' scanners and scales, relayed to the store."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reload-every", type=float, default=30.0,
                            help="seconds between re-reading the lanes' device set-up")  # fmt: skip

    def handle(self, *args: Any, reload_every: float, **options: Any) -> None:
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        gateway = Gateway()
        try:
            while not stop.is_set():
                gateway.sync()
                self.stdout.write(f"{len(gateway.workers)} device(s) running", ending="\n")
                close_old_connections()
                stop.wait(reload_every)
        finally:
            gateway.stop()
