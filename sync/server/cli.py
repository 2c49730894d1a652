"""`reviewapp-server`: the admin's command line for the central server (also `python -m sync.server`).

Every command takes `--database URL` (else REVIEWAPP_DATABASE_URL, else an SQLite file in the user data
directory). Messages go to the person at the terminal: what happened, and what to do next.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from sync.protocol import MAX_LOGO_BYTES

from .accounts import (
    ROLES,
    AccountError,
    assign_learner,
    create_user,
    disable_user,
    enable_user,
    find_user,
    list_devices,
    reset_password,
    revoke_device,
    set_email,
    set_role,
    unlock_user,
)
from .archive.cli import add_archive_commands
from .audit import command_line_actor, format_line, format_time, learner_trail, os_user, record_event, user_trail
from .caseload_assignments import assign_caseload, parse_assignments
from .caseload_csv import ParsedCaseload
from .caseload_import import CHUNK_SECONDS, ImportFailed, ImportSummary, import_caseload
from .core.config import DATABASE_URL_ENV, resolve_database_url
from .db import make_engine, make_session_factory, renew_server_id, transaction
from .import_report import COMMIT_NAMED, report_lines
from .import_runs import ImportRunError, list_runs, rollback_run
from .migrate import upgrade_database
from .mis.caseload_file import ReaderMissing, read_caseload_file
from .mis.parsed_ilr import ParsedIlr
from .models import Learner, User, as_utc
from .otj_import import import_otj, parse_otj
from .plan_templates import import_plans, parse_plans
from .provider_settings import (
    MAX_TEMPLATE_BYTES,
    SettingsError,
    add_template,
    set_logo,
    set_provider_name,
    set_public_address,
    set_schedule,
)
from .provider_settings import describe as describe_settings
from .starting_points import import_starting_points, parse_starting_points
from .teams import add_to_team, create_team, find_team


class CommandError(Exception):
    """Stops a command with a message for the user and exit status 1."""


def _database(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    url = resolve_database_url(args.database)
    engine = make_engine(url)
    upgrade_database(engine)
    return url, engine, make_session_factory(engine)


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_init_db(args: argparse.Namespace) -> None:
    url, engine, _ = _database(args)
    engine.dispose()
    print(f"Database ready: {_shown(url)}")


def _read_password(prompt: str = "Password") -> str:
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise CommandError("No password was given on standard input.")
        return password
    first = getpass.getpass(f"{prompt}: ")
    if first != getpass.getpass(f"{prompt} again: "):
        raise CommandError("The two passwords differ; nothing was changed. Run the command again.")
    return first


def _read_email(given: str) -> str:
    """The new account's e-mail address: `--email`, else asked for at a terminal, else the line after the password
    on standard input. Every account has one (how the safeguarding lead is told of a case)."""
    if given.strip():
        return given.strip()
    email = input("E-mail address: ").strip() if sys.stdin.isatty() else sys.stdin.readline().strip()
    if not email:
        raise CommandError("Every account needs an e-mail address: give it with --email ADDRESS.")
    return email


def cmd_create_user(args: argparse.Namespace) -> None:
    password = _read_password()
    args.email = _read_email(args.email or "")
    _, engine, factory = _database(args)
    try:
        with transaction(factory) as session:
            user = create_user(session, args.username, password, args.role, args.display_name or "",
                               actor=command_line_actor(), email=args.email or "")
            print(f"Created {user.role} {user.username!r} (id {user.id}).")
    finally:
        engine.dispose()


def _user(session, username: str) -> User:  # type: ignore[no-untyped-def]
    user = find_user(session, username)
    if user is None:
        raise CommandError(f"There is no user called {username!r}; create them with create-user.")
    return user


def _change_user_state(args: argparse.Namespace, change, done: str, already: str) -> None:  # type: ignore[no-untyped-def]
    """disable-user, enable-user and unlock-user: apply `change` (an accounts function that says whether anything
    changed) to the named user in one transaction, and say which happened."""
    _, engine, factory = _database(args)
    try:
        with transaction(factory) as session:
            user = _user(session, args.username)
            changed = change(session, user, actor=command_line_actor())
            print((done if changed else already).format(name=repr(user.username)))
    finally:
        engine.dispose()


def cmd_disable_user(args: argparse.Namespace) -> None:
    _change_user_state(args, disable_user,
                       "Disabled {name}: every sign-in of theirs has ended and none is accepted until enable-user.",
                       "{name} was already disabled.")


def cmd_enable_user(args: argparse.Namespace) -> None:
    _change_user_state(args, enable_user, "Enabled {name}: they can sign in again (revoked devices stay revoked).",
                       "{name} was already enabled and not locked.")


def cmd_unlock_user(args: argparse.Namespace) -> None:
    _change_user_state(args, unlock_user, "Unlocked {name}: they can try signing in again now.",
                       "{name} was not locked.")


def cmd_set_password(args: argparse.Namespace) -> None:
    _, engine, factory = _database(args)
    try:
        with factory() as session:
            _user(session, args.username)  # say so before asking for a password
        password = _read_password(f"New password for {args.username}")
        with transaction(factory) as session:
            user = _user(session, args.username)
            reset_password(session, user, password, force_change=args.force_change, actor=command_line_actor())
            then = (" They must choose their own at their next sign-in." if args.force_change
                    else "")
            print(f"Set a new password for {user.username!r}; every sign-in of theirs has ended.{then}")
    finally:
        engine.dispose()


def cmd_audit(args: argparse.Namespace) -> None:
    _, engine, factory = _database(args)
    try:
        with factory() as session:
            if args.learner:
                learner = session.execute(select(Learner).where(Learner.uln == args.learner)).scalar_one_or_none()
                if learner is None:
                    raise CommandError(f"No learner has the ULN {args.learner}.")
                lines = learner_trail(session, learner)
                about = f"learner {args.learner}"
            else:
                lines = user_trail(session, _user(session, args.user))
                about = f"user {args.user}"
    finally:
        engine.dispose()
    print(f"Audit trail for {about} (times Europe/London; device times are the device's own clock):")
    for line in lines:
        print(format_line(line))
    if not lines:
        print("Nothing recorded.")


def cmd_list_devices(args: argparse.Namespace) -> None:
    _, engine, factory = _database(args)
    try:
        with transaction(factory) as session:
            rows = list_devices(session)
            if not rows:
                print("No device has signed in yet.")
            for device, user in rows:
                state = f"revoked {format_time(device.revoked_at)}" if device.revoked_at else "active"
                seen = format_time(device.last_seen_at) if device.last_seen_at else "never"
                print(f"{device.id}  {user.username:<20} {device.name!r:<30} host {device.host_name or '?'}  "
                      f"ReviewApp {device.app_version or '?'}  last sync {seen}  {state}")
    finally:
        engine.dispose()


def cmd_revoke_device(args: argparse.Namespace) -> None:
    _, engine, factory = _database(args)
    try:
        with transaction(factory) as session:
            device = revoke_device(session, args.device_id, actor=command_line_actor())
            print(f"Revoked device {device.id} ({device.name!r}): its tokens no longer work.")
    finally:
        engine.dispose()


def cmd_set_role(args: argparse.Namespace) -> None:
    _, engine, factory = _database(args)
    try:
        with transaction(factory) as session:
            user = _user(session, args.username)
            if set_role(session, user, args.role, actor=command_line_actor()):
                print(f"{user.username!r} is now a {args.role.replace('_', ' ')}.")
            else:
                print(f"{user.username!r} is already a {args.role.replace('_', ' ')}.")
    finally:
        engine.dispose()


def cmd_set_email(args: argparse.Namespace) -> None:
    _, engine, factory = _database(args)
    try:
        with transaction(factory) as session:
            user = _user(session, args.username)
            changed = set_email(session, user, args.address, actor=command_line_actor())
            shown = user.email or "no address"
            print(f"{user.username!r} now has {shown}." if changed else f"{user.username!r} already has {shown}.")
    finally:
        engine.dispose()


def cmd_create_team(args: argparse.Namespace) -> None:
    _, engine, factory = _database(args)
    try:
        with transaction(factory) as session:
            team = create_team(session, args.name, actor=command_line_actor())
            print(f"Created team {team.name!r}: add its assessors and managers with add-to-team.")
    finally:
        engine.dispose()


def cmd_add_to_team(args: argparse.Namespace) -> None:
    _, engine, factory = _database(args)
    try:
        with transaction(factory) as session:
            team = find_team(session, args.team)
            if team is None:
                raise CommandError(f"There is no team called {args.team!r}; create it with create-team.")
            user = _user(session, args.username)
            how = "manages" if user.role == "manager" else "works in"
            if add_to_team(session, team, user, actor=command_line_actor()):
                print(f"{user.username!r} now {how} team {team.name!r}.")
            else:
                print(f"{user.username!r} already {how} team {team.name!r}.")
    finally:
        engine.dispose()


def cmd_assign(args: argparse.Namespace) -> None:
    _, engine, factory = _database(args)
    try:
        with transaction(factory) as session:
            learner = session.execute(select(Learner).where(Learner.uln == args.uln)).scalar_one_or_none()
            if learner is None:
                raise CommandError(f"No learner has the ULN {args.uln}; import the caseload first.")
            assessor = find_user(session, args.username)
            if assessor is None:
                raise CommandError(f"There is no user called {args.username!r}; create them with create-user.")
            if assign_learner(session, learner, assessor, by=command_line_actor()):
                print(f"Assigned learner {args.uln} to {assessor.username}.")
            else:
                print(f"Learner {args.uln} is already assigned to {assessor.username}.")
    finally:
        engine.dispose()


def cmd_import_caseload(args: argparse.Namespace) -> None:
    path = Path(args.file)
    try:
        parsed = read_caseload_file(path)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    except ReaderMissing as error:
        raise CommandError(f"{error}.") from None
    if isinstance(parsed, ParsedIlr) and parsed.year:
        print(f"{path.name}: an ILR file for {parsed.year} holding {parsed.learners} learner(s), "
              f"{parsed.not_apprentices} of them not apprentices (left out).")
    _, engine, factory = _database(args)
    try:
        summary = import_caseload(factory, parsed, skip_bad_rows=args.skip_bad_rows, file_name=path.name,
                                  started_by=_who(), chunk_rows=args.chunk_rows, dry_run=args.dry_run)
    except ImportFailed as error:
        raise CommandError(f"Importing {path.name} failed: {error}") from None
    finally:
        engine.dispose()
    if args.dry_run:
        _show_dry_run(path.name, parsed, summary, args.skip_bad_rows)
        return
    for problem in summary.problems:
        print(f"{path.name}: {problem}", file=sys.stderr)
    if not summary.imported:
        if not parsed.readable:
            raise CommandError(f"{path.name} cannot be read as a caseload: nothing was imported.")
        raise CommandError(
            f"{len(summary.problems)} bad row(s): nothing was imported. Fix them, or run again with --skip-bad-rows "
            "to import the good rows only."
        )
    _record(args, "caseload_imported", detail=(
        f"{path.name}, run {summary.run_id}: {summary.created} created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.assigned} assigned, {len(summary.problems)} bad row(s), "
        f"{summary.report.total('kept_assignments')} office assignment(s) kept"))
    for line in report_lines(summary.report, will=False, limit=COMMIT_NAMED):
        print(line)
    skipped = f", {len(summary.problems)} bad row(s) skipped" if summary.problems else ""
    print(
        f"Imported {path.name}: {summary.created} learner(s) created, {summary.updated} updated, "
        f"{summary.unchanged} unchanged, {summary.assigned} assigned, {summary.employers_created} new employer(s)"
        f"{skipped}. Import run {summary.run_id} (undo it with: reviewapp-server import-rollback {summary.run_id})."
    )


def _show_dry_run(name: str, parsed: ParsedCaseload, summary: ImportSummary, skip_bad_rows: bool) -> None:
    """What `import-caseload --dry-run` prints: how the file was read, then what an import would add, change,
    leave and reject, with the file's line numbers. Exit status 1 when the import as asked would write nothing."""
    print(f"Dry run of {name}: nothing has been written.")
    for line in parsed.describe_reading():
        print(f"  {line}")
    for line in report_lines(summary.report, will=True):
        print(line)
    if summary.problems:
        print(f"Rows it will reject ({len(summary.problems):,}):")
        for problem in summary.problems:
            print(f"  {problem}")
    if not parsed.readable:
        raise CommandError(f"{name} cannot be read as a caseload: an import would write nothing.")
    print(f"Importing it would add {summary.created} learner(s), change {summary.updated}, leave {summary.unchanged} "
          f"as they are, assign {summary.assigned}, add {summary.employers_created} employer(s) and reject "
          f"{len(summary.problems)} row(s).")
    if summary.problems and not skip_bad_rows:
        raise CommandError(f"{len(summary.problems)} bad row(s): as it stands an import would write nothing. Fix "
                           "them, or import with --skip-bad-rows to import the good rows only.")


