"""The image definition, read as text (this machine cannot pull base images): build tools
stay in the build stage, the final stage runs as a non-root user through the entry point."""

from __future__ import annotations

from pathlib import Path

DOCKERFILE = Path(__file__).parents[2] / "deploy" / "Dockerfile"


def stages() -> list[list[str]]:
    found: list[list[str]] = []
    for line in DOCKERFILE.read_text().splitlines():
        if line.startswith("FROM "):
            found.append([])
        if found and line.strip() and not line.lstrip().startswith("#"):
            found[-1].append(line)
    return found


def test_build_tools_stay_in_the_build_stage() -> None:
    build, final = stages()
    assert "AS build" in build[0]
    assert any("gcc" in line for line in build)
    assert not any("apt-get install" in line or "gcc" in line for line in final)


def test_the_final_stage_runs_as_a_user_through_the_entry_point() -> None:
    final = stages()[-1]
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and users[-1] not in {"0", "root"}
    assert 'ENTRYPOINT ["python", "deploy/entrypoint.py"]' in final
    assert any(line.startswith("COPY --from=build /opt/venv") for line in final)
