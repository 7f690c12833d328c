"""Print the schema's SDL (``make schema`` writes it to ``schema.graphql``)."""

from __future__ import annotations

import sys

from mailrenew.config import load_settings
from mailrenew.graphql.schema import build_schema


def sdl() -> str:
    return build_schema(load_settings(graphql_introspection=True)).as_str() + "\n"


if __name__ == "__main__":
    sys.stdout.write(sdl())
