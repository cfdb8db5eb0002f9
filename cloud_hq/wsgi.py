"""WSGI entry point of HQ (gunicorn cloud_hq.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cloud_hq.settings")

application = get_wsgi_application()
