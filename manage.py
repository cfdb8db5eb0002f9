#!/usr/bin/env python
"""Run administrative tasks for the store (default) or HQ (DJANGO_SETTINGS_MODULE=cloud_hq.settings)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "store_edge.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
