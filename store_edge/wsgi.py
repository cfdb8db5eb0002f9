"""WSGI entry point of the store node (gunicorn store_edge.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "store_edge.settings")

application = get_wsgi_application()