def cmd_assign_caseload(args: argparse.Namespace) -> None:
    path = Path(args.file)
    try:
        parsed = parse_assignments(path.read_bytes())
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    _, engine, factory = _database(args)
    try:
        summary = assign_caseload(factory, parsed, by=command_line_actor(), dry_run=args.dry_run)
    finally:
        engine.dispose()
    for problem in summary.problems:
        print(f"{path.name}: {problem}", file=sys.stderr)
    if summary.problems:
        raise CommandError(f"{len(summary.problems)} bad row(s): no assignment was changed. Fix them and run the "
                           "command again.")
    if args.dry_run:
        print(f"Dry run of {path.name} (nothing was written): {summary.assigned} learner(s) would be assigned, "
              f"{summary.unchanged} already with that assessor.")
        return
    print(f"Assigned from {path.name}: {summary.assigned} learner(s) assigned, {summary.unchanged} already with "
          "that assessor.")


def cmd_import_otj(args: argparse.Namespace) -> None:
    path = Path(args.file)
    try:
        parsed = parse_otj(path.read_bytes())
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
    _, engine, factory = _database(args)
    try:
        summary = import_otj(factory, parsed, dry_run=args.dry_run)
    finally:
        engine.dispose()
    if args.dry_run:
        print(f"Dry run of {path.name}: nothing has been written.")
        for line in parsed.reading:
            print(f"  {line}")
    for problem in summary.problems:
        print(f"{path.name}: {problem}", file=sys.stderr)
    if summary.problems:
        outcome = "an import would add nothing" if args.dry_run else "no entry was added"
        raise CommandError(f"{len(summary.problems)} problem(s): {outcome}. Fix them and run the command again.")
    already = (f", {len(summary.already)} already in the log (lines {_lines(summary.already)})"
               if summary.already else "")
    if args.dry_run:
        print(f"Importing it would add {len(summary.added)} entr(ies), {summary.hours_added:g} hours for "
              f"{summary.learners} learner(s){already}.")
        return
    if summary.written:
        _record(args, "otj_imported", detail=f"{path.name}: {len(summary.added)} entries added "
                f"({summary.hours_added:g} hours, {summary.learners} learners), {len(summary.already)} already held")
    print(f"Imported {path.name}: {len(summary.added)} entr(ies) added, {summary.hours_added:g} hours for "
          f"{summary.learners} learner(s){already}. Assessors' laptops get them at their next sync.")


