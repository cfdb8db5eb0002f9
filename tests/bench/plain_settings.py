"""The ceiling of the scan figure: the store's own settings and middleware, one plain JSON view."""

from store_edge.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.plain_urls"
