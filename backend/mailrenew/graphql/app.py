from __future__ import annotations

from pathlib import Path

from starlette.routing import Route

from mailrenew.config import Settings


def graphql_routes(settings: Settings, dist: Path) -> list[Route]:
    return []
