import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from deploy.local.redis_server import redis_for
from tests.processes import base_env, manage

# CI runs the same examples every time (a red CI must be reproducible) and does not time
# examples out on a loaded machine; locally each run explores new examples.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
# Many more examples, for a search run by hand: HYPOTHESIS_PROFILE=thorough make test
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def catalog_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo catalogue file of 300 products (produce under PLUs, packaged goods by EAN-13)."""
    path = tmp_path_factory.mktemp("catalog") / "catalog.json"
    manage(
        "cloud_hq.settings",
        "generate_demo_catalog",
        "--products",
        "300",
        "--out",
        str(path),
        env=base_env(VAR_DIR=str(path.parent)),
    )
    return path


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis that answers: REDIS_URL's when it does, else an embedded one for the run."""
    url, process = redis_for(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        data_dir=tmp_path_factory.mktemp("redis"),
    )
    yield url
    if process is not None:
        process.kill()
        process.wait()


@pytest.fixture(autouse=True, scope="session")
def _quick_back_office_passwords(request: pytest.FixtureRequest) -> Iterator[None]:
    """Back-office passwords hashed with a fast hasher in-process (Django's advice for test
    speed: PBKDF2's million rounds cost half a second each on a small box, and the admin
    and sign-in tests hash hundreds). Production settings, the PIN hasher and every process
    the end-to-end tests start keep their real hashers."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield
        return
    from django.conf import settings as django_settings
    from django.contrib.auth import hashers

    kept = django_settings.PASSWORD_HASHERS
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *kept]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
    yield
    django_settings.PASSWORD_HASHERS = kept
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()
