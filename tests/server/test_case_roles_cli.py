"""Issue 16 item 1: the safeguarding lead, deputy and learning support roles, and an e-mail address on every
account made by `reviewapp-server create-user`."""

from __future__ import annotations

from server_testkit import Server
from test_server_cli import run

from sync.server.accounts import find_user


def test_create_user_makes_the_case_roles_with_their_email(server: Server) -> None:
    url = server.database_url
    for name, role in (("dee", "safeguarding_lead"), ("dep", "safeguarding_deputy"), ("lso", "learning_support")):
        made = run("create-user", name, "--role", role, "--email", f"{name}@example.org", database=url,
                   stdin="a long enough phrase\n")
        assert made.returncode == 0, made.stderr
        assert f"Created {role} {name!r}" in made.stdout
    with server.factory() as session:
        assert find_user(session, "dee").email == "dee@example.org"  # type: ignore[union-attr]
        assert find_user(session, "lso").role == "learning_support"  # type: ignore[union-attr]


def test_every_account_needs_an_email_address(server: Server) -> None:
    url = server.database_url
    missing = run("create-user", "dee", "--role", "safeguarding_lead", database=url, stdin="a long enough phrase\n")
    assert missing.returncode == 1 and "needs an e-mail address" in missing.stderr and "--email" in missing.stderr
    plain = run("create-user", "sam", "--role", "assessor", database=url, stdin="a long enough phrase\n")
    assert plain.returncode == 1 and "--email" in plain.stderr
    # Without --email, the address is the line after the password (what a terminal would be asked for).
    piped = run("create-user", "sam", "--role", "assessor", database=url,
                stdin="a long enough phrase\nsam@example.org\n")
    assert piped.returncode == 0, piped.stderr
    with server.factory() as session:
        assert find_user(session, "sam").email == "sam@example.org"  # type: ignore[union-attr]
        assert find_user(session, "dee") is None


def test_a_case_role_keeps_its_email_address(server: Server) -> None:
    import pytest

    from sync.server.accounts import AccountError, set_email, set_role
    from sync.server.db import transaction

    server.add_user("sam", "assessor")
    server.add_user("dee", "safeguarding_lead")
    with transaction(server.factory) as session:
        sam, dee = find_user(session, "sam"), find_user(session, "dee")
        assert sam is not None and dee is not None
        with pytest.raises(AccountError, match="needs an e-mail address"):
            set_role(session, sam, "safeguarding_deputy")
        with pytest.raises(AccountError, match="needs an e-mail address"):
            set_email(session, dee, "")
        set_email(session, sam, "sam@example.org")
        assert set_role(session, sam, "safeguarding_deputy")
