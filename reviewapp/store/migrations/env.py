"""Alembic's entry point for the local database: runs on the engine the store opened (key already applied)."""

from alembic import context

from reviewapp.store.models import Base
from reviewapp.store.outbox import MIGRATION, ORIGIN_KEY

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    connection.info[ORIGIN_KEY] = MIGRATION  # data migrations may rewrite synced tables without an outbox entry
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
