"""The push side of the sync protocol: apply a batch of client changes, each exactly once, losing nothing.

Per change: a repeated `change_id` is `duplicate`; a field whose server value still equals the client's base (or
whose record the client saw at its current rev) takes the client's value; a field changed on both sides is a
conflict, kept server-side and reported; anything invalid, unknown, out of scope or touching a finalised review is
`rejected` with a reason. Each change runs in its own savepoint, so one rejection never spoils the rest.

Every record is checked against what the server STORES (its parent, the records it names, the caller's scope),
never against what another change in the same batch claimed: see push_links.py.

Finalised reviews: the server recomputes the content hash over the review and the signatures it holds, so a
review's signatures must be stored before it is finalised, yet the client sends them in the same batch as (after)
the review. So:
- a change that finalises an existing draft is applied after every other change of the batch;
- a `create` of a review that is already finalised is applied as a *unit*: the review is stored as a draft in its
  place, then the signatures the batch holds for it are applied (each checked against that stored draft), then
  the review is finalised. The unit arrives whole or not at all: when the finalisation is refused (a wrong hash, a
  missing signature), the review and those signatures are all `rejected` with the reason and nothing of them is
  stored, so the server never holds a half-made review the laptop does not know about; the laptop keeps them in
  its outbox and sends them again. (A change later in the batch that names the review, e.g. a target set in it,
  then meets no stored review and is rejected too, as it would be for any unknown review.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reviewapp.core.answer_paths import value_at, with_part
from sync.protocol import (
    ENTITY_MODELS,
    OFFICE_ONLY_ENTITIES,
    PROTOCOL_VERSION,
    RESOLVED_SINCE,
    TEMPORARY_ULN,
    FieldConflict,
    PushChange,
    PushResult,
    ResolvedConflict,
    ReviewData,
    SignatureData,
    review_content_hash,
)

from .accounts import touch_employer
from .bookings import after_push as book_after_push
from .cases import open_after_push
from .db import DEVICE_TIME, new_id, next_rev, take_write_lock
from .due_dates import refresh_learners
from .email_copies import send_after_push
from .field_merge import PartConflict, merge_field, structured
from .finalisation_rules import check_ready_to_finalise
from .models import RECORD_MODELS, ChangeLog, Conflict, Device, Learner, PushReceipt, Review, Signature, utcnow
from .push_links import (
    FINALISED,
    VOIDED,
    check_employer_link,
    check_learner,
    check_learner_links,
    signature_parent,
)
from .records import Rejected, check_storable, set_columns, stored_fields, unknown_fields, validate_fields
from .scope import Caller

UNKNOWN_RECORD = "There is no such record, or it is not in your caseload."
MOVE_LEARNER = "Only an admin can move a learner to another assessor (with `reviewapp-server assign`)."
SIGNED_REVIEW_MOVE = "A review that has been signed cannot be moved to another learner; start a new review instead."
CHANGE_ULN = "A learner's ULN comes from the provider's records: ask an admin to correct it in the MIS."
#: Review statuses after which a review (and its signatures) takes no further change but voiding a finalised one.
CLOSED = ("finalised", "void")
HASH_MISMATCH = (
    "The review's content hash does not match its answers and signatures as the server holds them; "
    "make sure every signature was sent with the review, then sync again."
)
#: The fields a finalised review gains when it is finalised; a finalised `create` is stored first without them.
FINALISING_FIELDS = {"status": "draft", "content_hash": None, "finalised_at": None}


def _finalises(change: PushChange) -> bool:
    return change.entity == "review" and change.fields.get("status") == "finalised"


SAMPLES_AT_THE_OFFICE = "Quality samples are recorded in the office web app, not on a laptop."
CASES_AT_THE_OFFICE = "A case's state is recorded in the office web app by those who work it, not on a laptop."


def push_changes(
    session: Session, caller: Caller, changes: list[PushChange], resolved: list[ResolvedConflict] | None = None,
    protocol: int = PROTOCOL_VERSION,
) -> list[PushResult]:
    """Apply a batch in one transaction under the rev lock; results in the order of `changes`.

    Order: every change in the order sent, except that a finalised review `create` takes the batch's signature
    creates for it along as one unit (see the module docstring), and a change finalising an existing review comes
    last, after the signatures it covers. Then the conflicts the laptop resolved (`resolved`, protocol 5), or, for
    an older laptop that cannot name them, those its writes resolved (`_resolved_by_writes`).
    """
    take_write_lock(session)
    unit_of: dict[str, int] = {}  # review id -> index of the first finalised `create` of it
    for index, change in enumerate(changes):
        if _finalises(change) and change.op == "create":
            unit_of.setdefault(change.id.lower(), index)
    units: dict[int, list[int]] = {index: [] for index in unit_of.values()}
    for index, change in enumerate(changes):
        if change.entity == "signature" and change.op == "create":
            review_id = change.fields.get("review_id")
            if isinstance(review_id, str) and review_id.lower() in unit_of:
                units[unit_of[review_id.lower()]].append(index)
    in_units = {i for members in units.values() for i in members}
    results: dict[int, PushResult] = {}
    last: list[int] = []
    for index, change in enumerate(changes):
        if index in in_units:
            continue
        if index in units:
            results.update(_push_finalised_create(session, caller, changes, index, units[index]))
        elif _finalises(change):
            last.append(index)
        else:
            results[index] = _push_one(session, caller, change)
    for index in last:
        results[index] = _push_one(session, caller, changes[index])
    ordered = [results[i] for i in range(len(changes))]
    if protocol >= RESOLVED_SINCE:
        resolve_conflicts(session, caller, resolved or [])
    else:
        _resolved_by_writes(session, caller, changes, ordered)
    _refresh_due_dates(session, changes)
    open_after_push(session, caller, [(c.entity, c.id.lower(), c.made_at) for i, c in enumerate(changes)
                                      if c.entity in ("review", "concern") and c.op != "delete"
                                      and results[i].status in ("applied", "conflict")])
    send_after_push(session, caller, [c.id.lower() for i, c in enumerate(changes)  # issue 17: copies e-mailed
                                      if c.entity == "review" and results[i].status in ("applied", "conflict")])
    touched = [i for i, c in enumerate(changes) if results[i].status in ("applied", "conflict")]
    book_after_push(session, [changes[i].id.lower() for i in touched if changes[i].entity == "review"],
                    [changes[i].id.lower() for i in touched if changes[i].entity == "learner"])
    return ordered


def resolve_conflicts(session: Session, caller: Caller, resolved: list[ResolvedConflict]) -> None:
    """Mark the conflicts the laptop resolved as resolved here too, so the office's page stops showing them open.

    Why the laptop names them rather than the server reading it from the values: keep theirs writes nothing (the
    server already holds theirs), so no value could say it; and a laptop that typed the question again after a
    conflict, without choosing, is not a decision, though its write looks like keep mine. Only the caller's own
    conflicts (those its pushes met), and only open ones: an unknown or another's id is passed over without a
    word, as the answer must not tell which ids exist; naming one again (an answer lost) changes nothing.
    """
    how = {item.conflict_id.lower(): item.resolution for item in resolved}
    if not how:
        return
    now = utcnow()
    for conflict in session.scalars(select(Conflict).where(
            Conflict.id.in_(how), Conflict.user_id == caller.user_id, Conflict.resolved_at.is_(None))):
        conflict.resolved_at, conflict.resolution = now, how[conflict.id]


def _resolved_by_writes(session: Session, caller: Caller, changes: list[PushChange], results: list[PushResult]) -> None:
    """A laptop older than protocol 5 cannot name what it resolved: its keep mine (the only choice it sends) is a
    write of that question, or of the whole field, over the server's value. Once the server holds what this device
    wrote at a conflict's path, this device's open conflict there is resolved, `kept_mine`. A question sent as it
    was (its value equal to its base: a whole-map push of other questions) says nothing. An older laptop's keep
    theirs writes nothing and so stays open on the office's page: it is resolved on that laptop alone.
    """
    if caller.device_id is None:
        return
    for change, result in zip(changes, results, strict=True):
        if change.op != "update" or result.status not in ("applied", "conflict"):
            continue
        row = session.get(RECORD_MODELS[change.entity], change.id.lower())
        if row is None:
            continue
        held = stored_fields(change.entity, row.data)
        for conflict in session.scalars(select(Conflict).where(
                Conflict.entity == change.entity, Conflict.record_id == row.id, Conflict.resolved_at.is_(None),
                Conflict.user_id == caller.user_id, Conflict.device_id == caller.device_id)):
            if conflict.field not in change.fields or conflict.change_id == change.change_id:
                continue
            path = list(conflict.path or [])
            sent = value_at(change.fields[conflict.field], path)
            if path and sent == value_at(change.base.get(conflict.field), path):
                continue
            here = value_at(held.get(conflict.field), path)
            if (sent == here) if path else _json_equal(change.entity, conflict.field, sent, here):
                conflict.resolved_at, conflict.resolution = utcnow(), "kept_mine"


def _refresh_due_dates(session: Session, changes: list[PushChange]) -> None:
    """The stored due dates of every learner whose record or reviews the batch touched (due_dates.py)."""
    learners = {change.id.lower() for change in changes if change.entity == "learner"}
    reviews = [change.id.lower() for change in changes if change.entity == "review"]
    if reviews:
        session.flush()
        learners.update(session.scalars(select(Review.learner_id).where(Review.id.in_(reviews))))
    if learners:
        session.flush()
        refresh_learners(session, learners)


def _push_finalised_create(
    session: Session, caller: Caller, changes: list[PushChange], index: int, signatures: list[int]
) -> dict[int, PushResult]:
    """A finalised review's `create` with the signature creates of the batch for it: whole or not at all."""
    change = changes[index]
    members = [index, *signatures]
    if caller.load(session, Review, change.id.lower()) is not None or _receipt(session, caller, change) is not None:
        # Sent before (its answer lost): answered as any change would be, one by one. (An id taken outside the
        # caller's scope goes the unit's way, so its answer reads as for a fresh id: see `_create`.)
        return {i: _push_one(session, caller, changes[i]) for i in members}
    try:
        # Whatever would refuse the review as sent, before its draft is stored (a taken id answers after these).
        _check_shape(change)
        validate_fields("review", change.fields)
    except Rejected as reason:
        refused = PushResult(change_id=change.change_id, status="rejected", error=str(reason))
        return {index: refused, **{i: _push_one(session, caller, changes[i]) for i in signatures}}
    draft = change.model_copy(update={"fields": {**change.fields, **FINALISING_FIELDS}})
    results: dict[int, PushResult] = {}
    try:
        with session.begin_nested():
            results[index] = _push_one(session, caller, draft)
            for i in signatures:
                results[i] = _push_one(session, caller, changes[i])
            if results[index].status == "applied":
                _finalise_created(session, change)
    except Rejected as reason:
        # Rolled back whole; a signature refused for its own reason keeps that reason.
        refused = {i: PushResult(change_id=changes[i].change_id, status="rejected",
                                 error=str(reason) if i == index else f"The review it belongs to was refused: {reason}")
                   for i in members}
        return {**refused, **{i: r for i, r in results.items() if i != index and r.status == "rejected"}}
    return results


