"""Django's own deployment checklist, as CI runs it: `manage.py check --deploy
--fail-level WARNING` is clean for the production settings of the store and of HQ, and it
does fail when a production box is configured to weaken them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.processes import PYTHON, ROOT

SECRET = "a-production-secret-for-the-deploy-check-0123456789-abcdefghij"
PROJECTS = ["store_edge.settings", "cloud_hq.settings"]


def deploy_check(settings: str, tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "APP_ENV": "production", "SECRET_KEY": SECRET,
           "VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": settings, **extra}  # fmt: skip
    return subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("settings", PROJECTS)
def test_the_production_settings_pass_the_deployment_checklist(
    settings: str, tmp_path: Path
) -> None:
    done = deploy_check(settings, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)" in done.stdout


@pytest.mark.parametrize("settings", PROJECTS)
@pytest.mark.parametrize(
    ("weakened", "warning"),
    [
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SESSION_COOKIE_SECURE": "false"}, "security.W012"),
        ({"CSRF_COOKIE_SECURE": "false"}, "security.W016"),
        ({"DEBUG": "true"}, "security.W018"),
    ],
)
def test_a_weakened_production_box_fails_the_checklist(
    settings: str, weakened: dict[str, str], warning: str, tmp_path: Path
) -> None:
    done = deploy_check(settings, tmp_path, **weakened)
    assert done.returncode == 1
    assert warning in done.stderr