def _lines(lines: Sequence[int], limit: int = 20) -> str:
    shown = ", ".join(str(n) for n in lines[:limit])
    return shown + (f" and {len(lines) - limit} more" if len(lines) > limit else "")


def _refuse_bad_rows(name: str, problems: Sequence[object], dry_run: bool, what: str) -> None:
    """Print each problem with its line; stop with status 1 when there are any (nothing was written)."""
    for problem in problems:
        print(f"{name}: {problem}", file=sys.stderr)
    if problems:
        done = "a real run would change nothing" if dry_run else f"no {what} was changed"
        raise CommandError(f"{len(problems)} bad row(s): {done}. Fix them and run the command again.")


def cmd_import_plans(args: argparse.Namespace) -> None:
    path = Path(args.file)
    parsed = parse_plans(_read_file(path))
    _, engine, factory = _database(args)
    try:
        summary = import_plans(factory, parsed, dry_run=args.dry_run)
    finally:
        engine.dispose()
    _refuse_bad_rows(path.name, summary.problems, args.dry_run, "plan")
    verb = "Would import" if args.dry_run else "Imported"
    copied = "would be copied" if args.dry_run else "copied"
    print(f"{verb} {summary.template_items} plan item(s) for {summary.standards} standard(s) from {path.name}: "
          f"{summary.plan_items} item(s) {copied} into the plans of {summary.learners} learner(s)"
          + (" (dry run: nothing was written)." if args.dry_run else "."))