def _finalise_created(session: Session, change: PushChange) -> None:
    """Finalise the review `change` created as a draft a moment ago, in this transaction, under the same rev."""
    row = session.get(Review, change.id.lower())
    assert row is not None
    data = validate_fields("review", {**row.data, **change.fields})
    _check_review_hash(session, row.id, data)
    row.data = data
    set_columns(row, data)
    session.flush()


def _receipt(session: Session, caller: Caller, change: PushChange) -> PushReceipt | None:
    """The caller's own receipt for this change id: change ids are scoped by user, so another user's is fresh."""
    return session.get(PushReceipt, {"user_id": caller.user_id, "change_id": change.change_id})


def _push_one(session: Session, caller: Caller, change: PushChange) -> PushResult:
    session.info[DEVICE_TIME] = change.made_at  # logged with each rev it hands out (the audit); see db.next_rev
    receipt = _receipt(session, caller, change)
    if receipt is not None:
        return PushResult(change_id=change.change_id, status="duplicate", rev=receipt.rev,
                          conflicts=_conflicts_of(session, caller, change))
    try:
        with session.begin_nested():
            result = _apply(session, caller, change)
    except Rejected as reason:
        return PushResult(change_id=change.change_id, status="rejected", error=str(reason))
    session.add(PushReceipt(change_id=change.change_id, user_id=caller.user_id, status=result.status, rev=result.rev))
    session.flush()
    return result


