"""The container image's entry point: `entrypoint.py ROLE` runs one role of the store or of
HQ (EDGE_PROJECT=store|hq) with production settings, after checking that what the role
needs is set — a missing secret stops it at once with the variable's name, rather than a
crash loop or a half-working process.

Roles: web (gunicorn on PORT, 8000 by default), worker and beat (Celery), gateway (the
store's device gateway), migrate (migrations, then exit), check (the store's health for a
rollout wave: exit 0 when healthy)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = {"store": "store_edge", "hq": "cloud_hq"}
ROLES = ("web", "worker", "beat", "gateway", "migrate", "check")

# What each project's roles cannot run without (production settings refuse the rest).
NEEDED: dict[tuple[str, str], tuple[str, ...]] = {
    **{("store", role): ("SECRET_KEY",) for role in ROLES},
    **{("hq", role): ("SECRET_KEY", "DATABASE_URL") for role in ROLES},
}
for _role in ("worker", "beat"):
    NEEDED[("store", _role)] += ("STORE_ID", "STORE_KEY", "HQ_URL", "REDIS_URL")
    NEEDED[("hq", _role)] += ("REDIS_URL",)
NEEDED[("store", "gateway")] += ("REDIS_URL",)


class Refused(SystemExit):
    def __init__(self, message: str) -> None:
        super().__init__(2)
        self.message = message


def _https_checked(project: str, env: dict[str, str]) -> None:
    """Refuse a production web role with no way to serve HTTPS."""
    tls = env.get("GUNICORN_CERTFILE") and env.get("GUNICORN_KEYFILE")
    behind_proxy = env.get("BEHIND_TLS_PROXY", "").lower() in ("1", "true", "yes", "on")
    plain_allowed = env.get("SECURE_SSL_REDIRECT", "").lower() in ("0", "false", "no", "off")
    if not (tls or behind_proxy or plain_allowed):
        raise Refused(
            f"{project} web: set GUNICORN_CERTFILE and GUNICORN_KEYFILE (TLS at gunicorn), "
            "or BEHIND_TLS_PROXY=true behind an ingress or proxy that ends TLS: production "
            "serves HTTPS only (nothing was started)"
        )


def command(project: str, role: str, env: dict[str, str]) -> list[str]:
    """The argv a role runs, or Refused with why not."""
    if project not in PROJECTS:
        raise Refused(f"EDGE_PROJECT must be one of {', '.join(PROJECTS)}, not {project!r}")
    if role not in ROLES:
        raise Refused(f"the role must be one of {', '.join(ROLES)}, not {role!r}")
    if project == "hq" and role in ("gateway", "check"):
        raise Refused(f"HQ has no {role} role: it runs at a store")
    missing = [name for name in NEEDED[(project, role)] if not env.get(name, "").strip()]
    if missing:
        raise Refused(f"{project} {role}: set {', '.join(missing)} (nothing was started)")
    if env.get("APP_ENV", "production") != "production":
        raise Refused("the image runs production settings only: unset APP_ENV")
    module = PROJECTS[project]
    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    if role == "web":
        _https_checked(project, env)
        bind = f"0.0.0.0:{env.get('PORT', '8000')}"
        return [python, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                f"{module}.wsgi", "--bind", bind]  # fmt: skip
    if role == "worker":
        pool = ["--pool", "solo"] if project == "store" else []
        queue = env.get("CELERY_QUEUE", module)
        return [python, "-m", "celery", "-A", module, "worker", *pool, "-Q", queue]
    if role == "beat":
        return [python, "-m", "celery", "-A", module, "beat"]
    if role == "gateway":
        return [*manage, "run_devices"]
    if role == "check":
        return [*manage, "edge_check"]
    return [*manage, "migrate", "--no-input"]


def main(argv: Sequence[str]) -> None:
    env = dict(os.environ)
    project = env.get("EDGE_PROJECT", "")
    try:
        if len(argv) != 1:
            raise Refused(f"usage: entrypoint.py {{{'|'.join(ROLES)}}} (EDGE_PROJECT=store|hq)")
        args = command(project, argv[0], env)
    except Refused as refused:
        print(f"entrypoint: {refused.message}", file=sys.stderr, flush=True)
        raise
    env["DJANGO_SETTINGS_MODULE"] = f"{PROJECTS[project]}.settings"
    env.setdefault("APP_ENV", "production")
    os.chdir(ROOT)
    os.execvpe(args[0], args, env)  # noqa: S606 - the role's own process replaces this one


if __name__ == "__main__":
    main(sys.argv[1:])
