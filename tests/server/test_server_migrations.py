"""The written-out migrations build exactly the schema models.py describes, on SQLite and on PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sync.server.db import make_engine
from sync.server.migrate import upgrade_database
from sync.server.models import Base


def test_migrations_match_the_models_and_rerun_harmlessly(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_database(engine)
        upgrade_database(engine)  # serve runs it on every start
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()
