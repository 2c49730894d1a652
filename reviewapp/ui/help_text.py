"""The words of the Help menu: a short guide for a first visit and the About box.

Kept apart from the window so the guide reads as one piece of text, and so the keys it names can be checked
against the window's own shortcuts by a test rather than drifting from them.
"""

from __future__ import annotations

GETTING_STARTED_TITLE = "Getting started"
ABOUT_TITLE = "About ReviewApp"

GETTING_STARTED = """\
ReviewApp keeps your caseload of apprentices and their progress reviews on this laptop, encrypted, and \
syncs them with your provider's server when there is a connection.

1. Find a learner: type a name, ULN or employer in the search box (Ctrl+F), or show only the overdue, \
due-soon or at-risk learners (Alt+1 to Alt+4). Select the learner to see their targets and review history.
2. Start or resume their review (Ctrl+N) and work through the sections with the learner and employer. \
Answers are saved as you type; a review left unfinished is offered again next time.
3. On Signatures, each person signs; then Finalise. A finalised review cannot be changed: a correction is an \
addendum (Review menu).
4. Print signed copies for the learner, the employer and the provider (Ctrl+P). The copies are kept, \
encrypted, under the learner's saved copies.
5. Sync now (Ctrl+Shift+S) sends your reviews to the server; it also runs by itself when it can.

A past review opens read-only from the review history (Ctrl+O). Before a visit, print the learner's \
pre-visit pack; where the laptop cannot be used, print a blank paper form (both in the Review menu). \
If something goes wrong, Help \u2192 Open log folder shows the log files support staff will ask for."""


def about_text(version: str) -> str:
    """The About box: what the app is and exactly which version is running (support asks for it first)."""
    return (f"ReviewApp {version}\n\n"
            "Progress reviews for apprenticeships in England: plan, record, sign and print each review, with the "
            "learner's caseload kept encrypted on this laptop and synced with your provider's server.")
