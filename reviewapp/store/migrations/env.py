"""Alembic's entry point for the local database: runs on the engine the store opened (key already applied)."""

from alembic import context

from reviewapp.store.models import Base

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
