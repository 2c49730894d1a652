"""The finalisation rules the server enforces: the laptop's own rules, from `reviewapp.core`, over the review as signed.

The content hash alone proves only that a review and its signatures were not changed after hashing; anyone can
compute it, so a client could finalise a review nobody signed. Before accepting a finalised review the server
therefore runs the laptop's readiness rules too: every party signed or, where the template allows it, a reason is
recorded for their absence; every required answer is present and valid for its type; the next review date keeps to
the funding rules. It runs them from the one implementation the laptop uses (`signed_review_readiness`, the part of
`finalise_readiness` that needs nothing but the review and its signatures), over the template version the review
was made with.

No `ReviewContext` is built here on purpose. The rest of the laptop's check (which open targets must be followed
up, which plan items need a progress figure, and the figures the app works out from the learner's OTJ plan and the
provider's scheduling rules) depends on the learner's records as the laptop held them at signing. The server sees
them differently later: the office may have added a plan item or closed a target meanwhile, the review's own
follow-ups close its targets earlier in the same push, and the laptop may have been offline for days. Judging a
signed review against those records would refuse genuine reviews, so the server takes that part as signed (see
`reviewapp.core.review_rules.signed_review_readiness`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from sqlalchemy.orm import Session

from reviewapp.core.review_rules import Readiness, signed_review_readiness
from reviewapp.core.templates import TEMPLATE_ID_PATTERN, Template, TemplateError, load_template
from sync.protocol import ReviewData, SignatureData

from .provider_settings import office_template
from .records import Rejected

#: The most problems one refusal lists; the rest are counted, so the reason stays readable on the laptop.
MAX_PROBLEMS_LISTED = 10
#: Template ids longer than this cannot be installed ones; refused without looking for a file.
MAX_TEMPLATE_ID_LENGTH = 100

NOT_READY = (
    "The server cannot accept this review as finalised because it is not complete. "
    "Complete these parts and finalise it again:"
)


def unknown_template_reason(template_id: str, version: int) -> str:
    """Why a review made with a template this server does not hold is refused, worded for the assessor."""
    name = repr(template_id[:MAX_TEMPLATE_ID_LENGTH])
    return (
        f"This review uses version {version} of the review template {name}, which is not installed on the server, "
        "so the server cannot check that the review is complete. Ask your administrator to update the server, "
        "then sync again."
    )


def check_ready_to_finalise(review: ReviewData, signatures: Sequence[SignatureData],
                            session: Session | None = None) -> None:
    """Raise `Rejected`, naming what is missing, unless `review` (finalised, with the signatures the server holds for
    it) passes the laptop's rules for finalising; an unknown template id or version is refused too. With `session`,
    the template versions added at the office count as installed."""
    template = installed_template(review.template_id, review.template_version, session)
    readiness = signed_review_readiness(template, review.answers, list(signatures))
    if not readiness.ready:
        raise Rejected(not_ready_reason(readiness))


def installed_template(template_id: str, version: int, session: Session | None = None) -> Template:
    """The template version a review names, as installed with the server, or `Rejected` saying it is not installed.

    The id is matched against the pattern of a template id before any file is looked for, so an id that is a path
    can reach no file outside the templates folder.
    """
    if len(template_id) > MAX_TEMPLATE_ID_LENGTH or not re.fullmatch(TEMPLATE_ID_PATTERN, template_id):
        raise Rejected(unknown_template_reason(template_id, version))
    if session is not None and (added := office_template(session, template_id, version)) is not None:
        return added
    try:
        return _load_installed(template_id, version)
    except TemplateError:
        raise Rejected(unknown_template_reason(template_id, version)) from None


@lru_cache(maxsize=32)
def _load_installed(template_id: str, version: int) -> Template:
    """Read and check a template file once per process (installed templates change only with a new release, which
    restarts the server); a failure raises and so is not cached."""
    return load_template(template_id, version=version)


def not_ready_reason(readiness: Readiness) -> str:
    """The refusal for a review that is not complete: each missing part with its section, as the laptop words it."""
    messages = readiness.messages()
    lines = [NOT_READY, *(f"- {message}" for message in messages[:MAX_PROBLEMS_LISTED])]
    if len(messages) > MAX_PROBLEMS_LISTED:
        lines.append(f"- and {len(messages) - MAX_PROBLEMS_LISTED} more.")
    return "\n".join(lines)
