"""The console and GraphiQL are served by the app from the bundled build, with no external host."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from mailrenew.web import DEFAULT_DIST

EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["'](?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import\s+["']?(?:url\()?["']?(?:https?:)?//""",
    re.I,
)


def _assets_of(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)=["'](/[^"']+)["']""", html)


async def test_graphiql_page_loads_nothing_from_another_host(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    html = response.text
    assert EXTERNAL.search(html) is None
    assets = _assets_of(html)
    assert any(a.endswith(".js") for a in assets)
    for path in assets:
        asset = await http.get(path)
        assert asset.status_code == 200, path
        if path.endswith(".css"):
            assert EXTERNAL.search(asset.text) is None, path


async def test_console_is_served_at_root_and_for_its_routes(http: httpx.AsyncClient) -> None:
    index = (DEFAULT_DIST / "index.html").read_text(encoding="utf-8")
    for path in ("/", "/domains", "/domains/acme.example", "/login"):
        response = await http.get(path)
        assert response.status_code == 200, path
        assert response.text == index
    assert EXTERNAL.search(index) is None


def test_bundle_has_no_cdn_reference() -> None:
    for css in Path(DEFAULT_DIST / "assets").glob("*.css"):
        assert EXTERNAL.search(css.read_text(encoding="utf-8")) is None, css.name