def _check_shape(change: PushChange) -> None:
    """What refuses a change whatever it names: unknown fields, and values nobody could store."""
    bad = unknown_fields(change.entity, [*change.fields, *change.base])
    if bad:
        names = ", ".join(repr(name)[:60] for name in bad[:10])
        raise Rejected(f"Unknown field(s) for a {change.entity.replace('_', ' ')}: {names}.")
    check_storable(change.fields)
    check_storable(change.base)


def _apply(session: Session, caller: Caller, change: PushChange) -> PushResult:
    entity, record_id = change.entity, change.id.lower()
    if entity in OFFICE_ONLY_ENTITIES:
        raise Rejected(SAMPLES_AT_THE_OFFICE if entity == "review_sample" else CASES_AT_THE_OFFICE)
    model = RECORD_MODELS[entity]
    _check_shape(change)
    row = caller.load(session, model, record_id)
    if row is None:
        if change.op != "create":
            raise Rejected(UNKNOWN_RECORD)
        return _create(session, caller, change, record_id)
    if entity == "alert_dismissal":  # a log entry: never changed nor taken back once made
        raise Rejected("An alert's dismissal is kept as made: it cannot be changed or deleted.")
    if change.op == "delete":
        return _delete(session, caller, change, row)
    return _update(session, caller, change, row)


