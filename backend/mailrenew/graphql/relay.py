"""Relay conventions: global ids, the Node interface, connections with opaque cursors and capped pages."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import strawberry

from mailrenew.graphql.errors import PublicError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_KEY = 2**31 - 1  # primary keys are PostgreSQL ``integer``; anything above is no row of ours

T = TypeVar("T")


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("="))


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, primary key), or None when the id is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if not (type_name and pk.isascii() and pk.isdigit() and 0 < int(pk) <= MAX_KEY):
            return None
        return type_name, int(pk)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def pk_of(global_id: str, type_name: str) -> int | None:
    decoded = from_global_id(global_id)
    return decoded[1] if decoded and decoded[0] == type_name else None


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[T]):
    cursor: str
    node: T


Count = Callable[[], Awaitable[int]]
"""A count run only if ``totalCount`` is selected."""


@strawberry.type
class Connection(Generic[T]):
    edges: list[Edge[T]]
    nodes: list[T]
    page_info: PageInfo
    count: strawberry.Private[int | Count]

    @strawberry.field(description="How many items the connection holds in all (counted only when selected).")
    async def total_count(self) -> int:
        return self.count if isinstance(self.count, int) else await self.count()


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, _, value = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        if kind == "offset" and value.isascii() and value.isdigit() and int(value) <= MAX_KEY:
            return int(value)
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise PublicError("`after` is not a cursor of this connection.", code="BAD_USER_INPUT")


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int


def page_args(first: int | None, after: str | None) -> Page:
    """Validate ``first``/``after``: ``first`` defaults to 50 and may not exceed 100."""
    limit = DEFAULT_PAGE_SIZE if first is None else first
    if limit < 0 or limit > MAX_PAGE_SIZE:
        raise PublicError(f"`first` must be between 0 and {MAX_PAGE_SIZE}.", code="BAD_USER_INPUT")
    offset = decode_cursor(after) + 1 if after else 0
    return Page(limit=limit, offset=offset)


def connection(items: Sequence[T], *, page: Page, total: int) -> Connection[T]:
    """A page whose total is already known."""
    return _connection(items, page=page, has_next=page.offset + len(items) < total, count=total)


def counted_later(rows: Sequence[T], *, page: Page, count: Count) -> Connection[T]:
    """A page read with one row more than ``page.limit`` (that row says whether there is a next page), and a
    total counted only if ``totalCount`` is selected."""
    return _connection(rows[: page.limit], page=page, has_next=len(rows) > page.limit, count=count)


def _connection(items: Sequence[T], *, page: Page, has_next: bool, count: int | Count) -> Connection[T]:
    edges = [Edge(cursor=encode_cursor(page.offset + i), node=item) for i, item in enumerate(items)]
    return Connection(
        edges=edges,
        nodes=list(items),
        page_info=PageInfo(
            has_next_page=has_next,
            has_previous_page=page.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        count=count,
    )
