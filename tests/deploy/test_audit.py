"""`make audit`: pip-audit's report on the pinned requirements, and what the audit concludes
from it (a vulnerability fails it unless listed with its reason; an unreachable service is
said out loud and fails only where an audit is required)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from deploy.audit_dependencies import IGNORE_FILE, ROOT, ignored_ids, verdict

VULN = {"id": "PYSEC-2099-1", "aliases": ["CVE-2099-0001"], "fix_versions": ["5.2.20"]}


def report(*dependencies: dict[str, object]) -> dict[str, object]:
    return {"dependencies": list(dependencies), "fixes": []}


def test_a_clean_report_passes() -> None:
    result = verdict(report({"name": "django", "version": "5.2.19", "vulns": []}), {},
                     required=True)  # fmt: skip
    assert (
        result.code == 0
        and result.lines[-1] == "1 packages audited, 0 with an unaddressed vulnerability"
    )


def test_a_vulnerability_fails_the_audit_with_its_fix() -> None:
    dependency = {"name": "django", "version": "5.2.19", "vulns": [VULN]}
    result = verdict(report(dependency), {}, required=False)
    assert result.code == 1
    assert "VULNERABLE  django 5.2.19: PYSEC-2099-1 (fixed in: 5.2.20)" in result.lines


@pytest.mark.parametrize("listed", ["PYSEC-2099-1", "CVE-2099-0001"])
def test_a_listed_vulnerability_is_accepted_with_its_reason(listed: str) -> None:
    dependency = {"name": "django", "version": "5.2.19", "vulns": [VULN]}
    result = verdict(report(dependency), {listed: "django: not used"}, required=True)
    assert result.code == 0 and any(
        "ignored" in line and "not used" in line for line in result.lines
    )


def test_an_unreachable_service_is_said_out_loud_and_fails_where_required() -> None:
    skipped = {"name": "django", "skip_reason": "Dependency not found on PyPI"}
    relaxed = verdict(report(skipped, {**skipped, "name": "celery"}), {}, required=False)
    assert relaxed.code == 0 and relaxed.lines[0].startswith("NOT AUDITED: none of the 2")
    assert verdict(report(skipped), {}, required=True).code == 3


def test_a_package_that_could_not_be_looked_up_is_listed() -> None:
    result = verdict(report({"name": "django", "version": "1", "vulns": []},
                            {"name": "private-pkg", "skip_reason": "not on PyPI"}), {},
                     required=True)  # fmt: skip
    assert result.code == 0 and "not audited  private-pkg: not on PyPI" in result.lines


@pytest.mark.parametrize("text", ["PYSEC-1\n", "PYSEC-1 django\n", "PYSEC-1 django  # why\n"])
def test_an_ignore_line_without_its_reason_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="give the id, the package and why"):
        ignored_ids(text)


def test_the_ignore_file_reads() -> None:
    assert ignored_ids("# c\n\nPYSEC-1 django the admin is not exposed\n") == {
        "PYSEC-1": "django: the admin is not exposed"
    }
    ignored_ids(IGNORE_FILE.read_text())


def test_pip_audit_runs_on_the_pinned_requirements() -> None:
    done = subprocess.run([sys.executable, "-m", "deploy.audit_dependencies"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("NOT AUDITED: none of the") or "packages audited" in last


@pytest.mark.parametrize(("required", "code"), [("", 0), ("1", 3)])
def test_no_network_to_the_service_is_not_audited(required: str, code: int) -> None:
    dead = "http://127.0.0.1:9"
    env = {"PATH": "/usr/bin:/bin", "HTTPS_PROXY": dead, "https_proxy": dead,
           "AUDIT_REQUIRED": required}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "deploy.audit_dependencies"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600, check=False)  # fmt: skip
    assert done.returncode == code, done.stderr
    assert "NOT AUDITED: none of the" in done.stdout and "could not be reached" in done.stdout