def _result(change: PushChange, rev: int, conflicts: list[FieldConflict] | None = None) -> PushResult:
    status = "conflict" if conflicts else "applied"
    return PushResult(change_id=change.change_id, status=status, rev=rev, conflicts=conflicts or [])


def _create(session: Session, caller: Caller, change: PushChange, record_id: str) -> PushResult:
    """A record the caller cannot see by this id: every check a fresh id meets comes first, and only then an id
    taken outside the caller's scope is refused, in the very words of an update of an unknown id.

    So the answer for another caseload's id is the answer for a fresh one, except where a fresh id would have been
    applied: a valid create with a taken id cannot be stored, and says only that the record is unknown. (The
    laptop's ids are random UUIDs: that answer tells nothing beyond what the caller already held, the id itself.)
    A finalised review's hash is checked after its draft is stored (see `_push_finalised_create`), so a taken id
    is refused before its hash is looked at: again only when the id is taken.
    """
    entity = change.entity
    data = validate_fields(entity, change.fields)
    extra: dict[str, Any] = {}
    if entity == "learner":
        if not caller.sees_everything:
            raise Rejected("Learners come from the provider's records: ask an admin to add this learner.")
        if data["assessor"]:
            raise Rejected("Leave the assessor empty: an admin assigns learners to assessors.")
        _check_uln_free(session, data["uln"], record_id)
        check_employer_link(session, caller, data.get("employer_id"))
    elif entity == "signature":
        extra["learner_id"] = signature_parent(session, caller, data["review_id"]).learner_id
    elif entity != "employer":
        check_learner(session, caller, data["learner_id"])
        check_learner_links(session, caller, entity, record_id, data, {})
    if session.get(RECORD_MODELS[entity], record_id) is not None:
        raise Rejected(UNKNOWN_RECORD)
    if entity == "review" and data["status"] == "finalised":
        _check_review_hash(session, record_id, data)
    rev = next_rev(session, entity, record_id, "create", caller.user_id, caller.device_id)
    row = RECORD_MODELS[entity](id=record_id, rev=rev, data=data, updated_at=utcnow(), updated_by=caller.username)
    set_columns(row, data)
    for name, value in extra.items():
        setattr(row, name, value)
    session.add(row)
    session.flush()
    return _result(change, rev)


def _delete(session: Session, caller: Caller, change: PushChange, row: Any) -> PushResult:
    if change.entity in ("learner", "employer") and not caller.sees_everything:
        raise Rejected(f"Only a manager or an admin can delete a {change.entity}.")
    _refuse_if_finalised(session, change.entity, row)
    if row.deleted:
        return _result(change, row.rev)
    row.rev = next_rev(session, change.entity, row.id, "delete", caller.user_id, caller.device_id)
    row.deleted, row.updated_at, row.updated_by = True, utcnow(), caller.username
    return _result(change, row.rev)


