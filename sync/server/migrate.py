"""Bring a database to the current schema with the packaged alembic migrations, and give it a server id.

Run by `init-db`, by `serve` before its workers start, and by `create_app(migrate=True)` for the embedded server.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select

from .db import make_engine, new_id, take_write_lock
from .models import ServerState

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade_database(engine: Engine) -> None:
    """Apply every migration not yet applied, then make sure the server-state row exists."""
    url = engine.url.render_as_string(hide_password=False)
    config = alembic_config(url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Several `serve` processes starting together must not migrate at the same moment.
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(5117)")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    from sqlalchemy.orm import Session

    with Session(engine) as session, session.begin():
        take_write_lock(session)
        if session.execute(select(ServerState).where(ServerState.id == 1)).scalar_one_or_none() is None:
            session.add(ServerState(id=1, server_id=new_id(), last_rev=0))


def upgrade(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()
