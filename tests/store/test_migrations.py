"""Schema upgrades: an old file upgrades in place, a newer one is refused untouched, models match migrations."""

import hashlib
import shutil
from pathlib import Path

import keyring
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text

from reviewapp.store import keys, migrations
from reviewapp.store.database import Store, database_path
from reviewapp.store.errors import NewerSchemaError
from reviewapp.store.models import Base, Learner, OutboxEntry, SyncState

FIXTURE = Path(__file__).parent.parent / "fixtures" / "schema-0001.db"
FIXTURE_KEY = "5eed" * 16  # the fixture's key; only this test data is ever keyed like this


def test_schema_head_constant_matches_alembic():
    config = migrations.alembic_config(None)
    assert ScriptDirectory.from_config(config).get_current_head() == migrations.SCHEMA_HEAD


def test_models_and_migrations_agree(store):
    """Fails when a model changes without a migration that makes the same change."""
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def _install_fixture(tmp_path: Path) -> Path:
    path = database_path(tmp_path, "assessor1")
    shutil.copy(FIXTURE, path)
    keyring.set_password(keys.KEYRING_SERVICE, f"database-key:{path.resolve()}", FIXTURE_KEY)
    return path


def test_first_schema_file_opens_and_upgrades_in_place(tmp_path):
    _install_fixture(tmp_path)
    with Store.open(tmp_path, "assessor1") as store:
        assert migrations.current_revision(store.engine) == migrations.SCHEMA_HEAD
        with store.read() as s:
            learner = s.get(Learner, "l1")
            assert (learner.first_name, learner.last_name) == ("Zoë", "Ødegård")
            assert s.get(OutboxEntry, 1).fields == {"phone": "0113 496 0000"}
            assert s.get(SyncState, "cursor").value == "4"


def test_file_from_a_newer_version_is_refused_untouched(tmp_path):
    path = _install_fixture(tmp_path)
    with Store.open(tmp_path, "assessor1") as store, store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(NewerSchemaError) as caught:
        Store.open(tmp_path, "assessor1")
    assert "newer version of ReviewApp" in caught.value.message
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