def _update(session: Session, caller: Caller, change: PushChange, row: Any) -> PushResult:
    entity = change.entity
    if row.deleted:
        raise Rejected(f"This {entity.replace('_', ' ')} was deleted on the server; your change was not applied.")
    current: dict[str, Any] = stored_fields(entity, row.data)
    client_view = validate_fields(entity, {**current, **change.fields})
    client_fields = {name: client_view[name] for name in change.fields}
    if entity == "learner" and client_fields.get("assessor", current.get("assessor")) != current.get("assessor"):
        raise Rejected(MOVE_LEARNER)
    changes_uln = client_fields.get("uln", current.get("uln")) != current.get("uln")
    if entity == "learner" and changes_uln and not caller.sees_everything:
        # Before any look at other learners, so the answer cannot tell whether a ULN is taken elsewhere.
        raise Rejected(CHANGE_ULN)
    if _frozen(session, entity, row):
        if all(current.get(name) == value for name, value in client_fields.items()):
            return PushResult(change_id=change.change_id, status="duplicate", rev=row.rev)
        if not (entity == "review" and current.get("status") == "finalised" and _is_voiding(current, client_fields)):
            raise Rejected(VOIDED if _status(session, entity, row) == "void" else FINALISED)
    applied: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    changed_by = _last_change(session, row)
    for name, value in client_fields.items():
        server_value = current.get(name)
        if value == server_value:
            continue
        if name in change.base and structured(server_value, change.fields[name]):
            # Per question and per item (field_merge.py): only what both sides changed is a conflict.
            merged_value, parts = merge_field(change.base[name], server_value, change.fields[name])
            if merged_value != server_value:
                applied[name] = merged_value
            conflicts.extend(_store_conflict(session, caller, change, row, name, merged_value,
                                             with_part(merged_value, part.path, part.client), changed_by, part)
                             for part in parts)
            continue
        if name in change.base:
            base_ok = _json_equal(entity, name, change.base[name], server_value)
        else:
            base_ok = change.base_rev == row.rev
        if base_ok:
            applied[name] = value
        else:
            conflicts.append(_store_conflict(session, caller, change, row, name, server_value, value, changed_by))
    if not applied:
        return _result(change, row.rev, conflicts)
    merged = validate_fields(entity, {**current, **applied})
    _check_links(session, caller, entity, row, current, merged)
    if entity == "review" and merged["status"] == "finalised" and current.get("status") != "finalised":
        _check_review_hash(session, row.id, merged)
    row.rev = next_rev(session, entity, row.id, "update", caller.user_id, caller.device_id)
    row.data, row.updated_at, row.updated_by = merged, utcnow(), caller.username
    set_columns(row, merged)
    if entity == "learner" and merged.get("employer_id") != current.get("employer_id"):
        touch_employer(session, merged.get("employer_id"), caller.username)
    return _result(change, row.rev, conflicts)


def _conflicts_of(session: Session, caller: Caller, change: PushChange) -> list[FieldConflict]:
    """The conflicts a change met when first applied, so a client that never heard that answer still shows them.

    The caller's own only: change ids are scoped by user, like the receipts.
    """
    stored = session.scalars(
        select(Conflict)
        .where(Conflict.user_id == caller.user_id, Conflict.change_id == change.change_id)
        .order_by(Conflict.field)
    )
    return [_field_conflict(c) for c in stored]


def _field_conflict(c: Conflict) -> FieldConflict:
    """A stored conflict as the push result carries it: the whole field, and the part at its path."""
    path = list(c.path or [])
    return FieldConflict(
        conflict_id=c.id,
        field=c.field,
        base_value=c.base_value,
        server_value=c.server_value,
        client_value=c.client_value,
        path=path,
        base_at_path=value_at(c.base_value, path),
        server_at_path=value_at(c.server_value, path),
        client_at_path=value_at(c.client_value, path),
        server_changed_by=c.server_changed_by,
        server_changed_device=c.server_changed_device,
        server_changed_at=c.server_changed_at,
    )


def _last_change(session: Session, row: Any) -> tuple[str | None, str | None, Any]:
    """Who last changed the record as the server holds it, on which device, and when (the device's time if said)."""
    log = session.get(ChangeLog, row.rev)
    if log is None:
        return row.updated_by or None, None, row.updated_at
    device = session.get(Device, log.device_id) if log.device_id else None
    # The name its user gave the device ("Sam's ThinkPad"), which a person recognises; its id if it has none.
    return row.updated_by or None, (device.name if device else log.device_id), log.device_time or log.at


def _json_equal(entity: str, name: str, base: Any, server_value: Any) -> bool:
    """Compare a client's base with the stored value in stored form (so "2025-01-01" equals a date, 8 equals 8.0)."""
    if base == server_value:
        return True
    field = ENTITY_MODELS[entity].model_fields[name]
    try:
        from pydantic import TypeAdapter

        return TypeAdapter(field.annotation).dump_python(
            TypeAdapter(field.annotation).validate_python(base), mode="json"
        ) == server_value
    except Exception:  # any base the field's type cannot take simply differs from the server's value
        return False


