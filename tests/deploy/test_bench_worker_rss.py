"""How the worker-memory figure finds gunicorn's workers and reads their memory."""

import os
import subprocess
import sys

import psutil
import pytest

from tests.bench.worker_rss import children, rss_mib


def test_the_children_of_a_process_are_found_and_their_memory_read():
    holds_64_mib = "import time; x = b'x' * (64 << 20); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", holds_64_mib])
    try:
        deadline = 50
        while deadline and rss_mib(child.pid) < 64:
            subprocess.run(["sleep", "0.1"], check=True)
            deadline -= 1
        assert child.pid in children(os.getpid())
        assert 64 <= rss_mib(child.pid) < 200
    finally:
        child.kill()
        child.wait()
    assert child.pid not in children(os.getpid())


def test_a_process_without_children_has_none():
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert children(child.pid) == []
    finally:
        child.kill()
        child.wait()


def test_a_gone_process_has_no_memory_to_read():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    with pytest.raises(psutil.NoSuchProcess):
        rss_mib(child.pid)
