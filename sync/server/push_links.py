"""What a pushed record may point at: its parent and every other record it names, as the server STORES them.

A record's links are checked against the rows in the database and the caller's scope, never against what an
earlier change in the same batch claimed (a rejected `create` with another caseload's id must not make that id
look like the caller's for the changes after it). A link to a record that does not exist and a link to a record
outside the caller's scope answer with the same sentence, so the answer never tells an assessor that another
caseload's record is there.

Links to a record that exists in scope but was deleted (a tombstone) are kept: the record still belongs to the
same learner, so nothing leaks and nothing is attached to a stranger's record.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import ChangeLog, Employer, Learner, Review, Target
from .records import Rejected
from .scope import Caller

UNKNOWN_LEARNER = "The learner this record belongs to does not exist, or is not in your caseload."
UNKNOWN_REVIEW = "The review this signature belongs to does not exist, or is not in your caseload."
FINALISED = "This review has been finalised and can no longer be changed; record a correction as an addendum."
VOIDED = "This review has been voided and can no longer be changed."
UNKNOWN_EMPLOYER = "The employer named by employer_id does not exist, or is not one of your caseload's employers."

#: For each entity, the fields naming another record of the same learner, and the table that record is in.
LEARNER_LINKS: dict[str, dict[str, Any]] = {
    "target": {"set_in_review_id": Review, "followed_up_in_review_id": Review, "carried_from_id": Target},
    "review": {"addendum_to_id": Review},
    "delivery": {"review_id": Review},
}
_NOUNS = {Review: "review", Target: "target"}


def unknown_link(name: str, model: Any) -> str:
    return f"The {_NOUNS[model]} named by {name} does not exist, or is not this learner's in your caseload."


def check_learner(session: Session, caller: Caller, learner_id: Any) -> None:
    """The learner a child record (plan item, target, review, OTJ entry) hangs off is stored and in scope."""
    if not caller.has_learner(session, learner_id):
        raise Rejected(UNKNOWN_LEARNER)


def signature_parent(session: Session, caller: Caller, review_id: Any) -> Review:
    """The stored review a new signature goes on: in the caller's scope, not deleted, and still a draft.

    Only a draft takes signatures: a signature added to a finalised review would stand beside content its signer
    never saw, and one added to someone else's draft would stop its owner finalising (the hash would not match).
    """
    review = caller.load(session, Review, review_id) if isinstance(review_id, str) else None
    if review is None or review.deleted:
        raise Rejected(UNKNOWN_REVIEW)
    status = review.data.get("status")
    if status != "draft":
        raise Rejected(VOIDED if status == "void" else FINALISED)
    return review


def check_learner_links(
    session: Session, caller: Caller, entity: str, record_id: str, data: dict[str, Any], current: dict[str, Any]
) -> None:
    """Every other record `data` names is stored, visible to the caller and of the same learner.

    Checked for a link that is new or changed, and for every link when the record moves to another learner (a
    link that was right for the old learner may name a stranger's record for the new one).
    """
    links = LEARNER_LINKS.get(entity, {})
    moved = data.get("learner_id") != current.get("learner_id")
    for name, model in links.items():
        target_id = data.get(name)
        if target_id is None or (not moved and target_id == current.get(name)):
            continue
        linked = caller.load(session, model, target_id) if isinstance(target_id, str) else None
        if linked is None or linked.learner_id != data.get("learner_id") or linked.id == record_id:
            raise Rejected(unknown_link(name, model))


def check_employer_link(session: Session, caller: Caller, employer_id: Any) -> None:
    """A learner may be linked only to an employer the caller may see, or to one they created and nobody uses yet.

    An assessor sees the employers of their own learners (scope.py); linking to any other would hand them that
    employer's contact details, so an employer of another caseload answers exactly as an id nobody has. The one
    other employer they may link to is one they created themselves (the change log says who) that no learner
    references yet: how a new employer of theirs gets its first learner.
    """
    if employer_id is None:
        return
    if isinstance(employer_id, str) and (
        caller.load(session, Employer, employer_id) is not None or _created_unclaimed(session, caller, employer_id)
    ):
        return
    raise Rejected(UNKNOWN_EMPLOYER)


def _created_unclaimed(session: Session, caller: Caller, employer_id: str) -> bool:
    created_by_caller = session.execute(
        select(ChangeLog.rev).where(ChangeLog.entity == "employer", ChangeLog.record_id == employer_id,
                                    ChangeLog.op == "create", ChangeLog.user_id == caller.user_id).limit(1)
    ).first()
    if created_by_caller is None or session.get(Employer, employer_id) is None:
        return False
    return session.execute(select(Learner.id).where(Learner.employer_id == employer_id).limit(1)).first() is None