def _store_conflict(
    session: Session, caller: Caller, change: PushChange, row: Any, name: str, server_value: Any, client_value: Any,
    changed_by: tuple[str | None, str | None, Any], part: PartConflict | None = None,
) -> FieldConflict:
    """Kept on the server (the conflict history: the value not chosen stays readable) and answered to the client.

    For a part of a structured field the base stored is the client's base with only that part in it (the client
    may have sent only the questions it changed, so its base is no whole value to keep).
    """
    base = change.base.get(name)
    if part is not None:
        base = with_part(server_value, part.path, part.base)
    by, device, at = changed_by
    conflict = Conflict(
        id=new_id(),
        entity=change.entity,
        record_id=row.id,
        field=name,
        base_value=base,
        server_value=server_value,
        client_value=client_value,
        change_id=change.change_id,
        user_id=caller.user_id,
        device_id=caller.device_id,
        path=list(part.path) if part is not None else [],
        server_changed_by=by,
        server_changed_device=device,
        server_changed_at=at,
    )
    session.add(conflict)
    return _field_conflict(conflict)


def _check_links(
    session: Session, caller: Caller, entity: str, row: Any, current: dict[str, Any], merged: dict[str, Any]
) -> None:
    """A change may not move a record somewhere the caller cannot see, nor break the learner's identity rules."""
    if entity == "learner":
        if merged["uln"] != current.get("uln"):
            _check_uln_free(session, merged["uln"], row.id)
        if merged.get("employer_id") != current.get("employer_id"):
            check_employer_link(session, caller, merged.get("employer_id"))
    elif entity == "signature":
        if merged["review_id"] != current.get("review_id"):
            raise Rejected("A signature cannot be moved to another review.")
    elif entity != "employer":
        if merged["learner_id"] != current.get("learner_id"):
            check_learner(session, caller, merged["learner_id"])
            if entity == "review" and _has_signatures(session, row.id):
                # Its signatures are scoped by the learner they were given for (models.Signature.learner_id).
                raise Rejected(SIGNED_REVIEW_MOVE)
        check_learner_links(session, caller, entity, row.id, merged, current)


def _has_signatures(session: Session, review_id: str) -> bool:
    return session.execute(select(Signature.id).where(Signature.review_id == review_id).limit(1)).first() is not None


def _check_uln_free(session: Session, uln: str, record_id: str) -> None:
    if uln == TEMPORARY_ULN:
        return  # "ULN to follow" is held by many learners at once (models.Learner)
    other = session.execute(select(Learner.id).where(Learner.uln == uln, Learner.id != record_id)).first()
    if other is not None:
        raise Rejected(f"Another learner already has the ULN {uln}.")


def _status(session: Session, entity: str, row: Any) -> str | None:
    """The status of the review a review or signature row belongs to (None for other records)."""
    if entity == "review":
        return row.data.get("status")
    if entity == "signature":
        review = session.get(Review, row.review_id)
        return review.data.get("status") if review is not None else None
    return None


def _frozen(session: Session, entity: str, row: Any) -> bool:
    """A finalised or voided review, or a signature on one: append-only (a voided review was signed once, and
    letting it change would let signatures stand under content nobody signed)."""
    return _status(session, entity, row) in CLOSED


def _refuse_if_finalised(session: Session, entity: str, row: Any) -> None:
    if _frozen(session, entity, row):
        raise Rejected(VOIDED if _status(session, entity, row) == "void" else FINALISED)


def _is_voiding(current: dict[str, Any], fields: dict[str, Any]) -> bool:
    """Voiding (with a reason) is the one change a finalised review accepts; the hash does not cover it."""
    changed = {name for name, value in fields.items() if current.get(name) != value}
    return fields.get("status") == "void" and changed <= {"status", "void_reason"} and bool(
        fields.get("void_reason", current.get("void_reason"))
    )


def _check_review_hash(session: Session, review_id: str, data: dict[str, Any]) -> None:
    signatures = session.execute(
        select(Signature).where(Signature.review_id == review_id, Signature.deleted.is_(False))
    ).scalars()
    signed = [SignatureData.model_validate(sig.data) for sig in signatures]
    review = ReviewData.model_validate(data)
    expected = review_content_hash(review_id, review, signed)
    if data.get("content_hash") != expected:
        raise Rejected(HASH_MISMATCH)
    # The hash proves only that nothing changed after hashing, and anyone can compute it: the review must also
    # pass the laptop's own rules for finalising (signatures, required answers), checked after the hash so that a
    # review whose signatures are still on their way is told to send them rather than to collect them again.
    check_ready_to_finalise(review, signed, session)
