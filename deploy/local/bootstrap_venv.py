"""Create the project's virtualenv, even where Python's `ensurepip` is missing (Debian).

Usage: python3 deploy/local/bootstrap_venv.py .venv
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import urllib.request
import venv
from pathlib import Path

PYPI_PIP = "https://pypi.org/pypi/pip/json"


def main(target: Path) -> None:
    if (target / "bin" / "pip").exists():
        return
    try:
        venv.EnvBuilder(with_pip=True).create(target)
        return
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"ensurepip is not available ({exc}); fetching pip from PyPI", file=sys.stderr)
    venv.EnvBuilder(with_pip=False, clear=True).create(target)
    with urllib.request.urlopen(PYPI_PIP, timeout=60) as answer:  # noqa: S310 - fixed https URL
        release = json.load(answer)
    wheel = next(u for u in release["urls"] if u["filename"].endswith(".whl"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / wheel["filename"]
        with urllib.request.urlopen(wheel["url"], timeout=120) as answer:  # noqa: S310
            path.write_bytes(answer.read())
        python = str(target / "bin" / "python")
        subprocess.run([python, f"{path}/pip", "install", "-q", str(path)], check=True)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ".venv"))
