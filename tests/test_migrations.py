"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from seci.core import migrate
from seci.models import Base


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_upgrade_and_downgrade_round_trip(committed_engine: Engine) -> None:
    url = committed_engine.url.render_as_string(hide_password=False)
    migrate.downgrade(url, revision="base")
    assert set(inspect(committed_engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(url)
    assert "articles" in inspect(committed_engine).get_table_names()
