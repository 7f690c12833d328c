"""The per-request GraphQL context: who asks, in which language, and fresh DataLoaders.

Loaders are built for each request and never shared: a shared cache would serve one organization's rows to
another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from strawberry.types import Info as StrawberryInfo

from mailrenew.accounts.access import Actor
from mailrenew.accounts.models import User
from mailrenew.config import Settings
from mailrenew.graphql.loaders import Loaders


@dataclass
class Context:
    request: Request | None
    response: Any
    settings: Settings
    user: User
    actor: Actor
    loaders: Loaders

    @property
    def language(self) -> str:
        return self.actor.language


Info = StrawberryInfo[Context, None]
