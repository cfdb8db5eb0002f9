#!/usr/bin/env python
"""Run a management command of the store (default) or of HQ.

HQ: DJANGO_SETTINGS_MODULE=cloud_hq.settings python manage.py …
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "store_edge.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
