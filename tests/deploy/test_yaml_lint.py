"""Every YAML file the product ships (manifests, Fleet bundles, the collector) passes yamllint
with the repository's `.yamllint.yaml`: duplicate keys, bad indentation, tabs and trailing
junk are caught before `kubectl` or Fleet reads them."""

from __future__ import annotations

from pathlib import Path

import pytest
from yamllint import linter
from yamllint.config import YamlLintConfig

ROOT = Path(__file__).parents[2]
SKIP = {".venv", "var", ".git", "node_modules"}


def config() -> YamlLintConfig:
    return YamlLintConfig(file=str(ROOT / ".yamllint.yaml"))


def shipped_yaml() -> list[Path]:
    found = [
        path
        for pattern in ("*.yaml", "*.yml")
        for path in ROOT.rglob(pattern)
        if not SKIP & set(path.relative_to(ROOT).parts)
    ]
    return sorted(found)


def problems(text: str) -> list[str]:
    return [f"{p.line}:{p.column} {p.message}" for p in linter.run(text, config())]


def test_the_deployment_yaml_is_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in shipped_yaml()}
    assert "deploy/k8s/store/base/web.yaml" in names
    assert "deploy/fleet/store-edge/fleet.yaml" in names
    assert "deploy/otel/edge-collector.yaml" in names


@pytest.mark.parametrize("path", shipped_yaml(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_yaml_lints_clean(path: Path) -> None:
    assert problems(path.read_text()) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("env:\n  A: 1\n  A: 2\n", "duplication of key"),
        ("spec:\n\treplicas: 1\n", "syntax error"),
        ("a: 1   \n", "trailing spaces"),
        ("a:\n   - b\n  - c\n", "syntax error"),
        ("a: 1\n\n\n\n", "too many blank lines"),
    ],
)
def test_the_lint_refuses_broken_yaml(text: str, expected: str) -> None:
    found = problems(text)
    assert any(expected in p for p in found), found
