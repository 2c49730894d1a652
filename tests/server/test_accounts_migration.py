"""Migration 0003 on a database that already holds accounts, devices, tokens and a change log (as a server
upgraded in place would), on SQLite and PostgreSQL; and back down again."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import text

from sync.server.db import make_engine
from sync.server.migrate import alembic_config, upgrade_database


def test_0003_upgrades_a_populated_database_and_downgrades(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
        now = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (id, username, display_name, role, password_hash, active, created_at) "
                "VALUES ('u1', 'alice', '', 'assessor', 'x', true, :now)"), {"now": now})
            connection.execute(text(
                "INSERT INTO devices (id, user_id, name, created_at) VALUES ('d1', 'u1', 'old laptop', :now)"),
                {"now": now})
            connection.execute(text(
                "INSERT INTO tokens (token_hash, device_id, user_id, created_at, expires_at) "
                "VALUES ('h', 'd1', 'u1', :now, :now)"), {"now": now})
            connection.execute(text(
                "INSERT INTO change_log (rev, entity, record_id, op, at) VALUES (1, 'learner', 'l1', 'import', :now)"),
                {"now": now})
        upgrade_database(engine)
        with engine.connect() as connection:
            user = connection.execute(text("SELECT must_change_password, password_changed_at FROM users")).one()
            device = connection.execute(text("SELECT name, host_name, app_version FROM devices")).one()
            log = connection.execute(text("SELECT device_time FROM change_log")).one()
            tokens = connection.execute(text("SELECT count(*) FROM tokens")).scalar_one()
        assert (bool(user[0]), user[1]) == (False, None)
        assert tuple(device) == ("old laptop", "", "") and log[0] is None and tokens == 1
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002")
        upgrade_database(engine)
    finally:
        engine.dispose()
