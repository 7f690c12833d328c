"""The GraphQL layer: a thin Strawberry schema over the domain services."""