def cmd_import_starting_points(args: argparse.Namespace) -> None:
    path = Path(args.file)
    parsed = parse_starting_points(_read_file(path))
    _, engine, factory = _database(args)
    try:
        summary = import_starting_points(factory, parsed, dry_run=args.dry_run)
    finally:
        engine.dispose()
    _refuse_bad_rows(path.name, summary.problems, args.dry_run, "starting point")
    verb = "would record" if args.dry_run else "recorded"
    print(f"From {path.name}: {verb} starting points for {summary.plan_items_updated} plan item(s) and the "
          f"English and maths levels of {summary.learners_updated} learner(s); {summary.unchanged} already so"
          + (" (dry run: nothing was written)." if args.dry_run else "."))


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _who() -> str:
    """Who ran a command, for the import record: the login name of the admin's shell."""
    return os_user()


def _record(args: argparse.Namespace, action: str, detail: str) -> None:
    """An admin action done in its own steps (an import, a rollback), added to the audit trail once it is done."""
    _, engine, factory = _database(args)
    try:
        with transaction(factory) as session:
            record_event(session, command_line_actor(), action, detail=detail)
    finally:
        engine.dispose()


def cmd_import_rollback(args: argparse.Namespace) -> None:
    _, engine, factory = _database(args)
    try:
        summary = rollback_run(factory, args.run_id, by=f"rollback by {_who()}"[:36])
    except ImportRunError as error:
        raise CommandError(str(error)) from None
    finally:
        engine.dispose()
    _record(args, "import_rolled_back", detail=f"run {args.run_id}: {summary.describe()}")
    print(f"Rolled back import run {args.run_id}: {summary.describe()}.")
    for why in summary.kept_named:
        print(f"  kept: {why}")
    if summary.kept > len(summary.kept_named):
        print(f"  and {summary.kept - len(summary.kept_named)} more kept")


def cmd_list_imports(args: argparse.Namespace) -> None:
    _, engine, factory = _database(args)
    try:
        with factory() as session:
            runs = list_runs(session)
    finally:
        engine.dispose()
    if not runs:
        print("No caseload has been imported yet.")
    for run in runs:
        print(f"{run.id}  {run.status:<11}  {as_utc(run.started_at):%Y-%m-%d %H:%M} UTC  {run.file_name}  by "
              f"{run.started_by}: {run.rows} row(s), {run.created} created, {run.updated} updated, {run.assigned} "
              f"assigned" + (f"; {run.error}" if run.error else ""))


def cmd_new_server_id(args: argparse.Namespace) -> None:
    _, engine, factory = _database(args)
    try:
        with transaction(factory) as session:
            old, new = renew_server_id(session)
    finally:
        engine.dispose()
    print(
        f"Server id changed from {old} to {new}. Start (or restart) the server now: each laptop will pull "
        "everything again at its next sync and send back whatever this database lacks."
    )


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    url, engine, _ = _database(args)  # migrate once, before any worker starts
    engine.dispose()
    os.environ[DATABASE_URL_ENV] = url  # the workers read it
    mail = None if args.no_worker else _mail_worker(url)
    if mail is not None:
        mail.start()
    print(f"Serving ReviewApp sync on http://{args.host}:{args.port} (database {_shown(url)})", flush=True)
    uvicorn.run(
        "sync.server.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        proxy_headers=True,
        log_level="info",
    )
    if mail is not None:
        mail.stop()


def _mail_worker(url: str):  # type: ignore[no-untyped-def]
    """The mail worker for this process, its settings checked first (CommandError with the reason if unusable)."""
    from . import email_copies  # noqa: F401  (its bounce hook: a bounced copy marks its delivery)
    from .mail import MailSettingsError, smtp_from_env, timings_from_env
    from .mail.jobs import MailWorker

    try:
        smtp, timings = smtp_from_env(), timings_from_env()
    except MailSettingsError as error:
        raise CommandError(f"The e-mail settings cannot work: {error}") from None
    if smtp is None:
        print("E-mail is off: REVIEWAPP_SMTP_HOST is not set; messages wait in the outbox until it is.", flush=True)
    else:
        print(f"E-mail through {smtp.describe()}.", flush=True)
    from .periodic import PeriodicJobs

    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        periodic = PeriodicJobs(factory)  # cases nobody acknowledged, managers' alert e-mails, the archive
    except ValueError as error:
        raise CommandError(str(error)) from None
    return MailWorker(engine, factory, smtp, timings, periodic.tick)


def cmd_worker(args: argparse.Namespace) -> None:
    url, engine, _ = _database(args)
    engine.dispose()
    worker = _mail_worker(url)
    kind = "procrastinate worker" if worker.postgres else "mail worker"
    print(f"Running the {kind} on {_shown(url)}; Ctrl+C stops it.", flush=True)
    worker.run_forever()


def cmd_mail_status(args: argparse.Namespace) -> None:
    from .mail import counts, unsent

    _, engine, factory = _database(args)
    try:
        with factory() as session:
            totals = counts(session)
            rows = unsent(session, limit=args.limit)
    finally:
        engine.dispose()
    print(", ".join(f"{status.replace('_', ' ')} {count}" for status, count in totals.items()))
    for row in rows:
        print(f"{row.id}  {row.status:<20} {row.kind:<12} attempts {row.attempts}  to {row.to_address}  "
              f"queued {format_time(row.created_at)}" + (f"  last error: {row.last_error}" if row.last_error else ""))
    if totals["failed"] or totals["bounced"]:
        print("Retry a failed or bounced message from the web app's Mail page (/admin/mail) once it is put right.")


