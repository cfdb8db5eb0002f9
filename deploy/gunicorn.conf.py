"""Gunicorn settings shared by the store and HQ (`gunicorn -c deploy/gunicorn.conf.py …`).

Values come from the environment so that one file serves every role:
GUNICORN_WORKERS (default 2), GUNICORN_TIMEOUT (default 30 s).
"""

import os

workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
# Restart workers now and then so that a slow leak cannot grow forever at a store.
max_requests = 20000
max_requests_jitter = 2000
# Several gunicorns run on one box (HQ and store in the demo); none needs the control socket.
control_socket_disable = True
accesslog = None
