"""Schema upgrades of the local database, in one place (alembic), applied in order when a file is opened.

Opening checks the file's schema revision cheaply against `SCHEMA_HEAD`; only an older file loads alembic to
upgrade it in place. A file from a newer ReviewApp is refused, untouched.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text

from reviewapp.store.errors import NewerSchemaError

#: The newest revision this version of ReviewApp knows. A test holds it equal to alembic's head.
SCHEMA_HEAD = "0017"

SCRIPT_LOCATION = str(Path(__file__).parent)


def alembic_config(engine: Engine):  # -> alembic.config.Config, imported lazily to keep start-up fast
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    # A read-only connection: checking the version must not wait for (or block) another writer.
    with engine.execution_options(reviewapp_read_only=True).connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def upgrade(engine: Engine, label: str) -> None:
    """Bring the database to `SCHEMA_HEAD`; refuse a file made by a newer ReviewApp."""
    found = current_revision(engine)
    if found == SCHEMA_HEAD:
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config(engine)
    known = {rev.revision for rev in ScriptDirectory.from_config(config).walk_revisions()}
    if found is not None and found not in known:
        raise NewerSchemaError(label, found)
    command.upgrade(config, "head")