def cmd_send_test_email(args: argparse.Namespace) -> None:
    from .mail import MailError, MailSettingsError, check_address, enqueue, smtp_from_env
    from .mail.smtp import PermanentFailure, TemporaryFailure, build_message, send

    try:
        address = check_address(args.address)
    except ValueError as error:
        raise CommandError(f"{args.address!r} is not an e-mail address: {error}") from None
    text = ("This is a test message from ReviewApp's server. If you can read it, the server's e-mail settings "
            "work.\n")
    subject = "ReviewApp test message"
    if args.queue:  # through the outbox and the workers, as every other e-mail goes
        from .mail.jobs import install_nudge

        _, engine, factory = _database(args)
        install_nudge(engine)  # PostgreSQL: a worker starts on it at once
        try:
            with transaction(factory) as session:
                row = enqueue(session, to=address, subject=subject, text=text, kind="test",
                              key=args.key or f"test:{uuid.uuid4()}")
                print(f"Queued message {row.id} ({row.status.replace('_', ' ')}); a worker sends it.")
        except MailError as error:
            raise CommandError(str(error)) from None
        finally:
            engine.dispose()
        return
    try:
        smtp = smtp_from_env()
    except MailSettingsError as error:
        raise CommandError(f"The e-mail settings cannot work: {error}") from None
    if smtp is None:
        raise CommandError("E-mail is off: set REVIEWAPP_SMTP_HOST and REVIEWAPP_SMTP_FROM (see docs/server.md).")
    from .mail.outbox import MESSAGE_ID_DOMAIN
    from .models import MailMessage, utcnow

    row = MailMessage(id="test", key="test", kind="test", message_id=f"<{uuid.uuid4()}@{MESSAGE_ID_DOMAIN}>",
                      to_address=address, subject=subject, body_text=text, attachments=[], created_at=utcnow())
    try:
        send(build_message(row, smtp), smtp)
    except (TemporaryFailure, PermanentFailure) as error:
        raise CommandError(f"Not sent through {smtp.describe()}: {error}") from None
    print(f"Sent a test message to {address} through {smtp.describe()}.")


def _change_settings(args: argparse.Namespace, change, done) -> None:  # type: ignore[no-untyped-def]
    """One `settings` change in one transaction (which puts it in the audit trail); a refused one changes nothing."""
    _, engine, factory = _database(args)
    try:
        with transaction(factory) as session:
            message = done(change(session, command_line_actor()))
    except SettingsError as error:
        raise CommandError(f"{error} Nothing was changed.") from None
    finally:
        engine.dispose()
    print(f"{message} Laptops take it at their next sync.")


def _read_file(name: str | Path, limit: int | None = None) -> bytes:
    """A command's input file, whole; a CommandError (nothing changed) when it cannot be read or is over `limit`."""
    path = Path(name)
    try:
        if limit is not None and path.stat().st_size > limit:
            raise CommandError(f"{name} is larger than {limit // 1024} KB; nothing was changed.")
        return path.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {name}: {error.strerror}. Nothing was changed.") from None


def _read_json(name: str, limit: int) -> object:
    import json

    data = _read_file(name, limit)
    if name.lower().endswith(".toml"):
        import tomllib

        try:
            return tomllib.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise CommandError(f"{name} is not valid TOML: {error}. Nothing was changed.") from None
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"{name} is not valid JSON: {error}. Nothing was changed.") from None


def cmd_settings_show(args: argparse.Namespace) -> None:
    _, engine, factory = _database(args)
    try:
        with factory() as session:
            lines = describe_settings(session)
    finally:
        engine.dispose()
    print("\n".join(lines))


def cmd_settings_set_name(args: argparse.Namespace) -> None:
    _change_settings(args, lambda session, by: set_provider_name(session, args.name, by),
                     lambda name: f"Provider name set to {name!r}.")


def cmd_settings_set_public_address(args: argparse.Namespace) -> None:
    _change_settings(args, lambda session, by: set_public_address(session, args.address, by),
                     lambda address: f"Public address set to {address}: copies printed from now on can be checked "
                     f"at {address}/verify." if address else "Public address cleared: laptops print their sync "
                     "server's address.")


def cmd_settings_set_copy_delivery(args: argparse.Namespace) -> None:
    from .copy_links import set_copy_delivery

    _, engine, factory = _database(args)
    try:
        with transaction(factory) as session:
            chosen = set_copy_delivery(session, args.mode, args.days, command_line_actor())
    except SettingsError as error:
        raise CommandError(f"{error} Nothing was changed.") from None
    finally:
        engine.dispose()
    print(f"Review copies are e-mailed as a link lasting {chosen.days} days (an attachment while no public address "
          "is set)." if chosen.mode == "link" else "Review copies are e-mailed as PDF attachments.")


def cmd_settings_set_reminder_days(args: argparse.Namespace) -> None:
    from .bookings import set_reminder_days

    _change_settings(args, lambda session, by: set_reminder_days(session, args.days, by),
                     lambda days: f"Booked reviews: the reminder goes {days} days before." if days else
                     "Booked reviews: no reminder.")


def cmd_settings_set_logo(args: argparse.Namespace) -> None:
    data = _read_file(args.file, MAX_LOGO_BYTES * 4)
    _change_settings(args, lambda session, by: set_logo(session, data, by),
                     lambda kind: f"Logo set from {Path(args.file).name} ({kind}, {len(data)} bytes).")


