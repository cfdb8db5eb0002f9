"""The lane page's script is linted (oxlint with the repository's .oxlintrc.json, as
`make lint` runs it): the real tree is clean, and a module with a real problem fails with
the rule named."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import ROOT

OXLINT = Path(sys.executable).with_name("oxlint")  # pinned in requirements.txt
LINT_JS = "$(BIN)/oxlint --config .oxlintrc.json --deny-warnings store_edge/pos/static"

MESSAGES = """\
export function say(text) {
  return text;
}

export function banner(text) {
  return text;
}
"""


def oxlint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(OXLINT), "--config", ".oxlintrc.json", "--deny-warnings", "--format", "unix",
         str(path)],
        capture_output=True, text=True, timeout=120, check=False, cwd=ROOT,
    )  # fmt: skip


def problems(done: subprocess.CompletedProcess[str]) -> set[tuple[str, str]]:
    """(file name, rule) of each problem oxlint reported."""
    found = re.findall(r"^(.+?):\d+:\d+: .* \[\w+/(.+)\]$", done.stdout, re.M)
    return {(Path(path).name, rule) for path, rule in found}


def test_the_page_script_lints_clean() -> None:
    done = oxlint(ROOT / "store_edge" / "pos" / "static")
    assert done.returncode == 0, done.stdout + done.stderr
    assert problems(done) == set()


def test_make_lint_runs_the_same_linter() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert f"\n\t{LINT_JS}\n" in makefile
    assert "\nlint: $(STAMP) lint-js\n" in makefile


@pytest.mark.parametrize(
    ("module", "rule"),
    [
        ('import { say, banner } from "./messages.js";\n\nsay("hello");\n',
         "eslint(no-unused-vars)"),
        ('import { say } from "./messages.js";\n\nsay(greeting);\n', "eslint(no-undef)"),
        ('import { shout } from "./messages.js";\n\nshout("hello");\n', "import(named)"),
        ('import { say } from "./messages.js";\n\nif (say("a") == "a") say("b");\n',
         "eslint(eqeqeq)"),
    ],
    ids=["unused import", "undefined name", "misnamed import", "loose equality"],
)  # fmt: skip
def test_a_module_with_a_real_problem_fails_the_lint(
    tmp_path: Path, module: str, rule: str
) -> None:
    (tmp_path / "messages.js").write_text(MESSAGES)
    (tmp_path / "bad.js").write_text(module)
    done = oxlint(tmp_path)
    assert done.returncode != 0, done.stdout
    assert problems(done) == {("bad.js", rule)}, done.stdout


def test_modules_that_import_each_other_in_a_cycle_fail_the_lint(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text('import { b } from "./b.js";\n\nexport const a = () => b();\n')
    (tmp_path / "b.js").write_text('import { a } from "./a.js";\n\nexport const b = () => a();\n')
    done = oxlint(tmp_path)
    assert done.returncode != 0
    assert problems(done) == {("a.js", "import(no-cycle)"), ("b.js", "import(no-cycle)")}
