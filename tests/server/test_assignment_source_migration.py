"""Migration 0005_assignment_source on a database that already holds assignments (as a server upgraded in place
would), on SQLite and PostgreSQL: the import's own assignments become the MIS's, every other one the office's;
and back down again."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import text

from sync.server.caseload_import import IMPORTER
from sync.server.db import make_engine
from sync.server.migrate import alembic_config, upgrade_database


def test_0005_tells_the_imports_assignments_from_the_offices(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0004")
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO users (id, username, display_name, role, password_hash, active, created_at, "
                "must_change_password) VALUES ('u1', 'alice', '', 'assessor', 'x', true, :now, false)"), {"now": now})
            # l1 assigned by an import, l2 moved by an import, l3 assigned by an admin's `assign`.
            for rev, learner, op, by in ((1, "l1", "assigned", IMPORTER), (2, "l2", "removed", IMPORTER),
                                         (3, "l3", "assigned", "command line (root)"), (4, "l3", "upsert", IMPORTER)):
                connection.execute(text(
                    "INSERT INTO change_log (rev, entity, record_id, op, user_id, at) "
                    "VALUES (:rev, 'learner', :learner, :op, :by, :now)"),
                    {"rev": rev, "learner": learner, "op": op, "by": by, "now": now})
            for learner, rev in (("l1", 1), ("l2", 2), ("l3", 3)):
                connection.execute(text(
                    "INSERT INTO assignments (learner_id, assessor_id, rev, assigned_at) "
                    "VALUES (:learner, 'u1', :rev, :now)"), {"learner": learner, "rev": rev, "now": now})
        upgrade_database(engine)
        with engine.connect() as connection:
            sources = dict(connection.execute(text("SELECT learner_id, source FROM assignments")).all())
        assert sources == {"l1": "mis", "l2": "mis", "l3": "office"}
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0004")
        upgrade_database(engine)
    finally:
        engine.dispose()