def cmd_settings_set_schedule(args: argparse.Namespace) -> None:
    document: dict[str, object] = {}
    if args.file:
        loaded = _read_json(args.file, 64 * 1024)
        if not isinstance(loaded, dict):
            raise CommandError(f"{args.file} must hold one object of schedule settings. Nothing was changed.")
        document.update(loaded)
    for name in ("first_review", "max_interval", "short_interval", "due_soon_days"):
        if getattr(args, name) is not None:
            document[name] = getattr(args, name)
    if args.holiday:
        document["holidays"] = [{"start": start, "end": end, "name": name} for start, end, name in args.holiday]
    if not document:
        raise CommandError("Give the schedule as options (see --help) or --file; nothing was changed.")

    def done(rules) -> str:  # type: ignore[no-untyped-def]
        holidays = f", {len(rules.holidays)} holiday period(s)" if rules.holidays else ""
        return (f"Schedule set: first review {rules.first_review.in_full} after the start, then at most "
                f"{rules.max_interval.in_full} apart, {rules.short_interval.in_full} when at risk{holidays}.")

    _change_settings(args, lambda session, by: set_schedule(session, document, by), done)


def cmd_settings_set_alerts(args: argparse.Namespace) -> None:
    from .provider_settings import set_alert_settings

    document = {name: getattr(args, name) for name in ("due_within_days", "otj_behind_percent", "draft_days")
                if getattr(args, name) is not None}
    if not document:
        raise CommandError("Give at least one alert setting (see --help); nothing was changed.")
    _change_settings(args, lambda session, by: set_alert_settings(session, document, by),
                     lambda s: f"Alerts set: review due within {s.due_within_days} days and not booked; off-the-job "
                     f"hours behind by more than {s.otj_behind_percent:g}%; a draft unfinished for {s.draft_days} "
                     "days.")


def cmd_settings_add_template(args: argparse.Namespace) -> None:
    raw = _read_json(args.file, MAX_TEMPLATE_BYTES)
    _change_settings(args, lambda session, by: add_template(session, raw, by, source=Path(args.file).name),
                     lambda t: f"Added version {t.version} of the template {t.id!r} ({t.title}): laptops offer it "
                     "for new reviews; reviews already started keep their own version.")


