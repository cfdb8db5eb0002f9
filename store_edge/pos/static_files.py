"""How the store serves the lane page's own static files (whitenoise, from the apps'
static directories): always the files of the running release, whatever a lane's browser
has cached.

The page's script is a set of ES modules served as they are: `pos.js` imports the others
by their plain relative URLs (`./api.js`), which a browser resolves without the entry's
query string, and keeps in its cache under those URLs. A version query on `pos.js` would
therefore leave the modules it imports cached for WHITENOISE_MAX_AGE after an upgrade —
the new `pos.js` running with last hour's `api.js`. Hashed file names would need
`collectstatic` and its manifest, which the store does not run (whitenoise serves from the
finders). So the page's files (its modules, `print.js` and its styles) are sent with
`Cache-Control: no-cache` and an ETag made from their content: each load of the page asks
again for each of them — at once, since the page preloads every module — and the store
answers 304 Not Modified, without a body, unless the file changed.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlparse
from wsgiref.headers import Headers

from django.conf import settings

PAGE_FILES = "pos/"  # under STATIC_URL


def page_file_headers(headers: Headers, path: str, url: str) -> None:
    """WHITENOISE_ADD_HEADERS_FUNCTION: revalidated, content-tagged lane page files."""
    prefix = "/" + urlparse(settings.STATIC_URL).path.strip("/") + "/" + PAGE_FILES
    if not url.startswith(prefix):
        return
    headers["Cache-Control"] = "no-cache"
    with open(path, "rb") as file:
        headers["ETag"] = f'"{hashlib.sha256(file.read()).hexdigest()[:32]}"'
