"""The lane page's script as a browser gets it: ES modules, the entry `pos.js` and what it
imports by relative URLs, without a build step. Every module the entry reaches is served by
the store as JavaScript (a browser refuses a module script of any other type, and the page
with it), the page and the sign-in page before it preload each one (no import waterfall on
the first load), and the page's files are the running release's: cached for good under the
release's URLs, revalidated under their plain ones (no mix of cached and upgraded modules)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse
from wsgiref.headers import Headers

import pytest
from django.test import Client

from store_edge.pos.static_files import (
    PAGE_DIRECTORY,
    page_file_headers,
    page_release,
    release_of,
    released_prefix,
)
from tests.store_edge.pos.test_pages import set_up, signed_in

ORIGIN = "http://testserver"
# `import … from "./x.js"`, `export … from "./x.js"` and `import "./x.js"`, over lines.
IMPORTS = re.compile(
    r"""^\s*(?:(?:import|export)\b[^;"'`]*?\bfrom\s*|import\s*)["']([^"']+)["']""", re.M
)


class PageScripts(HTMLParser):
    """The module scripts and the module preloads of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.modules: list[str] = []
        self.preloads: list[str] = []
        self.classic: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("type") == "module":
            self.modules.append(found["src"] or "")
        elif tag == "script":
            self.classic.append(found.get("src") or "")
        elif tag == "link" and found.get("rel") == "modulepreload":
            self.preloads.append(found["href"] or "")


def lane_page_scripts(client: Client, url: str = "/pos/") -> PageScripts:
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "{#" not in html and "{%" not in html  # a template comment shown as text
    scripts = PageScripts()
    scripts.feed(html)
    return scripts


def served_javascript(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url} is not served: {response.status_code}"
    media_type = response["Content-Type"].split(";")[0].strip()
    assert media_type == "text/javascript", f"{url} is served as {media_type}"
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return body.decode("utf-8")


def module_graph(client: Client, entry: str) -> dict[str, list[str]]:
    """Each module reached from the entry (its URL's path and query, as the browser would
    ask for it) with the URLs its imports resolve to, fetched through the store."""
    graph: dict[str, list[str]] = {}
    waiting = [entry]
    while waiting:
        url = waiting.pop()
        if url in graph:
            continue
        source = served_javascript(client, url)
        graph[url] = []
        for specifier in IMPORTS.findall(source):
            # A bare name ("api.js", "lane/api") needs an import map: an inline script, which
            # the pages' Content-Security-Policy forbids.
            assert specifier.startswith(("./", "../")), f"{url} imports {specifier!r}"
            resolved = urlparse(urljoin(ORIGIN + url, specifier))
            target = resolved.path + (f"?{resolved.query}" if resolved.query else "")
            graph[url].append(target)
            waiting.append(target)
    return graph


def test_every_module_the_lane_page_imports_is_served_as_javascript(
    lane_token: str, staff: None
) -> None:
    client = signed_in(Client(), lane_token)
    scripts = lane_page_scripts(client)
    assert scripts.classic == [], "the lane page's script is a module"
    (entry,) = scripts.modules
    assert urlparse(entry).path == f"/static/pos/{page_release()}/pos.js"
    graph = module_graph(client, entry)
    assert len(graph) > 5, graph  # the entry and the modules of each concern
    static = Path(__file__).resolve().parents[3] / "store_edge" / "pos" / "static" / "pos"
    for url in graph:
        assert url.startswith(released_prefix()), url
        assert (static / urlparse(url).path.removeprefix(released_prefix())).is_file(), url


def test_the_lane_page_preloads_every_module_it_imports(lane_token: str, staff: None) -> None:
    client = signed_in(Client(), lane_token)
    scripts = lane_page_scripts(client)
    (entry,) = scripts.modules
    imported = set(module_graph(client, entry))
    preloaded = set(scripts.preloads)
    assert len(scripts.preloads) == len(preloaded)
    assert preloaded == imported, (
        f"not preloaded by lane_modules.html: {sorted(imported - preloaded)}; "
        f"preloaded but not imported: {sorted(preloaded - imported)}"
    )
    # The sign-in page, which a cashier sees just before, fetches the same modules.
    lane = Client()
    set_up(lane, lane_token)
    sign_in = lane_page_scripts(lane, "/pos/sign-in")
    assert set(sign_in.preloads) == imported
    assert sign_in.modules == [] and sign_in.classic == []  # fetched, not run there


class Served:
    """A static file as the test client answers it."""

    def __init__(self, source: str | None, media_type: str = "text/javascript") -> None:
        self.status_code = 404 if source is None else 200
        self.headers = {"Content-Type": f'{media_type}; charset="utf-8"'}
        self.streaming_content = [(source or "").encode()]

    def __getitem__(self, name: str) -> str:
        return self.headers[name]


class Files:
    """A stand-in for the test client that serves a few modules."""

    def __init__(self, files: dict[str, Served]) -> None:
        self.files = files

    def get(self, url: str) -> Served:
        return self.files.get(url, Served(None))


def test_a_missing_misnamed_or_mistyped_module_fails_here() -> None:
    entry = 'import { a } from "./a.js";\nimport {\n  b,\n} from "../lib/b.js";\n'
    good = Files({"/static/pos/pos.js?v=1": Served(entry),
                  "/static/pos/a.js": Served('export { b as a } from "../lib/b.js";\n'),
                  "/static/lib/b.js": Served("export const b = 1;\n")})  # fmt: skip
    graph = module_graph(good, "/static/pos/pos.js?v=1")  # type: ignore[arg-type]
    # Relative imports resolve against the importing module's URL, without its query.
    assert graph == {"/static/pos/pos.js?v=1": ["/static/pos/a.js", "/static/lib/b.js"],
                     "/static/pos/a.js": ["/static/lib/b.js"], "/static/lib/b.js": []}  # fmt: skip
    missing = Files({**good.files, "/static/lib/b.js": Served(None)})
    with pytest.raises(AssertionError, match="/static/lib/b.js is not served: 404"):
        module_graph(missing, "/static/pos/pos.js?v=1")  # type: ignore[arg-type]
    mistyped = Files({**good.files, "/static/lib/b.js": Served("", media_type="text/plain")})
    with pytest.raises(AssertionError, match="/static/lib/b.js is served as text/plain"):
        module_graph(mistyped, "/static/pos/pos.js?v=1")  # type: ignore[arg-type]
    bare = Files({"/static/pos/pos.js": Served('import { a } from "a.js";\n')})
    with pytest.raises(AssertionError, match="imports 'a.js'"):
        module_graph(bare, "/static/pos/pos.js")  # type: ignore[arg-type]


def answer(client: Client, url: str, **headers: str) -> tuple[int, dict[str, str]]:
    """A static file's status and headers (the file's body left unread, and closed)."""
    response = client.get(url, headers=headers)
    response.close()
    return response.status_code, dict(response.headers)


def test_the_release_s_page_files_are_cached_for_good(db: None) -> None:
    client = Client()
    for name in ("pos.js", "api.js", "pos.css"):
        url = released_prefix() + name
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "max-age=315360000, public, immutable", url
        body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        assert body == (PAGE_DIRECTORY / name).read_bytes(), url
    # Another release's directory is not this one: the page asks only for its own.
    assert answer(client, "/static/pos/000000000000/pos.js")[0] == 404
    assert answer(client, f"/static/pos/{page_release()}/../settings.py")[0] == 404


def test_a_release_is_named_by_every_file_of_the_page(tmp_path: Path) -> None:
    (tmp_path / "a.js").write_text("export const a = 1;\n")
    (tmp_path / "b.css").write_text("body {}\n")
    first = release_of(tmp_path)
    assert len(first) == 12 and release_of(tmp_path) == first
    (tmp_path / "a.js").write_text("export const a = 2;\n")  # same size, new content
    second = release_of(tmp_path)
    assert second != first
    (tmp_path / "c.js").write_text("")  # a new file, empty
    assert release_of(tmp_path) not in (first, second)
    (tmp_path / "c.js").unlink()
    (tmp_path / "a.js").rename(tmp_path / "d.js")  # the same content under another name
    assert release_of(tmp_path) not in (first, second)


def test_the_page_files_are_asked_for_again_on_every_load(db: None) -> None:
    client = Client()
    for url in ("/static/pos/pos.js", "/static/pos/api.js", "/static/pos/pos.css"):
        status, first = answer(client, url)
        assert (status, first["Cache-Control"]) == (200, "no-cache"), url
        assert answer(client, url, **{"If-None-Match": first["ETag"]})[0] == 304, url
        assert answer(client, url, **{"If-None-Match": '"old"'})[0] == 200, url
    # Other static files (the admin's, the API docs') keep their cache lifetime.
    assert answer(client, "/static/admin/css/base.css")[1]["Cache-Control"] == (
        "max-age=3600, public"
    )


def test_a_page_file_is_tagged_by_its_content(tmp_path: Path) -> None:
    def tag(content: str, url: str = "/static/pos/api.js") -> dict[str, str]:
        path = tmp_path / "api.js"
        path.write_text(content)
        headers = Headers([("Cache-Control", "max-age=3600, public")])
        page_file_headers(headers, str(path), url)
        return dict(headers.items())

    before = tag("export const a = 1;\n")
    assert before["Cache-Control"] == "no-cache"
    assert tag("export const a = 1;\n")["ETag"] == before["ETag"]
    assert tag("export const a = 2;\n")["ETag"] != before["ETag"]  # same size, new content
    assert tag("x", url="/static/admin/js/core.js") == {"Cache-Control": "max-age=3600, public"}
    # Under the release's URL, whitenoise's lifetime for good is kept.
    forever = {"Cache-Control": "max-age=3600, public"}
    assert tag("x", url=released_prefix() + "api.js") == forever
