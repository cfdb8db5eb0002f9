"""Known vulnerabilities in the pinned dependencies: `make audit` (CI runs it).

Runs pip-audit on requirements.txt and requirements-dev.txt (what production runs, and what
the tests and the tools run: every pin, as pinned, without installing anything) and decides:
a vulnerability fails the audit unless deploy/audit-ignore.txt lists its id with the reason
it does not apply. When the vulnerability service cannot be reached (no
dependency could be looked up), the audit says so loudly and passes, unless
AUDIT_REQUIRED=1, when it fails: a machine without the service cannot prove anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
IGNORE_FILE = ROOT / "deploy" / "audit-ignore.txt"
REQUIREMENTS = (ROOT / "requirements.txt", ROOT / "requirements-dev.txt")
# What pip-audit's traceback says when there is no network to the vulnerability service.
UNREACHABLE = ("ConnectionError", "Max retries exceeded", "NameResolutionError",
               "Failed to establish a new connection", "ProxyError", "ReadTimeout")  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    code: int
    lines: list[str]


def ignored_ids(text: str) -> dict[str, str]:
    """`ID package reason…` per line; # starts a comment. A line without a reason is refused."""
    ignored = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 2)
        if len(parts) < 3:
            raise ValueError(f"{IGNORE_FILE.name}:{number}: give the id, the package and why")
        ignored[parts[0]] = f"{parts[1]}: {parts[2]}"
    return ignored


def verdict(report: dict[str, Any], ignored: dict[str, str], *, required: bool) -> Verdict:
    """What the audit concludes from pip-audit's JSON report."""
    dependencies = report.get("dependencies", [])
    lines, failing = [], 0
    skipped = [d for d in dependencies if d.get("skip_reason")]
    for dependency in dependencies:
        for vuln in dependency.get("vulns", []):
            ids = [vuln["id"], *vuln.get("aliases", [])]
            name = f"{dependency['name']} {dependency.get('version', '?')}: {vuln['id']}"
            known = next((ignored[i] for i in ids if i in ignored), None)
            if known:
                lines.append(f"ignored  {name} ({known})")
            else:
                failing += 1
                fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed release"
                lines.append(f"VULNERABLE  {name} (fixed in: {fixes})")
    if dependencies and len(skipped) == len(dependencies):
        lines.append(
            f"NOT AUDITED: none of the {len(dependencies)} pinned packages could be looked up "
            f"({skipped[0]['skip_reason']}); the vulnerability service is unreachable from here"
        )
        return Verdict(3 if required else 0, lines)
    lines.extend(f"not audited  {d['name']}: {d['skip_reason']}" for d in skipped)
    audited = len(dependencies) - len(skipped)
    lines.append(f"{audited} packages audited, {failing} with an unaddressed vulnerability")
    return Verdict(1 if failing else 0, lines)


def main() -> int:
    command = [
        str(Path(sys.executable).parent / "pip-audit"),
        *(argument for path in REQUIREMENTS for argument in ("--requirement", str(path))),
        "--no-deps", "--disable-pip", "--progress-spinner", "off", "--format", "json",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603 - fixed argv
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        if any(sign in done.stderr for sign in UNREACHABLE):
            lines = [line for path in REQUIREMENTS for line in path.read_text().splitlines()]
            pins = list(dict.fromkeys(line.split("==")[0] for line in lines
                                      if "==" in line and not line.startswith("#")))  # fmt: skip
            reason = "the vulnerability service could not be reached"
            report = {"dependencies": [{"name": pin, "skip_reason": reason} for pin in pins]}
        else:
            print(f"pip-audit failed:\n{done.stderr[-2000:]}", file=sys.stderr)
            return 2
    ignored = ignored_ids(IGNORE_FILE.read_text()) if IGNORE_FILE.exists() else {}
    result = verdict(report, ignored, required=os.environ.get("AUDIT_REQUIRED") == "1")
    print("\n".join(result.lines))
    return result.code


if __name__ == "__main__":
    sys.exit(main())
