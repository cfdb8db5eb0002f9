"""How the store serves the lane page's own static files (whitenoise, from the apps'
static directories): always the files of the running release, and on a lane's every load
after the first from its browser's cache.

The page's script is a set of ES modules served as they are: `pos.js` imports the others
by their plain relative URLs (`./api.js`), which a browser resolves against the importing
module's URL. So the release is put in the URL's path, not in a query: the pages link
`/static/pos/<release>/pos.js`, where `<release>` is a digest of every file of the page
(`page_release`), and the modules it imports resolve to the same directory. Those URLs
are cached for good (`immutable`): a new release is a new directory, so a lane never runs
a mix of cached and upgraded modules. Hashed file names would need `collectstatic` and its
manifest, which the store does not run (whitenoise serves from the finders); a digest of
the directory needs neither.

The sign-in page preloads the lane page's modules, so that while a cashier types a PIN
the browser already holds what the lane page runs (benchmarked by the lane figures of
`make bench`). The same files under their plain URLs (`/static/pos/pos.js`, which a page
of an earlier release may still ask for) are sent with `Cache-Control: no-cache` and an
ETag made from their content: asked for again on each load, answered 304 unless changed.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from urllib.parse import urlparse
from wsgiref.headers import Headers

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware

PAGE_FILES = "pos/"  # under STATIC_URL
PAGE_DIRECTORY = Path(__file__).resolve().parent / "static" / "pos"


def release_of(directory: Path) -> str:
    """A digest of a directory's files, their names and their contents (12 hex digits)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        name = path.relative_to(directory).as_posix().encode()
        content = path.read_bytes()
        digest.update(b"%d:%s%d:" % (len(name), name, len(content)))
        digest.update(content)
    return digest.hexdigest()[:12]


@cache
def page_release() -> str:
    """The running release of the lane page's files (read once per process)."""
    return release_of(PAGE_DIRECTORY)


def _static_prefix() -> str:
    return "/" + urlparse(settings.STATIC_URL).path.strip("/") + "/"


def released_prefix() -> str:
    """The URL path under which this release's page files are served for good."""
    return f"{_static_prefix()}{PAGE_FILES}{page_release()}/"


def page_file_url(name: str) -> str:
    """The URL of one of the page's files in this release (`pos.js`, `pos.css`)."""
    return released_prefix() + name


def page_file_headers(headers: Headers, path: str, url: str) -> None:
    """WHITENOISE_ADD_HEADERS_FUNCTION: the page's files under their plain URLs are
    revalidated and content-tagged; under the release's URLs they are cached for good."""
    if not url.startswith(_static_prefix() + PAGE_FILES) or url.startswith(released_prefix()):
        return
    headers["Cache-Control"] = "no-cache"
    with open(path, "rb") as file:
        headers["ETag"] = f'"{hashlib.sha256(file.read()).hexdigest()[:32]}"'


class StaticFilesMiddleware(WhiteNoiseMiddleware):  # type: ignore[misc]  # untyped
    """Whitenoise, with the page's files also served under this release's URLs."""

    def __init__(self, get_response=None, settings=settings) -> None:  # type: ignore[no-untyped-def]
        super().__init__(get_response, settings)
        self.add_files(str(PAGE_DIRECTORY), prefix=released_prefix())

    def immutable_file_test(self, path: str, url: str) -> bool:
        return url.startswith(released_prefix()) or super().immutable_file_test(path, url)