def _add_settings_commands(commands, common) -> None:  # type: ignore[no-untyped-def]
    settings = commands.add_parser(
        "settings", help="provider settings set here for every laptop (name, logo, schedule, "
        "templates)",
        description="Provider settings set once at the office and taken by every laptop at its next sync: the "
        "provider's name and logo on every copy, the review schedule, and the review templates. A laptop that "
        "cannot reach the server keeps the last settings it had; each laptop's own settings apply to what the "
        "office has not set.",
    )
    actions = settings.add_subparsers(dest="settings_command", required=True, metavar="ACTION")
    actions.add_parser("show", parents=[common], help="show the settings laptops receive").set_defaults(
        run=cmd_settings_show)
    setting = actions.add_parser("set", help="set one setting").add_subparsers(
        dest="setting", required=True, metavar="SETTING")
    name = setting.add_parser("provider-name", parents=[common], help="the provider's name on every copy")
    name.add_argument("name")
    name.set_defaults(run=cmd_settings_set_name)
    public = setting.add_parser("public-address", parents=[common],
                                help="the server's public address, which every copy's QR code points at "
                                "(https://.../verify/...); '' clears it")
    public.add_argument("address")
    public.set_defaults(run=cmd_settings_set_public_address)
    copies = setting.add_parser("copy-delivery", parents=[common],
                                help="how e-mailed review copies travel: attachment (the default) or a time-limited "
                                "link to the server (needs the public address)")
    copies.add_argument("mode", choices=("attachment", "link"))
    copies.add_argument("--days", type=int, default=14, help="how long a link works (1 to 90 days; default 14)")
    copies.set_defaults(run=cmd_settings_set_copy_delivery)
    reminder = setting.add_parser("booking-reminder-days", parents=[common],
                                  help="how many days before a booked review its reminder e-mail goes (default 2; "
                                  "0: none)")
    reminder.add_argument("days", type=int)
    reminder.set_defaults(run=cmd_settings_set_reminder_days)
    logo = setting.add_parser("logo", parents=[common],
                              help=f"the logo on every copy: a PNG or JPEG file of at most {MAX_LOGO_BYTES // 1024} KB")
    logo.add_argument("file")
    logo.set_defaults(run=cmd_settings_set_logo)
    schedule = setting.add_parser(
        "schedule", parents=[common], help="the review schedule, from options or a JSON/TOML file",
        description="The review schedule, checked by the laptop's own rules (no gap beyond the funding rules' 3 "
        "calendar months). Intervals in weeks or calendar months: '8 weeks', '3 months', P8W, P3M. A file holds "
        "first_review, max_interval, short_interval, due_soon_days and holidays (a list of {start, end, name}); "
        "options override it. What is left out takes the default (8 weeks, 8 weeks, 4 weeks, 7 days, no holidays).",
    )
    schedule.add_argument("--file", help="a JSON or TOML file of the schedule")
    schedule.add_argument("--first-review", dest="first_review", metavar="INTERVAL")
    schedule.add_argument("--max-interval", dest="max_interval", metavar="INTERVAL")
    schedule.add_argument("--short-interval", dest="short_interval", metavar="INTERVAL",
                          help="the sooner interval when a learner is at risk")
    schedule.add_argument("--due-soon-days", dest="due_soon_days", type=int, metavar="DAYS")
    schedule.add_argument("--holiday", nargs=3, action="append", metavar=("START", "END", "NAME"),
                          help="a holiday period (ISO dates, inclusive); repeat for each; replaces the file's")
    schedule.set_defaults(run=cmd_settings_set_schedule)
    alerts = setting.add_parser("alerts", parents=[common], help="the alert thresholds every laptop and the web "
                                "app use (what is left out keeps its value: 14 days, 10%%, 7 days by default)")
    alerts.add_argument("--due-within-days", dest="due_within_days", type=int, metavar="DAYS",
                        help="alert when a review is due within DAYS and not booked")
    alerts.add_argument("--otj-behind-percent", dest="otj_behind_percent", type=float, metavar="PERCENT",
                        help="alert when off-the-job hours are behind plan by more than PERCENT")
    alerts.add_argument("--draft-days", dest="draft_days", type=int, metavar="DAYS",
                        help="alert when a draft review is left unfinished for DAYS")
    alerts.set_defaults(run=cmd_settings_set_alerts)
    template = actions.add_parser(
        "add-template", parents=[common], help="add a new version of a review template from its JSON file",
        description="Add a new version of a review template (checked as the laptop checks it). A version once "
        "added is never replaced: reviews started with it keep it. Give each change a higher version.",
    )
    template.add_argument("file")
    template.set_defaults(run=cmd_settings_add_template)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--database",
        metavar="URL",
        help=f"database URL, e.g. postgresql+psycopg://user@host/reviewapp (default: ${DATABASE_URL_ENV}, "
        "else an SQLite file in your user data directory)",
    )
    parser = argparse.ArgumentParser(prog="reviewapp-server", description="The ReviewApp central sync server.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", parents=[common], help="run the HTTP server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--workers", type=int, default=1, help="worker processes (use PostgreSQL for more than one)")
    serve.add_argument("--no-worker", action="store_true", help="do not send e-mail from this process (run "
                       "`reviewapp-server worker` elsewhere)")
    serve.set_defaults(run=cmd_serve)
    commands.add_parser("worker", parents=[common], help="send queued e-mail (PostgreSQL: a procrastinate worker)"
                        ).set_defaults(run=cmd_worker)
    status = commands.add_parser("mail-status", parents=[common], help="count and list the e-mail not yet sent")
    status.add_argument("--limit", type=int, default=50)
    status.set_defaults(run=cmd_mail_status)
    test_mail = commands.add_parser("send-test-email", parents=[common], help="send a test e-mail with the settings")
    test_mail.add_argument("address")
    test_mail.add_argument("--queue", action="store_true", help="queue it in the outbox for the workers to send")
    test_mail.add_argument("--key", default="", help=argparse.SUPPRESS)  # tests: a known idempotency key
    test_mail.set_defaults(run=cmd_send_test_email)

    commands.add_parser("init-db", parents=[common], help="create or upgrade the database").set_defaults(
        run=cmd_init_db
    )

    user = commands.add_parser(
        "create-user", parents=[common], help="add an account (password from standard input, or prompted)"
    )
    user.add_argument("username")
    user.add_argument("--role", choices=ROLES, required=True)
    user.add_argument("--display-name", default="")
    user.add_argument("--email", default="", help="their e-mail address (asked for when left out)")
    user.set_defaults(run=cmd_create_user)

    for name, run, text in (
        ("disable-user", cmd_disable_user, "disable an account: its sign-ins end at once"),
        ("enable-user", cmd_enable_user, "re-enable a disabled account and lift any sign-in lock"),
        ("unlock-user", cmd_unlock_user, "lift the lock put on an account by repeated failed sign-ins"),
    ):
        command = commands.add_parser(name, parents=[common], help=text)
        command.add_argument("username")
        command.set_defaults(run=run)
    password = commands.add_parser(
        "set-password", parents=[common],
        help="give a user a new password (from standard input, or prompted); they must change it at next sign-in",
    )
    password.add_argument("username")
    password.add_argument("--force-change", action=argparse.BooleanOptionalAction, default=True,
                          help="make them choose their own at their next sign-in (the default)")
    password.set_defaults(run=cmd_set_password)
    audit = commands.add_parser("audit", parents=[common], help="print the audit trail of a learner or a user")
    which = audit.add_mutually_exclusive_group(required=True)
    which.add_argument("--learner", metavar="ULN")
    which.add_argument("--user", metavar="NAME")
    audit.set_defaults(run=cmd_audit)

    commands.add_parser("list-devices", parents=[common], help="list signed-in devices").set_defaults(
        run=cmd_list_devices
    )
    revoke = commands.add_parser("revoke-device", parents=[common], help="end every session of a lost device")
    revoke.add_argument("device_id")
    revoke.set_defaults(run=cmd_revoke_device)

    commands.add_parser(
        "new-server-id",
        parents=[common],
        help="give the database a new server id: run it after restoring a backup, before serving",
        description="Give the database a fresh server id. Run it after restoring a backup and before serving it "
        "(stop every server process first): laptops then see a new server, pull everything again and send back "
        "the changes the restored database lacks. Without it they would trust cursors the backup never reached.",
    ).set_defaults(run=cmd_new_server_id)

    role = commands.add_parser("set-role", parents=[common], help="give a user another role")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(run=cmd_set_role)
    address = commands.add_parser("set-email", parents=[common], help="give a user another e-mail address")
    address.add_argument("username")
    address.add_argument("address", help='the address ("" for none)')
    address.set_defaults(run=cmd_set_email)
    team = commands.add_parser("create-team", parents=[common], help="add a team of assessors")
    team.add_argument("name")
    team.set_defaults(run=cmd_create_team)
    member = commands.add_parser(
        "add-to-team", parents=[common],
        help="put an assessor in a team, or a manager in charge of it (a manager sees their teams' caseloads)",
    )
    member.add_argument("team")
    member.add_argument("username")
    member.set_defaults(run=cmd_add_to_team)

    assign = commands.add_parser("assign", parents=[common], help="put a learner in an assessor's caseload")
    assign.add_argument("uln")
    assign.add_argument("username")
    assign.set_defaults(run=cmd_assign)

    imp = commands.add_parser(
        "import-caseload", parents=[common],
        help="import the caseload from the MIS: an ILR XML file, the caseload CSV or a spreadsheet's CSV",
        description="Import the caseload from the MIS: an ILR XML file (2025-26; its apprentices only) or a "
        "caseload CSV (UTF-8 or Windows-1252, comma or semicolon separated, columns matched by name), told apart "
        "by what the file holds. Every problem is reported with its line; all or nothing: any bad row and nothing "
        "is written, unless --skip-bad-rows. Run it with --dry-run first to see how the file is read and what it "
        "would add, change, leave and reject. The ILR names no assessor: use assign-caseload.",
    )
    imp.add_argument("file")
    imp.add_argument("--skip-bad-rows", action="store_true", help="import the good rows even if some are bad")
    imp.add_argument("--dry-run", action="store_true",
                     help="write nothing: show how the file is read and what an import would add, change, leave "
                     "and reject, with line numbers")
    imp.add_argument("--chunk-rows", type=_positive, metavar="N",
                     help=f"rows written per transaction (default: as many as take about {CHUNK_SECONDS:g} s, so a "
                     "push or pull waits at most that long)")
    imp.set_defaults(run=cmd_import_caseload)
    assignments = commands.add_parser(
        "assign-caseload", parents=[common], help="assign learners to assessors from a CSV of uln,assessor",
        description="Assign learners to assessors from a CSV with the columns uln and assessor (and learner_ref, "
        "the MIS's LearnRefNumber, for a learner whose ULN is still to follow: 9999999999). Every row is checked "
        "first: if any is bad, each is reported with its line and no assignment is changed.",
    )
    assignments.add_argument("file")
    assignments.add_argument("--dry-run", action="store_true", help="write nothing: say what assigning would do")
    assignments.set_defaults(run=cmd_assign_caseload)
    otj = commands.add_parser(
        "import-otj", parents=[common], help="import learners' off-the-job log entries from a CSV",
        description="Import off-the-job log entries from a CSV with the columns uln (or learner_ref, the MIS's "
        "LearnRefNumber, for a learner whose ULN is still to follow), date, hours, activity, what was learnt and "
        "evidence, matched by name in any order and case (UTF-8 or Windows-1252, comma or semicolon separated, "
        "dates ISO or DD/MM/YYYY). Every problem is reported with its line; all or nothing. Safe to run again: "
        "an entry already in the log (same learner, date, hours and activity) is not added twice.",
    )
    otj.add_argument("file")
    otj.add_argument("--dry-run", action="store_true",
                     help="write nothing: show how the file is read and what an import would add, with line numbers")
    otj.set_defaults(run=cmd_import_otj)
    plans = commands.add_parser(
        "import-plans", parents=[common], help="import learning plan templates per standard from a CSV",
        description="Import each standard's learning plan from a CSV with the columns standard (the ILR's standard "
        "code, or the programme's name), kind (knowledge, skill, behaviour or unit), code, title and, optionally, "
        "planned date. The file replaces the plan of each standard it names, and the items are copied into the "
        "plan of every learner on that standard who lacks them (never changing an item a learner's plan has "
        "adjusted); learners imported later get them too. Every row is checked first: if any is bad, each is "
        "reported with its line and nothing is changed.",
    )
    plans.add_argument("file")
    plans.add_argument("--dry-run", action="store_true", help="write nothing: say what an import would do")
    plans.set_defaults(run=cmd_import_plans)
    starting = commands.add_parser(
        "import-starting-points", parents=[common], help="import starting points (initial assessments) from a CSV",
        description="Import learners' starting points from a CSV with the columns uln (and learner_ref for a ULN "
        "to follow), code (a plan item's), starting value (a percentage), note, english level and maths level. An "
        "empty cell leaves what is recorded. Every row is checked first: if any is bad, each is reported with its "
        "line and nothing is changed.",
    )
    starting.add_argument("file")
    starting.add_argument("--dry-run", action="store_true", help="write nothing: say what an import would do")
    starting.set_defaults(run=cmd_import_starting_points)
    undo = commands.add_parser(
        "import-rollback", parents=[common], help="undo an import run (what it created or changed, if untouched since)",
        description="Undo an import run: learners and employers it created are deleted and those it changed get "
        "their earlier fields (and assessor) back, unless something has changed them since, or, for a learner, "
        "records of its own hang off it. Those are kept and listed. Laptops see the undo at their next sync.",
    )
    undo.add_argument("run_id")
    undo.set_defaults(run=cmd_import_rollback)
    commands.add_parser("list-imports", parents=[common], help="list the latest import runs").set_defaults(
        run=cmd_list_imports
    )
    _add_settings_commands(commands, common)
    add_archive_commands(commands, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.run(args)
    except (CommandError, AccountError) as error:
        print(f"reviewapp-server: {error}", file=sys.stderr)
        return 1
    except (OperationalError, ProgrammingError) as error:
        print(f"reviewapp-server: cannot use the database: {error.orig}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0
