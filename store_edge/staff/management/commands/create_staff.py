import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from store_edge.staff.errors import StaffError
from store_edge.staff.models import StaffRole
from store_edge.staff.services import staff_member_create


class Command(BaseCommand):
    help = "Add a cashier, supervisor or manager who signs in at the lanes with a PIN."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--role", required=True, choices=StaffRole.values)

    def handle(self, *args: Any, code: str, name: str, role: str, **options: Any) -> None:
        pin = os.environ.get("STAFF_PIN") or getpass.getpass("PIN (4-8 digits): ")
        try:
            member = staff_member_create(code=code, name=name, role=role, pin=pin)
        except StaffError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"added {member}")
