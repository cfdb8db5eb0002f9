"""Gunicorn settings shared by the store and HQ (`gunicorn -c deploy/gunicorn.conf.py …`).

Values come from the environment so that one file serves every role:
GUNICORN_WORKERS (default 2), GUNICORN_TIMEOUT (default 30 s), GUNICORN_CERTFILE and
GUNICORN_KEYFILE (TLS).
"""

import os
import shutil
import tempfile

workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 10
# Restart workers now and then so that a slow leak cannot grow forever at a store.
max_requests = 20000
max_requests_jitter = 2000
# Several gunicorns run on one box (HQ and store in the demo); none needs the control socket.
control_socket_disable = True
accesslog = None
# TLS at gunicorn itself where no ingress or proxy ends it (a store without K3s).
certfile = os.environ.get("GUNICORN_CERTFILE") or None
keyfile = os.environ.get("GUNICORN_KEYFILE") or None


# Prometheus: the workers of this gunicorn share a fresh directory of metric files, removed
# on exit; a dead worker's live gauges are dropped (deploy/web/metrics.py).
def on_starting(server):  # type: ignore[no-untyped-def]
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="edge-metrics-")
        os.environ["EDGE_METRICS_DIR_OWNED"] = "1"


def child_exit(server, worker):  # type: ignore[no-untyped-def]
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):  # type: ignore[no-untyped-def]
    if os.environ.get("EDGE_METRICS_DIR_OWNED"):
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
