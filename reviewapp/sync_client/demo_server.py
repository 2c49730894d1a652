"""Demo mode with a real server: an embedded sync server on an SQLite file in the data directory, seeded once
with the demo caseload and a demo assessor, so `reviewapp --demo` exercises real sign-in, push and pull.

Why seed the server's tables directly: going through the push API would take one HTTP round trip per few hundred
records and the assessor role may not create learners; writing the server's own models (with revs handed out in
order under its write lock, as every server writer does) takes well under a second for 40 learners.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from reviewapp import demo
from sync.protocol import ENTITY_MODELS

DEMO_USERNAME = "demo"
#: The demo server listens on 127.0.0.1 only and holds made-up people; its password is no secret (but it meets the
#: server's password policy like any other).
DEMO_PASSWORD = "made-up caseload to try"
SERVER_FILE = "demo-server.sqlite3"
#: A manager of the demo assessor's team, to try the office web app with (same password).
DEMO_MANAGER = "demo-manager"
DEMO_TEAM = "Demo team"
#: The demo's designated safeguarding lead, who reads the cases a concern opens (same password).
DEMO_SAFEGUARDING_LEAD = "demo-dsl"


def server_url_for(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir) / SERVER_FILE}"


def _add_demo_manager(session: Any, assessor: Any) -> None:
    """The demo manager, managing a team with the demo assessor in it: whom `make run` says to sign in to the
    office web app as. (The server is imported only when seeding, as in seed_demo_server.)"""
    from sync.server.accounts import create_user
    from sync.server.teams import add_to_team, create_team, find_team

    manager = create_user(session, DEMO_MANAGER, DEMO_PASSWORD, "manager", "Jo Patel")
    team = find_team(session, DEMO_TEAM) or create_team(session, DEMO_TEAM)
    add_to_team(session, team, assessor)
    add_to_team(session, team, manager)


def _add_demo_safeguarding_lead(session: Any) -> None:
    """The demo's safeguarding lead: a concern raised on the demo laptop opens a case that this account reads."""
    from sync.server.accounts import create_user

    create_user(session, DEMO_SAFEGUARDING_LEAD, DEMO_PASSWORD, "safeguarding_lead", "Sam Okafor",
                email="safeguarding@example.org")


def seed_demo_server(
    database_url: str, *, learners: int = 40, seed: int = 1, today: dt.date | None = None
) -> bool:
    """Create the demo assessor and caseload on an empty server database; False when it was seeded already."""
    from sync.server.accounts import create_user, find_user
    from sync.server.core.security import hash_password, verify_password
    from sync.server.db import make_engine, make_session_factory, take_write_lock, transaction
    from sync.server.migrate import upgrade_database
    from sync.server.models import RECORD_MODELS, Assignment, ChangeLog, ServerState
    from sync.server.records import employer_name_key, learner_columns

    engine = make_engine(database_url)
    try:
        upgrade_database(engine)
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            existing = find_user(session, DEMO_USERNAME)
            if existing is not None:
                if not verify_password(existing.password_hash, DEMO_PASSWORD):
                    # Seeded by an older version with another demo password: the demo signs in with this one.
                    existing.password_hash = hash_password(DEMO_PASSWORD)
                if find_user(session, DEMO_MANAGER) is None:  # seeded before the office web app
                    _add_demo_manager(session, existing)
                if find_user(session, DEMO_SAFEGUARDING_LEAD) is None:  # seeded before safeguarding cases
                    _add_demo_safeguarding_lead(session)
                return False
            user = create_user(session, DEMO_USERNAME, DEMO_PASSWORD, "assessor", "Alex Morgan")
            _add_demo_manager(session, user)
            _add_demo_safeguarding_lead(session)
            take_write_lock(session)
            rev = session.scalar(select(ServerState.last_rev).where(ServerState.id == 1)) or 0
            rows = demo.demo_rows(learners=learners, seed=seed, today=today)
            log: list[dict[str, Any]] = []
            review_learner = {r["id"]: r["learner_id"] for r in rows["review"]}
            for entity, batch in rows.items():
                model = RECORD_MODELS[entity]
                records = []
                for row in batch:
                    rev += 1
                    data = ENTITY_MODELS[entity].model_validate(  # a field the demo does not make: its default
                        {name: row[name] for name in ENTITY_MODELS[entity].model_fields if name in row}
                    ).model_dump(mode="json")
                    record: dict[str, Any] = {
                        "id": row["id"], "rev": rev, "data": data, "updated_at": row["updated_at"],
                        "updated_by": row["updated_by"], "deleted": False,
                    }
                    if entity == "employer":
                        record["name_key"] = employer_name_key(data["name"])
                    elif entity == "learner":
                        record |= learner_columns(data)
                    elif entity == "signature":
                        record["review_id"] = data["review_id"]
                        record["learner_id"] = review_learner[data["review_id"]]
                    else:
                        record["learner_id"] = data["learner_id"]
                    records.append(record)
                    log.append({"rev": rev, "entity": entity, "record_id": row["id"], "op": "demo",
                                "user_id": None, "device_id": None})
                if records:
                    session.execute(insert(model), records)
            assignments = []
            for learner in rows["learner"]:
                rev += 1
                assignments.append({"learner_id": learner["id"], "assessor_id": user.id, "rev": rev})
                log.append({"rev": rev, "entity": "learner", "record_id": learner["id"], "op": "assigned",
                            "user_id": None, "device_id": None})
            session.execute(insert(Assignment), assignments)
            session.execute(insert(ChangeLog), log)
            session.execute(update(ServerState).where(ServerState.id == 1).values(last_rev=rev))
        # Fresh statistics for the planner: without them PostgreSQL takes the just-filled tables for nearly empty
        # and joins each pull page to the caseload row by row (20 ms instead of 1 ms a query at 300 learners).
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")
        return True
    finally:
        engine.dispose()
