"""The migrations are the schema: they describe every model, and `makemigrations` has nothing left to write."""

from __future__ import annotations

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from mailrenew.db import APP, tortoise_config
from tests.conftest import TEST_DATABASE_URL


async def test_models_and_migrations_agree() -> None:
    config = tortoise_config(TEST_DATABASE_URL)
    detector = MigrationAutodetector(Tortoise.apps, {APP: config["apps"][APP]})
    pending = await detector.changes()
    assert [writer.name for writer in pending] == [], (
        "run `tortoise -c mailrenew.db.TORTOISE_ORM makemigrations`"
    )
